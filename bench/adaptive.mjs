// Fixed seed limits against adaptive limits, side by side on the real engine, with raw docker as the reference:
// - a storm of 100 × `docker run --rm <img> true` at once, while `docker ps` is probed every 0.3 s both raw and
//   through safe-docker (each probe in its own loop);
// - 20 sequential `docker tag` and 20 sequential `docker run --rm <img> true`.
// Each mode keeps one state directory for all its scenarios, as a user's broker would: the sequential loops run
// first (interleaved call by call across modes), so adaptive starts its storm with the baselines they measured.
// Writes bench/results/adaptive.json and adaptive.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { percentile, timed } from './timing.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'safe-docker.js');
const IMAGE = 'safe-docker-test/busybox:latest';
const N = Number(process.env.BENCH_STORM ?? 100);
const LOOP = Number(process.env.BENCH_LOOP ?? 20);
if (spawnSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' }).status !== 0) {
	console.error(`adaptive: needs a running engine with ${IMAGE} (scripts/engine.sh)`);
	process.exit(1);
}

const median = values => percentile(values, 0.5);

const stateDirs = [];
const modeEnv = mode => {
	const dir = mkdtempSync(join(tmpdir(), `safe-docker-bench-${mode}-`));
	stateDirs.push(dir);
	return { ...process.env, SAFE_DOCKER_HOME: dir, SAFE_DOCKER_BROKER_IDLE_TIMEOUT_MS: '20000', SAFE_DOCKER_LANES_MUTATE_MODE: mode };
};
const modes = { fixed: modeEnv('fixed'), adaptive: modeEnv('adaptive') };
const via = {
	raw: { command: 'docker', prefix: [], env: process.env },
	fixed: { command: process.execPath, prefix: [bin], env: modes.fixed },
	adaptive: { command: process.execPath, prefix: [bin], env: modes.adaptive },
};
const runArgs = ['run', '--rm', '--network', 'none', IMAGE, 'true'];

async function probeWhile(running, { command, prefix, env }) {
	const samples = [];
	while (running()) {
		samples.push((await timed(command, [...prefix, 'ps'], env)).ms);
		await sleep(300);
	}
	return { samples: samples.length, p50: median(samples), p95: percentile(samples, 0.95) };
}

async function storm(name) {
	const { command, prefix, env } = via[name];
	let done = false;
	const started = performance.now();
	// One probe raw, one through safe-docker (with this mode's broker, so it shows what an interactive user of it sees).
	const probes = Promise.all([probeWhile(() => !done, via.raw), probeWhile(() => !done, name === 'raw' ? via.fixed : via[name])]);
	const results = await Promise.all(Array.from({ length: N }, () => timed(command, [...prefix, ...runArgs], env)));
	const makespanMs = Math.round(performance.now() - started);
	done = true;
	const [rawProbe, safeProbe] = await probes;
	return { name, makespanMs, failed: results.filter(result => result.code !== 0).length, rawProbe, safeProbe };
}

/** LOOP sequential calls per mode, interleaved call by call (raw, fixed, adaptive, raw…) so machine noise hits all alike. */
async function loops(args) {
	const total = { raw: 0, fixed: 0, adaptive: 0 };
	for (let i = 0; i < LOOP; i++) {
		for (const name of Object.keys(total)) {
			const { command, prefix, env } = via[name];
			const result = await timed(command, [...prefix, ...args(name, i)], env);
			if (result.code !== 0) throw new Error(`${name}: ${args(name, i).join(' ')} failed`);
			total[name] += result.ms;
		}
	}
	return Object.fromEntries(Object.entries(total).map(([name, ms]) => [name, Math.round(ms)]));
}

const idle = [];
for (let i = 0; i < 20; i++) {
	idle.push((await timed('docker', ['ps'], process.env)).ms);
	await sleep(100);
}
const idleProbe = { p50: median(idle), p95: percentile(idle, 0.95) };

// The start-up overhead of one call through safe-docker: interleaved `ps`, raw and through (fixed mode's broker).
const raw = [];
const through = [];
for (let i = 0; i < 10; i++) {
	raw.push((await timed('docker', ['ps'], process.env)).ms);
	through.push((await timed(process.execPath, [bin, 'ps'], modes.fixed)).ms);
}
const overheadMs = median(through) - median(raw);

const tagMs = await loops((name, i) => ['tag', IMAGE, `safe-docker-bench/${name}:${i}`]);
const runMs = await loops(() => runArgs);
const sequential = Object.fromEntries(Object.keys(tagMs).map(name => [name, { tagMs: tagMs[name], runMs: runMs[name] }]));
for (const name of Object.keys(tagMs)) {
	spawnSync('docker', ['rmi', ...Array.from({ length: LOOP }, (_, i) => `safe-docker-bench/${name}:${i}`)], { stdio: 'ignore' });
}

