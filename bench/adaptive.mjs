// Fixed seed limits against adaptive limits, side by side on the real engine, with raw docker as the reference:
// - a storm of 100 × `docker run --rm <img> true` at once, while `docker ps` is probed every 0.3 s both raw and
//   through safe-docker (each probe in its own loop);
// - 20 sequential `docker tag` and 20 sequential `docker run --rm <img> true`.
// Each mode keeps one state directory for all its scenarios, as a user's broker would: the sequential loops run
// first (interleaved call by call across modes), so adaptive starts its storm with the baselines they measured.
// Beside each figure, the load average (the machine may be shared). Each probe's p95 is also given over the samples
// taken after the storm's first call ended: before that, the machine is busy starting 100 clients (node for
// safe-docker, the docker CLI for raw), which no limit on the daemon's work changes — the start-up burst line
// measures that alone (100 × `node -e ''` at once, no docker work).
// Options (environment): BENCH_STORM (calls in the storm, 100), BENCH_LOOP (sequential calls, 20), BENCH_FRONTIER (below).
// Writes bench/results/adaptive.json and adaptive.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { percentile, timed } from './timing.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'safe-docker.js');
const IMAGE = 'safe-docker-test/busybox:latest';
const N = Number(process.env.BENCH_STORM ?? 100);
// BENCH_FRONTIER=2,4,8: also storms at these fixed limits without spacing, right after the others — what any
// limit buys in makespan and costs in `docker ps` p95 on this machine, at this load.
const FRONTIER = (process.env.BENCH_FRONTIER ?? '').split(',').filter(Boolean).map(Number);
const LOOP = Number(process.env.BENCH_LOOP ?? 20);
if (spawnSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' }).status !== 0) {
	console.error(`adaptive: needs a running engine with ${IMAGE} (scripts/engine.sh)`);
	process.exit(1);
}

const median = values => percentile(values, 0.5);

const stateDirs = [];
const modeEnv = (mode, extra = {}) => {
	const dir = mkdtempSync(join(tmpdir(), `safe-docker-bench-${mode}-`));
	stateDirs.push(dir);
	return {
		...process.env,
		SAFE_DOCKER_HOME: dir,
		SAFE_DOCKER_BROKER_IDLE_TIMEOUT_MS: '20000',
		SAFE_DOCKER_LANES_MUTATE_MODE: mode,
		...extra,
	};
};
const modes = { fixed: modeEnv('fixed'), adaptive: modeEnv('adaptive') };
const via = {
	raw: { command: 'docker', prefix: [], env: process.env },
	fixed: { command: process.execPath, prefix: [bin], env: modes.fixed },
	adaptive: { command: process.execPath, prefix: [bin], env: modes.adaptive },
};
for (const limit of FRONTIER) {
	const env = modeEnv('fixed', { SAFE_DOCKER_LANES_MUTATE_MAX_CONCURRENT: String(limit), SAFE_DOCKER_LANES_MUTATE_MIN_TIME_MS: '0' });
	via[`fixed ${limit} / 0 ms`] = { command: process.execPath, prefix: [bin], env };
}
const runArgs = ['run', '--rm', '--network', 'none', IMAGE, 'true'];

const load = () => Math.round(loadavg()[0] * 10) / 10;

/** Probes `ps` every 0.3 s while `running()`; each sample with when it started (ms on performance.now()). */
async function probeWhile(running, { command, prefix, env }) {
	const samples = [];
	while (running()) {
		const at = performance.now();
		samples.push({ at, ms: (await timed(command, [...prefix, 'ps'], env)).ms });
		await sleep(300);
	}
	return samples;
}

/** p50 and p95 of the samples; `afterStartup`: p95 of those started once the first call had ended. */
function summary(samples, firstEndAt) {
	const ms = samples.map(sample => sample.ms);
	const later = samples.filter(sample => sample.at >= firstEndAt).map(sample => sample.ms);
	return {
		samples: ms.length,
		p50: median(ms),
		p95: percentile(ms, 0.95),
		afterStartup: { samples: later.length, p95: percentile(later, 0.95) },
	};
}

