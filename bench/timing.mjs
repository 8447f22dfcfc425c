// Helpers shared by the benchmarks that spawn real processes.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The q-quantile of `values`, rounded to a millisecond (0 when empty). */
export const percentile = (values, q) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted.length === 0 ? 0 : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
};

/** Runs a command to its end: its wall time in ms and exit code. */
export const timed = (command, args, env) =>
	new Promise(resolve => {
		const start = performance.now();
		spawn(command, args, { env, stdio: 'ignore' }).on('exit', code => resolve({ ms: performance.now() - start, code }));
	});

/** Milliseconds one synchronous run of `command args` takes, with `input` on stdin when given. */
export function timeOnce([command, args, input], env) {
	const start = process.hrtime.bigint();
	const result = spawnSync(command, args, { env, input, stdio: [input === undefined ? 'ignore' : 'pipe', 'ignore', 'ignore'] });
	const ms = Number(process.hrtime.bigint() - start) / 1e6;
	if (result.error) throw result.error;
	return ms;
}

export const median = values => {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = sorted.length >> 1;
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export const round1 = value => Math.round(value * 10) / 10;

/**
 * The `run` calls a shell fake docker (test/fixtures/bin-sh/docker) logged: start and end in ms, by start; and the
 * most that ran at once.
 */
export function loggedRuns(log) {
	const lines = readFileSync(log, 'utf8')
		.trim()
		.split('\n')
		.map(line => line.split(' '));
	const ends = new Map(lines.filter(([kind]) => kind === 'end').map(([, ns, pid]) => [pid, Number(BigInt(ns) / 1000n) / 1000]));
	const runs = lines
		.filter(([kind, , , ...args]) => kind === 'start' && args[0] === 'run')
		.map(([, ns, pid]) => ({ start: Number(BigInt(ns) / 1000n) / 1000, end: ends.get(pid) }))
		.sort((a, b) => a.start - b.start);
	const maxConcurrent = Math.max(...runs.map(run => runs.filter(other => other.start <= run.start && other.end > run.start).length));
	return { runs, maxConcurrent };
}
