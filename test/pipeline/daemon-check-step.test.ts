import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../src/docker/endpoint.js';
import type { PingResult } from '../../src/docker/ping.js';
import { daemonCheckStep } from '../../src/pipeline/daemon-check-step.js';
import { captureStream, fakeNext, makeCall } from '../fixtures/pipeline.js';

const UP: PingResult = { ok: true, latencyMs: 1, apiVersion: '1.41' };
const DOWN: PingResult = { ok: false, reason: 'unreachable', detail: 'connect ECONNREFUSED /run/d.sock' };
const WEDGED: PingResult = { ok: false, reason: 'timeout', detail: 'no answer within 3000 ms' };
const UNKNOWN: PingResult = { ok: false, reason: 'unknown', detail: 'cannot ping' };
const MISSING: PingResult = { ok: false, reason: 'missing', detail: 'unix:///nope.sock: ENOENT' };
const ENV = { DOCKER_HOST: 'unix:///run/d.sock' };

/** A daemon check with a scripted ping (the last answer repeats) and a sleep that only records. */
function setup(...answers: PingResult[]) {
	const stderr = captureStream();
	const pings: Array<{ url: string; timeoutMs: number }> = [];
	const sleeps: number[] = [];
	const step = daemonCheckStep({
		stderr,
		ping: async (endpoint: Endpoint, timeoutMs: number) => {
			pings.push({ url: endpoint.url, timeoutMs });
			return answers[Math.min(pings.length, answers.length) - 1] ?? UP;
		},
		sleep: async ms => {
			sleeps.push(ms);
		},
	});
	return { step, stderr, pings, sleeps };
}

const read = () => makeCall(['ps'], { env: ENV });
const mutate = () => makeCall(['run', '-d', 'busybox'], { env: ENV });

