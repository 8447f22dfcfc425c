import { afterEach, describe, expect, it, vi } from 'vitest';
import { readAudit } from '../../src/audit/audit-log.js';
import type { BreakerSnapshot } from '../../src/coordination/breaker.js';
import type { ReportedOutcome, SlotRequest } from '../../src/coordination/protocol.js';
import type { acquireSlot, QueuedInfo, Slot } from '../../src/coordination/slot.js';
import { BreakerOpen, BrokerUnavailable } from '../../src/errors.js';
import { limiterStep } from '../../src/pipeline/limiter-step.js';
import { tempDir } from '../fixtures/cli.js';
import { captureStream, fakeNext, type MutableConfig, makeCall } from '../fixtures/pipeline.js';

type Acquire = typeof acquireSlot;

/** A fake broker client: grants at once (or as `grant` says), keeping what it was asked and told. */
function fakeAcquire(grant: (onQueued: (info: QueuedInfo) => void) => Promise<unknown> = async () => undefined) {
	const requests: SlotRequest[] = [];
	const stateDirs: string[] = [];
	const released: ReportedOutcome[] = [];
	const acquire: Acquire = async (settings, request, onQueued) => {
		stateDirs.push(settings.stateDir);
		requests.push(request);
		await grant(onQueued);
		const slot: Slot = {
			waitedMs: 42,
			stall: () => undefined,
			release: async outcome => {
				released.push(outcome);
			},
		};
		return slot;
	};
	return { acquire, requests, released, stateDirs };
}

function setup(acquire: Acquire, showAfterMs?: number) {
	const stderr = captureStream();
	const stateDir = tempDir();
	const step = limiterStep({
		stateDir: () => stateDir,
		version: 'test',
		stderr,
		acquire,
		...(showAfterMs === undefined ? {} : { showAfterMs }),
	});
	return { step, stderr, stateDir };
}

afterEach(() => {
	vi.useRealTimers();
});

