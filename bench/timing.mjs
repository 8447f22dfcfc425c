// Shared by the start-up benchmarks: one timed run of a command, and the statistics of many.
import { spawnSync } from 'node:child_process';

/** Milliseconds one run of `command args` takes, with `input` on stdin when given. */
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