async function storm(name) {
	const { command, prefix, env } = via[name];
	let done = false;
	let firstEndAt = Number.POSITIVE_INFINITY;
	const loadBefore = load();
	const started = performance.now();
	// One probe raw, one through safe-docker (with this mode's broker, so it shows what an interactive user of it sees).
	const probes = Promise.all([
		probeWhile(() => !done, via.raw),
		probeWhile(() => !done, name === 'raw' || !(name in modes) ? via.fixed : via[name]),
	]);
	const results = await Promise.all(
		Array.from({ length: N }, () =>
			timed(command, [...prefix, ...runArgs], env).then(result => {
				firstEndAt = Math.min(firstEndAt, performance.now());
				return result;
			}),
		),
	);
	const makespanMs = Math.round(performance.now() - started);
	done = true;
	const [rawProbe, safeProbe] = (await probes).map(samples => summary(samples, firstEndAt));
	return {
		name,
		makespanMs,
		firstEndMs: Math.round(firstEndAt - started),
		failed: results.filter(result => result.code !== 0).length,
		rawProbe,
		safeProbe,
		load: { before: loadBefore, after: load() },
	};
}

/** The raw probe while 100 bare node processes start at once: what starting the clients alone does to `docker ps`. */
async function startupBurst() {
	let done = false;
	const started = performance.now();
	const probe = probeWhile(() => !done, via.raw);
	await Promise.all(Array.from({ length: N }, () => timed(process.execPath, ['-e', ''], process.env)));
	const ms = Math.round(performance.now() - started);
	done = true;
	const samples = (await probe).map(sample => Math.round(sample.ms));
	return { ms, probeMs: samples, load: load() };
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

const loadAtStart = load();
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

const loopLoad = load();
const tagMs = await loops((name, i) => ['tag', IMAGE, `safe-docker-bench/${name}:${i}`]);
const runMs = await loops(() => runArgs);
const sequential = Object.fromEntries(Object.keys(tagMs).map(name => [name, { tagMs: tagMs[name], runMs: runMs[name] }]));
for (const name of Object.keys(tagMs)) {
	spawnSync('docker', ['rmi', ...Array.from({ length: LOOP }, (_, i) => `safe-docker-bench/${name}:${i}`)], { stdio: 'ignore' });
}

const burst = await startupBurst();
await sleep(3000);
const storms = {};
for (const name of ['raw', 'fixed', 'adaptive']) {
	storms[name] = await storm(name);
	await sleep(3000); // let the engine settle between storms
}
const frontier = [];
for (const limit of FRONTIER) {
	frontier.push(await storm(`fixed ${limit} / 0 ms`));
	await sleep(3000);
}
const learned = spawnSync(process.execPath, [bin, 'guard', 'stats', '--json'], { env: modes.adaptive, encoding: 'utf8' });
const adaptiveState = JSON.parse(learned.stdout || '{}').adaptive?.mutate ?? null;
// How the adaptive limit moved, from its broker's log.
const adaptiveTrace = readFileSync(join(modes.adaptive.SAFE_DOCKER_HOME, 'broker.log'), 'utf8')
	.split('\n')
	.filter(line => line.includes('mutate limit'))
	.map(line => line.replace(/^\S+ broker \d+: mutate limit /, ''));
for (const { env } of Object.values(via).slice(1)) spawnSync(process.execPath, [bin, 'guard', 'broker', 'stop'], { env, stdio: 'ignore' });
for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });

