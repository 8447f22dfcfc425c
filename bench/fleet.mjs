// Fleet mode (Redis on localhost), side by side with local mode in one run:
// 1. per-call cost: sequential `safe-docker run -d` against a fake docker (a shell script), local vs fleet,
//    interleaved call by call, beside a bare `node` start;
// 2. scheduling precision: 3 hosts (separate state dirs and brokers) × 20 concurrent calls with the seed limits
//    (3 at once, 500 ms apart, fleet-wide): makespan ÷ ideal ((N-1) × minTime), the most at once, FIFO across hosts.
// Needs redis-server (Debian's package). Writes bench/results/fleet.json and fleet.md.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loggedRuns, median, timed } from './timing.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(root, 'bin', 'safe-docker.js');
const SH_DOCKER = join(root, 'test', 'fixtures', 'bin-sh', 'docker');
const SEQUENTIAL = Number(process.env.BENCH_CALLS ?? 30);
const PER_HOST = Number(process.env.BENCH_PER_HOST ?? 20);
const HOSTS = 3;
const minTimeMs = 500;
const dir = mkdtempSync(join(tmpdir(), 'safe-docker-bench-fleet-'));

const port = await new Promise(resolve => {
	const probe = createServer().listen(0, '127.0.0.1', () => {
		const { port } = probe.address();
		probe.close(() => resolve(port));
	});
});
const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
	stdio: 'ignore',
});
for (let i = 0; ; i++) {
	try {
		if (
			execFileSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() === 'PONG'
		)
			break;
	} catch {
		if (i > 100) throw new Error('redis-server did not start');
	}
	await new Promise(resolve => setTimeout(resolve, 50));
}
const url = `redis://127.0.0.1:${port}`;

const envOf = (name, extra = {}) => ({
	...process.env,
	SAFE_DOCKER_HOME: join(dir, name),
	SAFE_DOCKER_DOCKER: SH_DOCKER,
	SAFE_DOCKER_BROKER_IDLE_TIMEOUT_MS: '10000',
	FAKE_DOCKER_LOG: join(dir, `${name}.log`),
	...extra,
});
const run = (args, env) => timed(process.execPath, args[0] === 'node' ? ['-e', '0'] : [BIN, ...args], env);

// 1. Per-call cost. Spacing 0: a sequential caller is not what is measured here.
const local = envOf('local', { SAFE_DOCKER_LANES_MUTATE_MIN_TIME_MS: '0' });
const fleet = envOf('fleet', {
	SAFE_DOCKER_LANES_MUTATE_MIN_TIME_MS: '0',
	SAFE_DOCKER_FLEET_REDIS: url,
	SAFE_DOCKER_FLEET_PREFIX: 'bench1',
});
await run(['run', '-d', 'warm'], local); // brokers started outside the measurement
await run(['run', '-d', 'warm'], fleet);
const times = { node: [], local: [], fleet: [] };
for (let i = 0; i < SEQUENTIAL; i++) {
	times.node.push((await run(['node'], process.env)).ms);
	times.local.push((await run(['run', '-d', `l${i}`], local)).ms);
	times.fleet.push((await run(['run', '-d', `f${i}`], fleet)).ms);
}
const perCall = Object.fromEntries(Object.entries(times).map(([name, list]) => [name, Math.round(median(list) * 10) / 10]));

