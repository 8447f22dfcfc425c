// Helpers shared by the benchmarks that spawn real processes.
import { spawn, spawnSync } from 'node:child_process';

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