const floors = {
	stormMakespan: storms.adaptive.makespanMs <= 1.3 * storms.raw.makespanMs,
	stormRawProbe: storms.adaptive.rawProbe.p95 <= 3 * idleProbe.p95,
	tagLoop: sequential.adaptive.tagMs <= sequential.raw.tagMs + 1.2 * overheadMs * LOOP,
};
// Not the floor, which counts the start-up burst: the same bound on what the limit controls.
const afterStartup = {
	rawProbeWithin3xIdle: storms.adaptive.rawProbe.afterStartup.p95 <= 3 * idleProbe.p95,
	beatsFixed: storms.adaptive.rawProbe.afterStartup.p95 <= storms.fixed.rawProbe.afterStartup.p95,
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
	loadAtStart,
	idleProbe,
	overheadMs,
	loopLoad,
	sequential,
	startupBurst: burst,
	storms,
	frontier,
	adaptiveState,
	adaptiveTrace,
	floors,
	afterStartup,
	goals,
	beatsFixed,
};
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'adaptive.json'), `${JSON.stringify(results, null, 2)}\n`);
const yes = value => (value ? 'yes' : 'NO');
const row = name => {
	const s = storms[name];
	return `| ${name} | ${s.makespanMs} (first ends at ${s.firstEndMs}) | ${s.rawProbe.p50} / ${s.rawProbe.p95} | ${s.rawProbe.afterStartup.p95} (of ${s.rawProbe.afterStartup.samples}) | ${s.safeProbe.p50} / ${s.safeProbe.p95} | ${sequential[name].tagMs} | ${sequential[name].runMs} | ${s.failed} | ${s.load.before} → ${s.load.after} |`;
};
const markdown = [
	`# Fixed against adaptive limits (${results.date})`,
	'',
	`${results.machine}; ${N} × \`docker run --rm ${IMAGE} true\` at once; \`docker ps\` probed every 0.3 s raw and through safe-docker; ${LOOP} sequential \`tag\` and \`run --rm … true\`. Idle \`docker ps\`: p50 ${idleProbe.p50} ms, p95 ${idleProbe.p95} ms (load ${loadAtStart}). Start-up overhead of one call through safe-docker: ${overheadMs} ms. Load average (1 min) at the loops: ${loopLoad}.`,
	'',
	`Start-up burst, no docker work: ${N} × \`node -e ''\` at once take ${burst.ms} ms; raw \`ps\` probes during it: ${burst.probeMs.join(', ')} ms (load ${burst.load}).`,
	'',
	'| | storm makespan ms | raw ps p50 / p95 ms | raw ps p95 after the first call ended | safe-docker ps p50 / p95 ms | 20 × tag ms | 20 × run --rm ms | failed | load before → after |',
	'|---|---|---|---|---|---|---|---|---|',
	row('raw'),
	row('fixed'),
	row('adaptive'),
	'',
	...(frontier.length === 0
		? []
		: [
				'Fixed limits without spacing, right after (what a limit buys in makespan and costs in `ps` p95 here, now):',
				'',
				'| | storm makespan ms | raw ps p50 / p95 ms | raw ps p95 after the first call ended | load before → after |',
				'|---|---|---|---|---|',
				...frontier.map(
					s =>
						`| ${s.name} | ${s.makespanMs} (first ends at ${s.firstEndMs}) | ${s.rawProbe.p50} / ${s.rawProbe.p95} | ${s.rawProbe.afterStartup.p95} (of ${s.rawProbe.afterStartup.samples}) | ${s.load.before} → ${s.load.after} |`,
				),
				'',
			]),
	`Adaptive after the storm: limit ${adaptiveState?.limit ?? '?'} — ${adaptiveState?.reason ?? '?'}. How it moved (all runs):`,
	'',
	...adaptiveTrace.map(line => `- ${line}`),
	'',
	`Floors: storm makespan ≤ 1.3 × raw: ${yes(floors.stormMakespan)}; raw ps p95 ≤ 3 × idle: ${yes(floors.stormRawProbe)}; tag loop ≤ raw + 1.2 × overhead per call: ${yes(floors.tagLoop)}.`,
	`After the start-up burst (the first call ended): adaptive raw ps p95 ≤ 3 × idle: ${yes(afterStartup.rawProbeWithin3xIdle)}; ≤ fixed's: ${yes(afterStartup.beatsFixed)}.`,
	`Goals: makespan ≤ raw: ${yes(goals.stormMakespan)}; raw ps p95 ≤ 2 × idle: ${yes(goals.stormRawProbe)}.`,
	`Adaptive beats fixed: storm makespan ${yes(beatsFixed.stormMakespan)}, probe p95 ${yes(beatsFixed.probeP95)}, sequential loops ${yes(beatsFixed.sequentialLoop)}.`,
	'',
].join('\n');
writeFileSync(join(root, 'bench', 'results', 'adaptive.md'), markdown);
process.stdout.write(markdown);