describe('daemonCheckStep', () => {
	it('exit 0 is ok, after one ping before docker runs', async () => {
		const { step, pings } = setup();
		const { next, calls } = fakeNext({ exitCode: 0 });
		expect(await step.handle(read(), next)).toMatchObject({ exitCode: 0, kind: 'ok', retried: 0 });
		expect(calls).toHaveLength(1);
		expect(pings).toHaveLength(1);
	});

	it.each([
		['a signal', { exitCode: 143, signal: 'SIGTERM' as const }],
		['an exit code over 128', { exitCode: 130, signal: null }],
	])('a call ended by %s failed, and the daemon is not asked afterwards', async (_, exit) => {
		const { step, pings } = setup(UP, DOWN);
		expect(await step.handle(read(), fakeNext(exit).next)).toMatchObject({ ...exit, kind: 'failed', retried: 0 });
		expect(pings).toHaveLength(1);
	});

	it.each([
		['answers', UP],
		['cannot be pinged', UNKNOWN],
	])('a failure while the daemon %s is the call’s own: failed, no retry', async (_, answer) => {
		const { step, pings, sleeps } = setup(answer);
		const { next, calls } = fakeNext({ exitCode: 1 });
		expect(await step.handle(read(), next)).toMatchObject({ exitCode: 1, kind: 'failed', retried: 0 });
		expect(calls).toHaveLength(1);
		expect(pings.at(-1)).toEqual({ url: 'unix:///run/d.sock', timeoutMs: 3000 });
		expect(sleeps).toEqual([]);
	});

	it('holds a read call back while the daemon is down, 1 s → 2 s → 4 s, runs docker once (its error prints once), then reports a daemon failure', async () => {
		const { step, sleeps, stderr } = setup(DOWN);
		const { next, calls } = fakeNext({ exitCode: 1 });
		expect(await step.handle(read(), next)).toMatchObject({
			exitCode: 1,
			kind: 'daemon',
			detail: 'connect ECONNREFUSED /run/d.sock',
			retried: 3,
		});
		expect(calls).toHaveLength(1);
		expect(sleeps).toEqual([1000, 2000, 4000]);
		expect(stderr.text.split('\n').slice(0, 3)).toEqual(
			[1, 2, 4].map(
				(seconds, i) =>
					`safe-docker: the Docker daemon failed (connect ECONNREFUSED /run/d.sock); retrying \`docker ps\` in ${seconds} s (${i + 1}/3)`,
			),
		);
	});

	it('a read call whose daemon stopped answering while it ran is run again; ok, with the retries counted', async () => {
		const { step, sleeps } = setup(UP, WEDGED, UP);
		const { next, calls } = fakeNext({ exitCode: 1 }, { exitCode: 0 });
		expect(await step.handle(read(), next)).toMatchObject({ exitCode: 0, kind: 'ok', retried: 1 });
		expect(calls).toHaveLength(2);
		expect(sleeps).toEqual([1000]);
	});

	it('follows retry.retries and retry.initialDelayMs', async () => {
		const { step, sleeps } = setup(DOWN);
		const call = makeCall(['ps'], {
			env: ENV,
			configure: config => {
				config.retry.retries = 2;
				config.retry.initialDelayMs = 10;
			},
		});
		expect(await step.handle(call, fakeNext({ exitCode: 1 }).next)).toMatchObject({ kind: 'daemon', retried: 2 });
		expect(sleeps).toEqual([10, 20]);
	});

	it('holds a mutating call back while the daemon is unreachable, then runs it once', async () => {
		const { step, sleeps, pings } = setup(DOWN, DOWN, UP);
		const { next, calls } = fakeNext({ exitCode: 0 });
		expect(await step.handle(mutate(), next)).toMatchObject({ kind: 'ok', retried: 2 });
		expect(calls).toHaveLength(1);
		expect(sleeps).toEqual([1000, 2000]);
		expect(pings).toHaveLength(3);
	});

	it('never retries a mutating call after it ran, even with the daemon down', async () => {
		const { step, sleeps, pings } = setup(UP, DOWN);
		const { next, calls } = fakeNext({ exitCode: 1 });
		expect(await step.handle(mutate(), next)).toMatchObject({
			exitCode: 1,
			kind: 'daemon',
			detail: 'connect ECONNREFUSED /run/d.sock',
			retried: 0,
		});
		expect(calls).toHaveLength(1);
		expect(sleeps).toEqual([]);
		expect(pings).toHaveLength(2);
	});

	it('holds a mutating call back while the daemon is wedged too (docker has not run: it cannot have reached it)', async () => {
		const { step, sleeps } = setup(WEDGED, UP);
		const { next, calls } = fakeNext({ exitCode: 0 });
		expect(await step.handle(mutate(), next)).toMatchObject({ kind: 'ok', retried: 1 });
		expect(calls).toHaveLength(1);
		expect(sleeps).toEqual([1000]);
	});

	it.each([
		['read', read],
		['mutating', mutate],
	])('a %s call to a socket path that does not exist is not waited for: docker runs once, a daemon failure', async (_, call) => {
		const { step, sleeps, stderr } = setup(MISSING);
		const { next, calls } = fakeNext({ exitCode: 1 });
		expect(await step.handle(call(), next)).toMatchObject({ exitCode: 1, kind: 'daemon', retried: 0 });
		expect(calls).toHaveLength(1);
		expect(sleeps).toEqual([]);
		expect(stderr.text).toBe('');
	});

	it('holds back a mutating call while the daemon answers nothing, and never runs it on a wedged daemon (docker would hang)', async () => {
		const { step, sleeps } = setup(WEDGED);
		const { next, calls } = fakeNext({ exitCode: 1 });
		const stalls: string[] = [];
		const call = { ...mutate(), reportStall: (detail: string) => void stalls.push(detail) };
		expect(await step.handle(call, next)).toMatchObject({ exitCode: 124, kind: 'daemon', detail: 'no answer within 3000 ms', retried: 3 });
		expect(calls).toHaveLength(0);
		expect(sleeps).toEqual([1000, 2000, 4000]);
		expect(stalls).toEqual(['no answer within 3000 ms']);
	});

	it('returns what the daemon watch decided without retrying or pinging again', async () => {
		const { step, pings } = setup(UP, WEDGED);
		const { next, calls } = fakeNext({ exitCode: 124, kind: 'daemon', detail: 'no answer for 30 s' });
		expect(await step.handle(makeCall(['ps']), next)).toMatchObject({ exitCode: 124, kind: 'daemon', retried: 0 });
		expect(calls).toHaveLength(1);
		expect(pings).toHaveLength(1); // the one before docker ran
	});

	it('runs a mutating call after the last hold-back even if the daemon stays unreachable', async () => {
		const { step, sleeps, pings } = setup(DOWN);
		const { next, calls } = fakeNext({ exitCode: 1 });
		expect(await step.handle(mutate(), next)).toMatchObject({ kind: 'daemon', retried: 3 });
		expect(calls).toHaveLength(1);
		expect(sleeps).toEqual([1000, 2000, 4000]);
		expect(pings).toHaveLength(5); // four before (the last one decides), one after
	});
});
