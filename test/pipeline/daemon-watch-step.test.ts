import { describe, expect, it } from 'vitest';
import type { PingResult } from '../../src/docker/ping.js';
import { daemonWatchStep } from '../../src/pipeline/daemon-watch-step.js';
import type { Call, Outcome } from '../../src/pipeline/types.js';
import { FakeClock } from '../fixtures/fake-clock.js';
import { captureStream, makeCall } from '../fixtures/pipeline.js';

const ENV = { DOCKER_HOST: 'unix:///run/test.sock' };
const UP: PingResult = { ok: true, latencyMs: 1, apiVersion: '1.41' };
const WEDGED: PingResult = { ok: false, reason: 'timeout', detail: 'no answer within 1000 ms' };

/** The watch with a fake clock and a daemon whose answer the test sets; `run` is docker, ended by the test or by the watch. */
function setup(argv: string[]) {
	const clock = new FakeClock();
	const stderr = captureStream();
	let answer = UP;
	let pings = 0;
	const step = daemonWatchStep({
		stderr,
		clock,
		ping: async () => {
			pings++;
			return answer;
		},
	});
	const stalls: string[] = [];
	let finish: (outcome: Partial<Outcome>) => void = () => undefined;
	let signal: AbortSignal | undefined;
	const call: Call = {
		...makeCall(argv, {
			env: ENV,
			configure: config => {
				config.daemon.stallMs = 3000;
				config.daemon.readDeadlineMs = 6000;
			},
		}),
		reportStall: detail => void stalls.push(detail),
	};
	const outcome = step.handle(call, async passed => {
		signal = passed.signal;
		const ended = await new Promise<Partial<Outcome>>(resolve => {
			finish = resolve;
			passed.signal?.addEventListener('abort', () => resolve({ exitCode: 143, signal: 'SIGTERM' }));
		});
		return { exitCode: 0, signal: null, durationMs: 1, waitedMs: 0, lane: passed.lane, retried: 0, ...ended };
	});
	/** Moves the clock on in steps, letting each ping's answer arrive. */
	const advance = async (ms: number) => {
		for (let moved = 0; moved < ms; moved += 100) {
			clock.advance(100);
			for (let i = 0; i < 5; i++) await Promise.resolve();
		}
	};
	return {
		clock,
		stderr,
		stalls,
		outcome,
		advance,
		finish: (result: Partial<Outcome> = {}) => finish(result),
		wedge: () => {
			answer = WEDGED;
		},
		recover: () => {
			answer = UP;
		},
		pings: () => pings,
		aborted: () => signal?.aborted === true,
	};
}

describe('daemonWatchStep', () => {
	it('costs a quick call nothing: no ping, no timer left behind', async () => {
		const watch = setup(['ps']);
		await watch.advance(500);
		watch.finish();
		expect(await watch.outcome).toMatchObject({ exitCode: 0 });
		expect(watch.pings()).toBe(0);
		expect(watch.clock.pending).toBe(0);
	});

	it('ends a read call on a daemon that answers no ping for daemon.readDeadlineMs (exit 124), telling everyone at the stall bound', async () => {
		const watch = setup(['ps']);
		watch.wedge();
		await watch.advance(2900);
		expect(watch.stalls).toEqual([]);
		await watch.advance(200);
		expect(watch.stalls).toEqual(['no answer from unix:///run/test.sock for 3 s']);
		expect(watch.stderr.text).toMatch(
			/^safe-docker: the Docker daemon is not answering \(.*\); `docker ps` ends at 6 s without an answer\n$/,
		);
		expect(watch.aborted()).toBe(false);
		await watch.advance(3000);
		expect(watch.aborted()).toBe(true);
		expect(await watch.outcome).toMatchObject({ exitCode: 124, kind: 'daemon', detail: 'no answer from unix:///run/test.sock for 6 s' });
		expect(watch.stderr.text.trim().split('\n')).toHaveLength(2);
		expect(watch.clock.pending).toBe(0);
	});

	it('never kills a mutating call: says once that the daemon is not answering, and the call ends as docker ends it', async () => {
		const watch = setup(['run', '-d', 'busybox']);
		watch.wedge();
		await watch.advance(60_000);
		expect(watch.aborted()).toBe(false);
		expect(watch.stalls).toHaveLength(1);
		expect(watch.stderr.text).toMatch(/`docker run -d busybox` keeps running: a mutate call is never killed\n$/);
		watch.finish({ exitCode: 0 });
		expect(await watch.outcome).toMatchObject({ exitCode: 0 });
		expect(watch.clock.pending).toBe(0);
	});

	it('a daemon that answers again starts the silence afresh', async () => {
		const watch = setup(['ps']);
		// Pings every second: silent at 1 and 2 s, answered at 3 s, silent again from 4 s — never 3 s in a row until 6 s.
		watch.wedge();
		await watch.advance(2500);
		watch.recover();
		await watch.advance(1200);
		watch.wedge();
		await watch.advance(2200);
		expect(watch.stalls).toEqual([]);
		await watch.advance(200);
		expect(watch.stalls).toHaveLength(1);
		watch.finish();
		expect(await watch.outcome).toMatchObject({ exitCode: 0 });
	});
});
