// A storm on the real engine: 100 concurrent `docker run --rm <img> true`, raw and through safe-docker
// (seed limits, and with minTime 0), while an interactive `docker ps` is probed every 0.3 s.
// Reports each storm's makespan and the probe's p50/p95 against the idle engine.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { percentile, timed } from './timing.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'safe-docker.js');
const IMAGE = 'safe-docker-test/busybox:latest';
const N = Number(process.env.BENCH_STORM ?? 100);
if (spawnSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' }).status !== 0) {
	console.error(`storm: needs a running engine with ${IMAGE} (scripts/engine.sh)`);
	process.exit(1);
}

async function probeWhile(running) {
	const samples = [];
	const started = performance.now();
	while (running()) {
		const at = performance.now() - started;
		samples.push({ at, ms: (await timed('docker', ['ps'], process.env)).ms });
		await sleep(300);
	}
	return samples;
}

async function storm(name, command, argsOf, env) {
	let done = false;
	const started = performance.now();
	const probes = probeWhile(() => !done);
	const results = await Promise.all(Array.from({ length: N }, () => timed(command, argsOf(), env)));
	const makespanMs = Math.round(performance.now() - started);
	done = true;
	const samples = await probes;
	const latencies = samples.map(sample => sample.ms);
	// The first seconds also carry the start-up of 100 client processes; after them, only the daemon's load.
	const settled = samples.filter(sample => sample.at > 8000).map(sample => sample.ms);
	return {
		name,
		makespanMs,
		failed: results.filter(result => result.code !== 0).length,
		probe: { samples: latencies.length, p50: percentile(latencies, 0.5), p95: percentile(latencies, 0.95) },
		probeAfter8s: { samples: settled.length, p50: percentile(settled, 0.5), p95: percentile(settled, 0.95) },
	};
}

const idle = [];
for (let i = 0; i < 20; i++) {
	idle.push((await timed('docker', ['ps'], process.env)).ms);
	await sleep(100);
}
const idleProbe = { p50: percentile(idle, 0.5), p95: percentile(idle, 0.95) };

const runArgs = () => ['run', '--rm', '--network', 'none', IMAGE, 'true'];
const through = extra => {
	const dir = mkdtempSync(join(tmpdir(), 'safe-docker-storm-'));
	return { dir, env: { ...process.env, SAFE_DOCKER_HOME: join(dir, 'state'), SAFE_DOCKER_BROKER_IDLE_TIMEOUT_MS: '5000', ...extra } };
};
const seed = through({});
const fast = through({ SAFE_DOCKER_LANES_MUTATE_MIN_TIME_MS: '0' });
// A foreground `run --rm` waits in the mutate lane (it starts a container like `run -d`) and holds its slot
// for the start-up lease, or until it exits if that comes first.
const scenarios = [
	await storm('raw docker', 'docker', runArgs, process.env),
	await storm('safe-docker (seed: 3 at once, 500 ms apart)', process.execPath, () => [bin, ...runArgs()], seed.env),
	await storm('safe-docker (3 at once, minTime 0)', process.execPath, () => [bin, ...runArgs()], fast.env),
	// A control: what the start-up of N node processes at once costs the probe on this machine, no docker.
	await storm('control: N bare node starts, no docker', process.execPath, () => ['-e', 'setTimeout(() => {}, 2000)'], process.env),
];
for (const { dir } of [seed, fast]) rmSync(dir, { recursive: true, force: true });

// The floor is on safe-docker as it ships (the seed limits); minTime 0 shows what the spacing buys.
const seedScenario = scenarios[1];
const results = {
	date: new Date().toISOString(),
	calls: N,
	image: IMAGE,
	idleProbe,
	scenarios,
	floor: { probeP95Ratio: 4, scenario: seedScenario.name },
	pass: seedScenario.probe.p95 <= 4 * idleProbe.p95,
};
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'storm.json'), `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(
	[
		`storm: ${N} × docker run --rm ${IMAGE} true; docker ps probed every 0.3 s (idle p50 ${idleProbe.p50} ms, p95 ${idleProbe.p95} ms)`,
		...scenarios.map(
			scenario =>
				`  ${scenario.name.padEnd(44)} makespan ${String(scenario.makespanMs).padStart(6)} ms, probe p50 ${scenario.probe.p50} ms, p95 ${scenario.probe.p95} ms (${(scenario.probe.p95 / idleProbe.p95).toFixed(1)}× idle); after the first 8 s: p50 ${scenario.probeAfter8s.p50} ms, p95 ${scenario.probeAfter8s.p95} ms; ${scenario.failed} failed`,
		),
		`floor: through safe-docker with the seed limits, the probe's p95 ≤ 4× idle: ${results.pass ? 'PASS' : 'FAIL'}`,
		'',
	].join('\n'),
);