const storms = {};
for (const name of ['raw', 'fixed', 'adaptive']) {
	storms[name] = await storm(name);
	await sleep(3000); // let the engine settle between storms
}
const learned = spawnSync(process.execPath, [bin, 'guard', 'stats', '--json'], { env: modes.adaptive, encoding: 'utf8' });
const adaptiveState = JSON.parse(learned.stdout || '{}').adaptive?.mutate ?? null;
// How the adaptive limit moved, from its broker's log.
const adaptiveTrace = readFileSync(join(modes.adaptive.SAFE_DOCKER_HOME, 'broker.log'), 'utf8')
	.split('\n')
	.filter(line => line.includes('mutate limit'))
	.map(line => line.replace(/^\S+ broker \d+: mutate limit /, ''));
for (const env of Object.values(modes)) spawnSync(process.execPath, [bin, 'guard', 'broker', 'stop'], { env, stdio: 'ignore' });
for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });

const floors = {
	stormMakespan: storms.adaptive.makespanMs <= 1.3 * storms.raw.makespanMs,
	stormRawProbe: storms.adaptive.rawProbe.p95 <= 3 * idleProbe.p95,
	tagLoop: sequential.adaptive.tagMs <= sequential.raw.tagMs + 1.2 * overheadMs * LOOP,
};
const goals = {
	stormMakespan: storms.adaptive.makespanMs <= storms.raw.makespanMs,
	stormRawProbe: storms.adaptive.rawProbe.p95 <= 2 * idleProbe.p95,
};
// The rule for the default: adaptive must beat fixed on all three.
const beatsFixed = {
	stormMakespan: storms.adaptive.makespanMs < storms.fixed.makespanMs,
	probeP95: storms.adaptive.rawProbe.p95 <= storms.fixed.rawProbe.p95,
	sequentialLoop: sequential.adaptive.tagMs + sequential.adaptive.runMs < sequential.fixed.tagMs + sequential.fixed.runMs,
};
const results = {
	date: new Date().toISOString(),
	machine: `${cpus().length} × ${cpus()[0]?.model.trim()}`,
	calls: N,
	loop: LOOP,
	image: IMAGE,
	idleProbe,
	overheadMs,
	sequential,
	storms,
	adaptiveState,
	adaptiveTrace,
	floors,
	goals,
	beatsFixed,
};
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'adaptive.json'), `${JSON.stringify(results, null, 2)}\n`);
const yes = value => (value ? 'yes' : 'NO');
const row = name => {
	const s = storms[name];
	return `| ${name} | ${s.makespanMs} | ${s.rawProbe.p50} / ${s.rawProbe.p95} | ${s.safeProbe.p50} / ${s.safeProbe.p95} | ${sequential[name].tagMs} | ${sequential[name].runMs} | ${s.failed} |`;
};
const markdown = [
	`# Fixed against adaptive limits (${results.date})`,
	'',
	`${results.machine}; ${N} × \`docker run --rm ${IMAGE} true\` at once; \`docker ps\` probed every 0.3 s raw and through safe-docker; ${LOOP} sequential \`tag\` and \`run --rm … true\`. Idle \`docker ps\`: p50 ${idleProbe.p50} ms, p95 ${idleProbe.p95} ms. Start-up overhead of one call through safe-docker: ${overheadMs} ms.`,
	'',
	'| | storm makespan ms | raw ps p50 / p95 ms | safe-docker ps p50 / p95 ms | 20 × tag ms | 20 × run --rm ms | failed |',
	'|---|---|---|---|---|---|---|',
	row('raw'),
	row('fixed'),
	row('adaptive'),
	'',
	`Adaptive after the storm: limit ${adaptiveState?.limit ?? '?'} — ${adaptiveState?.reason ?? '?'}. How it moved (all runs):`,
	'',
	...adaptiveTrace.map(line => `- ${line}`),
	'',
	`Floors: storm makespan ≤ 1.3 × raw: ${yes(floors.stormMakespan)}; raw ps p95 ≤ 3 × idle: ${yes(floors.stormRawProbe)}; tag loop ≤ raw + 1.2 × overhead per call: ${yes(floors.tagLoop)}.`,
	`Goals: makespan ≤ raw: ${yes(goals.stormMakespan)}; raw ps p95 ≤ 2 × idle: ${yes(goals.stormRawProbe)}.`,
	`Adaptive beats fixed: storm makespan ${yes(beatsFixed.stormMakespan)}, probe p95 ${yes(beatsFixed.probeP95)}, sequential loops ${yes(beatsFixed.sequentialLoop)}.`,
	'',
].join('\n');
writeFileSync(join(root, 'bench', 'results', 'adaptive.md'), markdown);
process.stdout.write(markdown);