describe('limiterStep', () => {
	it('asks for a slot of the call’s lane and reports the outcome on release', async () => {
		const fake = fakeAcquire();
		const { step, stderr, stateDir } = setup(fake.acquire);
		const call = makeCall(['build', '-t', 'app', '.'], { env: { DOCKER_HOST: 'unix:///run/d.sock' } });
		const { next, calls } = fakeNext({ exitCode: 2, durationMs: 1234, kind: 'failed' });
		const outcome = await step.handle(call, next);
		expect(fake.stateDirs).toEqual([stateDir]);
		expect(fake.requests).toEqual([
			{
				lane: 'mutate',
				hold: 'call',
				label: 'docker build -t app .',
				command: 'image build',
				endpoint: { kind: 'unix', path: '/run/d.sock', url: 'unix:///run/d.sock' },
			},
		]);
		// The call goes on as it came, with a way to report a stalled daemon to the broker.
		expect(calls).toEqual([{ ...call, reportStall: expect.any(Function) }]);
		expect(outcome).toMatchObject({ exitCode: 2, waitedMs: 42, kind: 'failed' });
		expect(fake.released).toEqual([{ exitCode: 2, durationMs: 1234, waitedMs: 42, kind: 'failed' }]);
		expect(stderr.text).toBe('');
	});

	it('reports a daemon failure with its detail, and derives a missing kind from the exit code', async () => {
		const fake = fakeAcquire();
		const { step } = setup(fake.acquire);
		await step.handle(makeCall(['ps']), fakeNext({ exitCode: 1, kind: 'daemon', detail: 'connection refused' }).next);
		await step.handle(makeCall(['ps']), fakeNext({ exitCode: 0 }).next);
		await step.handle(makeCall(['ps']), fakeNext({ exitCode: 125 }).next);
		expect(fake.released.map(outcome => [outcome.kind, outcome.exitCode, outcome.detail])).toEqual([
			['daemon', 1, 'connection refused'],
			['ok', 0, undefined],
			['failed', 125, undefined],
		]);
	});

	it('releases the slot as a failure when the rest of the pipeline throws', async () => {
		const fake = fakeAcquire();
		const { step } = setup(fake.acquire);
		const failure = new Error('spawn failed');
		const { next } = fakeNext(async () => {
			throw failure;
		});
		await expect(step.handle(makeCall(['ps']), next)).rejects.toBe(failure);
		expect(fake.released).toEqual([{ exitCode: 1, durationMs: 0, waitedMs: 42, kind: 'failed' }]);
	});

	it('labels a long call shortened to 40 characters', async () => {
		const fake = fakeAcquire();
		const { step } = setup(fake.acquire);
		await step.handle(makeCall(['run', '--name', 'x'.repeat(80), 'busybox']), fakeNext().next);
		expect(fake.requests[0]!.label).toBe(`docker run --name ${'x'.repeat(21)}…`);
		expect(fake.requests[0]!.label).toHaveLength(40);
	});

	it('masks secrets in the label that other waiters (other CI jobs) see', async () => {
		const fake = fakeAcquire();
		const { step } = setup(fake.acquire);
		await step.handle(makeCall(['run', '-d', '-e', 'AWS_KEY=wJalrXUt', 'app']), fakeNext().next);
		expect(fake.requests[0]!.label).toBe('docker run -d -e AWS_KEY=*** app');
	});

	it('sets COMPOSE_PARALLEL_LIMIT for compose calls only, and only when unset', async () => {
		const fake = fakeAcquire();
		const { step } = setup(fake.acquire);
		const limit = (config: MutableConfig) => {
			config.lanes.mutate.maxConcurrent = 6;
		};
		const runs = [
			makeCall(['compose', 'up', '-d'], { env: { A: '1' }, configure: limit }),
			makeCall(['compose', 'up', '-d'], { env: { COMPOSE_PARALLEL_LIMIT: '2' }, configure: limit }),
			makeCall(['run', '-d', 'busybox'], { env: { A: '1' }, configure: limit }),
		];
		const { next, calls } = fakeNext();
		for (const call of runs) await step.handle(call, next);
		expect(calls.map(call => call.env)).toEqual([{ A: '1', COMPOSE_PARALLEL_LIMIT: '6' }, { COMPOSE_PARALLEL_LIMIT: '2' }, { A: '1' }]);
	});

	it('without a broker, says so in one line, counts the call in the audit log and runs it without limits', async () => {
		const { step, stderr, stateDir } = setup(async () => {
			throw new BrokerUnavailable('the broker exited at start (code 1)');
		});
		const call = makeCall(['ps']);
		const { next, calls } = fakeNext({ exitCode: 0 });
		expect((await step.handle(call, next)).exitCode).toBe(0);
		expect(calls).toEqual([call]);
		expect(stderr.text).toMatch(/^safe-docker: the broker exited at start \(code 1\); running without cross-process limits[^\n]*\n$/);
		expect(readAudit(stateDir)).toMatchObject([
			{ decision: 'unlimited', command: 'container ls', reason: 'the broker exited at start (code 1)', exitCode: null },
		]);
	});

	it('without a broker and broker.onUnavailable = fail, fails the call before it runs', async () => {
		const { step, stderr } = setup(async () => {
			throw new BrokerUnavailable('the broker exited at start (code 1)');
		});
		const call = makeCall(['ps'], {
			configure: config => {
				config.broker.onUnavailable = 'fail';
			},
		});
		const { next, calls } = fakeNext();
		const error = await step.handle(call, next).catch(caught => caught);
		expect(error).toBeInstanceOf(BrokerUnavailable);
		expect(error.exitCode).toBe(69);
		expect(calls).toEqual([]);
		expect(stderr.text).toBe('');
	});

	it('an open breaker fails the call before it runs', async () => {
		const breaker: BreakerSnapshot = {
			state: 'open',
			consecutiveFailures: 5,
			openedAt: 0,
			nextProbeAt: 30_000,
			lastFailure: 'connection refused',
			transitions: 1,
		};
		const { step } = setup(async () => {
			throw new BreakerOpen('unix:///var/run/docker.sock', breaker);
		});
		const { next, calls } = fakeNext();
		await expect(step.handle(makeCall(['ps']), next)).rejects.toBeInstanceOf(BreakerOpen);
		expect(calls).toEqual([]);
	});

	it('shows the waiting line only once the wait passes showAfterMs', async () => {
		vi.useFakeTimers();
		const grantAfter = (ms: number, mode: 'fixed' | 'adaptive' = 'fixed') =>
			fakeAcquire(async onQueued => {
				onQueued({
					type: 'queued',
					lane: 'mutate',
					limit: 4,
					mode,
					running: ['docker build .', 'docker pull a', 'docker pull b', 'docker rm c'],
					ahead: 1,
				});
				await new Promise(resolve => setTimeout(resolve, ms));
			});
		const slow = setup(grantAfter(500).acquire, 100);
		const handled = slow.step.handle(makeCall(['run', 'busybox']), fakeNext().next);
		await vi.advanceTimersByTimeAsync(99);
		expect(slow.stderr.text).toBe('');
		await vi.advanceTimersByTimeAsync(1);
		expect(slow.stderr.text).toBe(
			'safe-docker: waiting, 1 ahead; 4 of 4 mutate slots busy: docker build ., docker pull a, docker pull b, …\n',
		);
		await vi.advanceTimersByTimeAsync(400);
		await handled;

		// An adaptive lane says so, with the limit it learned.
		const adaptive = setup(grantAfter(500, 'adaptive').acquire, 100);
		const learning = adaptive.step.handle(makeCall(['run', 'busybox']), fakeNext().next);
		await vi.advanceTimersByTimeAsync(100);
		expect(adaptive.stderr.text).toBe(
			'safe-docker: waiting, 1 ahead; 4 mutate slots busy, limit 4 (adaptive): docker build ., docker pull a, docker pull b, …\n',
		);
		await vi.advanceTimersByTimeAsync(400);
		await learning;

		const quick = setup(grantAfter(99).acquire, 100);
		const done = quick.step.handle(makeCall(['run', 'busybox']), fakeNext().next);
		await vi.advanceTimersByTimeAsync(1000);
		await done;
		expect(quick.stderr.text).toBe('');
	});

	it('says nothing when nothing is ahead and a slot is free: a slow broker start is not a wait for a slot', async () => {
		vi.useFakeTimers();
		const slowBroker = fakeAcquire(async onQueued => {
			onQueued({ type: 'queued', lane: 'read', limit: 8, running: ['docker ps'], ahead: 0 });
			await new Promise(resolve => setTimeout(resolve, 3000));
		});
		const { step, stderr } = setup(slowBroker.acquire, 100);
		const handled = step.handle(makeCall(['ps']), fakeNext().next);
		await vi.advanceTimersByTimeAsync(3000);
		await handled;
		expect(stderr.text).toBe('');
	});
});
