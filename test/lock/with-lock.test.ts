import { describe, expect, it, vi } from 'vitest';
import { LockTimeout } from '../../src/errors.js';
import { acquireLock } from '../../src/lock/acquire.js';
import { directoryLocks } from '../../src/lock/directory-locks.js';
import { lockState } from '../../src/lock/status.js';
import { type LockEvent, type WithLockOptions, withLock } from '../../src/lock/with-lock.js';
import { tempDir } from '../fixtures/cli.js';
import { captureStream } from '../fixtures/pipeline.js';

const STALE_MS = 10_000;

function setup(dir = tempDir()) {
	const events: LockEvent[] = [];
	const stderr = captureStream();
	const options = (extra: Partial<WithLockOptions> = {}): WithLockOptions => ({
		locks: async () => directoryLocks(dir, STALE_MS),
		env: 'staging',
		command: 'docker compose up',
		reason: null,
		timeoutMs: 2000,
		processEnv: {},
		stderr,
		report: event => events.push(event),
		...extra,
	});
	const state = (env = 'staging') => lockState(dir, env, STALE_MS).state;
	return { dir, events, stderr, options, state };
}

describe('withLock', () => {
	it('runs the body holding the lock, hands it the variable for its children, and releases it', async () => {
		const { options, events, state } = setup();
		const result = await withLock(options(), async (held, childEnv) => {
			expect(held?.env).toBe('staging');
			expect(childEnv).toEqual({ SAFE_DOCKER_LOCKS: 'staging' });
			expect(state()).toBe('held');
			return 'done';
		});
		expect(result).toBe('done');
		expect(state()).toBe('free');
		expect(events.map(event => [event.event, 'inherited' in event ? event.inherited : undefined])).toEqual([
			['acquired', false],
			['released', undefined],
		]);
	});

	it('releases the lock when the body throws', async () => {
		const { options, state } = setup();
		const failure = new Error('compose crashed');
		await expect(
			withLock(options(), async () => {
				throw failure;
			}),
		).rejects.toBe(failure);
		expect(state()).toBe('free');
	});

	it('a nested withLock for a lock an ancestor holds runs at once, without taking it again', async () => {
		const { options, events, state } = setup();
		await withLock(options(), async (_outer, outerEnv) =>
			withLock(options({ processEnv: { ...outerEnv }, timeoutMs: 100 }), async (held, childEnv) => {
				expect(held).toBeUndefined();
				expect(childEnv).toEqual({});
				expect(state()).toBe('held');
			}),
		);
		expect(events.map(event => event.event)).toEqual(['acquired', 'acquired', 'released']);
		expect(events[1]).toEqual({ event: 'acquired', env: 'staging', waitedMs: 0, inherited: true });
		expect(state()).toBe('free');
	});

	it('a nested lock of another environment is taken, and the children inherit both', async () => {
		const { options, state } = setup();
		await withLock(options({ processEnv: { SAFE_DOCKER_LOCKS: 'shared' } }), async (_held, outerEnv) => {
			expect(outerEnv).toEqual({ SAFE_DOCKER_LOCKS: 'shared,staging' });
			await withLock(options({ env: 'db', processEnv: { ...outerEnv } }), async (held, innerEnv) => {
				expect(held?.env).toBe('db');
				expect(innerEnv).toEqual({ SAFE_DOCKER_LOCKS: 'shared,staging,db' });
				expect([state('staging'), state('db')]).toEqual(['held', 'held']);
			});
		});
	});

	it('reports waiting once, naming the holder, then acquires when the holder lets go', async () => {
		const { dir, options, events } = setup();
		const holder = await acquireLock({ dir, env: 'staging', command: 'docker compose down', reason: 'cleanup', staleMs: STALE_MS });
		const waiting = withLock(options(), async () => 'ran');
		await vi.waitFor(() => expect(events).toHaveLength(1), { interval: 5 });
		expect(events).toMatchObject([
			{ event: 'waiting', env: 'staging', holder: { pid: process.pid, command: 'docker compose down', reason: 'cleanup' } },
		]);
		await holder.release();
		expect(await waiting).toBe('ran');
		expect(events.map(event => event.event)).toEqual(['waiting', 'acquired', 'released']);
		expect((events[1] as { waitedMs: number }).waitedMs).toBeGreaterThan(0);
	});

	it('times out with a LockTimeout and never runs the body', async () => {
		const { dir, options, stderr } = setup();
		const holder = await acquireLock({ dir, env: 'staging', command: 'docker compose down', reason: null, staleMs: STALE_MS });
		let ran = false;
		const error = await withLock(options({ timeoutMs: 60, report: undefined }), async () => {
			ran = true;
		}).catch(caught => caught);
		expect(error).toBeInstanceOf(LockTimeout);
		expect(ran).toBe(false);
		expect(stderr.text).toBe(''); // the waiting line only comes after a second
		await holder.release();
	});
});
