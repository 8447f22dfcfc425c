// Scheduling precision of the cross-process limiter: 100 concurrent `safe-docker run -d` calls against a
// fake docker (a shell script that logs its start and end), with the seed limits (3 at once, 500 ms apart).
// Reports makespan ÷ ideal ((N-1) × minTime), the most calls seen running at once, and FIFO order.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loggedRuns } from './timing.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const N = Number(process.env.BENCH_CALLS ?? 100);
const minTimeMs = 500;
const dir = mkdtempSync(join(tmpdir(), 'safe-docker-bench-'));
const log = join(dir, 'docker.log');
const env = {
	...process.env,
	SAFE_DOCKER_HOME: join(dir, 'state'),
	SAFE_DOCKER_DOCKER: join(root, 'test', 'fixtures', 'bin-sh', 'docker'),
	SAFE_DOCKER_BROKER_TRACE: '1',
	SAFE_DOCKER_BROKER_IDLE_TIMEOUT_MS: '5000',
	FAKE_DOCKER_LOG: log,
	// Long enough that 3 run at once (3 × 500 ms < 1.4 s), short enough that minTime sets the pace.
	FAKE_DOCKER_SLEEP: process.env.BENCH_DOCKER_SECONDS ?? '1.4',
};

const run = args =>
	new Promise(resolve =>
		spawn(process.execPath, [join(root, 'bin', 'safe-docker.js'), ...args], { env, stdio: 'ignore' }).on('exit', resolve),
	);
await run(['version']); // start the broker first: its start-up is not scheduling
const codes = await Promise.all(Array.from({ length: N }, (_, i) => run(['run', '-d', `bench-${String(i).padStart(3, '0')}`])));

const { runs, maxConcurrent } = loggedRuns(log);
const makespan = runs.at(-1).start - runs[0].start;
const ideal = (N - 1) * minTimeMs;
const trace = readFileSync(join(dir, 'state', 'broker.log'), 'utf8').split('\n');
const order = what =>
	trace.filter(line => line.includes(`${what} mutate docker run -d`)).map(line => line.slice(line.lastIndexOf(' ') + 1));
const queued = order('queued');
const granted = order('granted');
const fifoViolations = granted.filter((label, i) => label !== queued[i]).length;
const gaps = runs.slice(1).map((run, i) => run.start - runs[i].start);

const result = {
	date: new Date().toISOString(),
	calls: N,
	failed: codes.filter(code => code !== 0).length,
	minTimeMs,
	dockerSeconds: Number(env.FAKE_DOCKER_SLEEP),
	makespanMs: Math.round(makespan),
	idealMs: ideal,
	ratio: Math.round((makespan / ideal) * 1000) / 1000,
	maxConcurrent,
	startGapMs: { min: Math.round(Math.min(...gaps)), median: Math.round([...gaps].sort((a, b) => a - b)[gaps.length >> 1]) },
	fifoViolations,
	floors: { ratio: 1.05, maxConcurrent: 3 },
};
result.pass = result.failed === 0 && result.ratio <= 1.05 && result.maxConcurrent === 3 && fifoViolations === 0;
rmSync(dir, { recursive: true, force: true });
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'scheduling.json'), `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(
	`scheduling: ${N} calls, makespan ${result.makespanMs} ms vs ideal ${ideal} ms (ratio ${result.ratio}, floor ≤ 1.05), max ${maxConcurrent} at once (floor: exactly 3), start gaps min ${result.startGapMs.min} ms / median ${result.startGapMs.median} ms at docker's own start, ${fifoViolations} FIFO violations: ${result.pass ? 'PASS' : 'FAIL'}\n`,
);
