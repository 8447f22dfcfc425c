import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/defaults.js';
import type { PingResult } from '../../src/docker/ping.js';
import { laneOf } from '../../src/docker-grammar/lanes.js';
import { parseDockerArgv } from '../../src/docker-grammar/parse.js';
import { daemonCheckStep } from '../../src/pipeline/daemon-check-step.js';
import type { Call, Outcome } from '../../src/pipeline/types.js';

const OK: PingResult = { ok: true, latencyMs: 1, apiVersion: '1.41' };
const REFUSED: PingResult = { ok: false, reason: 'unreachable', detail: 'unix:///x.sock: ECONNREFUSED' };
const MISSING: PingResult = { ok: false, reason: 'missing', detail: 'unix:///nope.sock: ENOENT' };

function call(argv: string[]): Call {
	const parsed = parseDockerArgv(argv);
	return { argv, parsed, lane: laneOf(parsed), hold: 'call', docker: '/usr/bin/docker', config: DEFAULTS, env: {} };
}

/** Runs the step with pings answered in turn from `pings` (the last repeats) and docker exiting with `exits` in turn. */
async function run(argv: string[], pings: PingResult[], exits: number[]) {
	const lines: string[] = [];
	const slept: number[] = [];
	let runs = 0;
	let pinged = 0;
	const step = daemonCheckStep({
		stderr: { write: (text: string) => lines.push(text) > 0 },
		ping: async () => pings[Math.min(pinged++, pings.length - 1)]!,
		sleep: async ms => slept.push(ms),
	});
	const outcome = await step.handle(call(argv), async (): Promise<Outcome> => {
		const exitCode = exits[Math.min(runs++, exits.length - 1)]!;
		return { exitCode, signal: null, durationMs: 1, waitedMs: 0, lane: 'read', retried: 0 };
	});
	return { outcome, lines, slept, runs };
}

describe('the daemon check', () => {
	it('a socket that does not exist is not waited for: docker runs once, its error is the only one, a daemon failure', async () => {
		const { outcome, lines, slept, runs } = await run(['ps'], [MISSING], [1]);
		expect(runs).toBe(1);
		expect(slept).toEqual([]);
		expect(lines).toEqual([]);
		expect(outcome).toEqual(expect.objectContaining({ exitCode: 1, kind: 'daemon', retried: 0 }));
	});

	it('a socket that refuses is waited for with backoff before docker runs; docker runs once, on the last attempt', async () => {
		const { outcome, lines, slept, runs } = await run(['ps'], [REFUSED], [1]);
		expect(slept).toEqual([1000, 2000, 4000]);
		expect(lines).toHaveLength(3);
		expect(lines[0]).toBe('safe-docker: the Docker daemon failed (unix:///x.sock: ECONNREFUSED); retrying `docker ps` in 1 s (1/3)\n');
		expect(runs).toBe(1);
		expect(outcome).toEqual(expect.objectContaining({ exitCode: 1, kind: 'daemon', retried: 3 }));
	});

	it('the daemon back during the backoff: the call runs once and succeeds', async () => {
		const { outcome, slept, runs } = await run(['run', '-d', 'img'], [REFUSED, OK], [0]);
		expect(slept).toEqual([1000]);
		expect(runs).toBe(1);
		expect(outcome).toEqual(expect.objectContaining({ exitCode: 0, kind: 'ok', retried: 1 }));
	});

	it('a read call whose daemon went away while it ran is run again; a mutating one is not', async () => {
		const read = await run(['ps'], [OK, REFUSED, OK], [1, 0]);
		expect(read.runs).toBe(2);
		expect(read.outcome).toEqual(expect.objectContaining({ exitCode: 0, retried: 1 }));
		const mutating = await run(['run', '-d', 'img'], [OK, REFUSED], [1]);
		expect(mutating.runs).toBe(1);
		expect(mutating.outcome).toEqual(expect.objectContaining({ exitCode: 1, kind: 'daemon', retried: 0 }));
	});

	it('a failure the daemon answered is not a daemon failure and is not retried', async () => {
		const { outcome, runs } = await run(['inspect', 'nope'], [OK], [1]);
		expect(runs).toBe(1);
		expect(outcome).toEqual(expect.objectContaining({ exitCode: 1, kind: 'failed' }));
	});
});