// 2. Three hosts × PER_HOST calls, all at once, seed limits shared by the fleet.
const log = join(dir, 'hosts.log');
const hosts = Array.from({ length: HOSTS }, (_, i) =>
	envOf(`host${i}`, {
		SAFE_DOCKER_FLEET_REDIS: url,
		SAFE_DOCKER_FLEET_PREFIX: 'bench2',
		SAFE_DOCKER_BROKER_TRACE: '1',
		FAKE_DOCKER_LOG: log,
		FAKE_DOCKER_SLEEP: '1.4',
	}),
);
await Promise.all(hosts.map(env => run(['version'], env))); // start the brokers first: their start-up is not scheduling
rmSync(log, { force: true });
const codes = await Promise.all(
	Array.from({ length: HOSTS * PER_HOST }, (_, i) => run(['run', '-d', `bench-${String(i).padStart(3, '0')}`], hosts[i % HOSTS])),
);
const { runs, maxConcurrent } = loggedRuns(log);
const calls = HOSTS * PER_HOST;
const makespan = runs.at(-1).start - runs[0].start;
const ideal = (calls - 1) * minTimeMs;
// Redis's clock, as each broker traced it: arrival (the score a ticket got when it joined the fleet's queue, µs) and
// grant (the TIME of its permit, ms). Spacing is kept on that clock, not on the brokers'.
const fleetTrace = (what, parse) =>
	hosts
		.flatMap(env =>
			readFileSync(join(env.SAFE_DOCKER_HOME, 'broker.log'), 'utf8')
				.split('\n')
				.filter(line => line.includes(` fleet ${what} `) && line.includes('mutate docker run -d'))
				.map(line => ({ value: parse(line.split(` fleet ${what} `)[1].split(' ')[0]), label: line.slice(line.lastIndexOf(' ') + 1) })),
		)
		.sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
const queued = fleetTrace('arrival', BigInt).map(entry => entry.label);
const granted = fleetTrace('grant', Number);
const fifoViolations = granted.filter((entry, i) => entry.label !== queued[i]).length;
const grantGaps = granted.slice(1).map((entry, i) => entry.value - granted[i].value);

const result = {
	date: new Date().toISOString(),
	loadAverage: loadavg().map(load => Math.round(load * 100) / 100),
	perCallMs: { sequentialCalls: SEQUENTIAL, medianBareNode: perCall.node, medianLocal: perCall.local, medianFleet: perCall.fleet },
	fleetCostMs: Math.round((perCall.fleet - perCall.local) * 10) / 10,
	fleetOverLocal: Math.round((perCall.fleet / perCall.local) * 1000) / 1000,
	scheduling: {
		hosts: HOSTS,
		calls,
		failed: codes.filter(({ code }) => code !== 0).length,
		minTimeMs,
		makespanMs: Math.round(makespan),
		idealMs: ideal,
		ratio: Math.round((makespan / ideal) * 1000) / 1000,
		maxConcurrent,
		grantGapMs: { min: Math.min(...grantGaps), median: median(grantGaps) },
		fifoViolations,
	},
};
redis.kill('SIGTERM');
for (const env of [local, fleet, ...hosts]) spawn(process.execPath, [BIN, 'guard', 'broker', 'stop'], { env, stdio: 'ignore' });
await new Promise(resolve => setTimeout(resolve, 500));
rmSync(dir, { recursive: true, force: true });
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'fleet.json'), `${JSON.stringify(result, null, 2)}\n`);
const s = result.scheduling;
const summary = [
	`# Fleet mode benchmark (${result.date}, load average ${result.loadAverage.join(' / ')})`,
	'',
	`Per call, ${SEQUENTIAL} sequential \`run -d\` against a shell fake docker, interleaved (medians):`,
	'',
	'| bare `node -e 0` | local mode | fleet mode (Redis on localhost) | fleet − local | fleet ÷ local |',
	'|---|---|---|---|---|',
	`| ${perCall.node} ms | ${perCall.local} ms | ${perCall.fleet} ms | ${result.fleetCostMs} ms | ${result.fleetOverLocal} |`,
	'',
	`Scheduling: ${HOSTS} hosts × ${PER_HOST} calls at once, 3 at once and ${minTimeMs} ms apart fleet-wide: makespan ${s.makespanMs} ms vs ideal ${s.idealMs} ms (ratio ${s.ratio}), at most ${s.maxConcurrent} at once, grant gaps on Redis's clock min ${s.grantGapMs.min} / median ${s.grantGapMs.median} ms, ${s.fifoViolations} FIFO violations across hosts, ${s.failed} failed.`,
	'',
].join('\n');
writeFileSync(join(root, 'bench', 'results', 'fleet.md'), summary);
process.stdout.write(summary);
