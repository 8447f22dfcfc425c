// Helpers shared by the benchmarks that spawn real processes.
import { spawn } from 'node:child_process';

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
