import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LockTimeout } from '../../src/errors.js';
import { connectFleet, openFleetConnection } from '../../src/fleet/connection.js';
import { acquireFleetLock, type FleetLockOptions } from '../../src/fleet/fleet-lock.js';
import { fleetLockState, listFleetLocks, revokeFleetLock } from '../../src/fleet/fleet-lock-status.js';
import type { LockRequest } from '../../src/lock/acquire.js';
import type { Holder } from '../../src/lock/holder.js';
import { type RedisServer, requireRedis, startRedis, stopAllRedis } from '../fixtures/redis.js';

const PREFIX = 'test';

describe.runIf(requireRedis())('fleet lock on a real redis-server', () => {
	let server: RedisServer;
	const opened: Redis[] = [];
	beforeAll(async () => {
		server = await startRedis();
	});
	afterEach(() => {
		for (const connection of opened.splice(0)) connection.disconnect();
		server.cli('FLUSHALL');
	});
	afterAll(stopAllRedis);

	async function connection(): Promise<Redis> {
		const redis = await openFleetConnection(server.url, { reconnect: true, timeoutMs: 500 });
		await connectFleet(redis, server.url);
		opened.push(redis);
		return redis;
	}

	async function options(leaseMs: number): Promise<FleetLockOptions> {
		return { redis: await connection(), prefix: PREFIX, leaseMs, subscriber: connection };
	}

	const request = (extra: Partial<LockRequest> = {}): LockRequest => ({ env: 'staging', command: 'make deploy', reason: null, ...extra });

	it('a waiter is woken by the release (pub/sub), long before the lease would end', async () => {
		const first = await acquireFleetLock(await options(30_000), request());
		const waits: (Holder | undefined)[] = [];
		const started = Date.now();
		const second = acquireFleetLock(await options(30_000), request({ command: 'second', onWait: holder => waits.push(holder) }));
		await new Promise(resolve => setTimeout(resolve, 300));
		await first.release();
		const held = await second;
		expect(Date.now() - started).toBeLessThan(5000);
		expect(held.waitedMs).toBeGreaterThanOrEqual(250);
		expect(waits[0]).toMatchObject({ command: 'make deploy', pid: process.pid });
		expect((await fleetLockState(await connection(), PREFIX, 30_000, 'staging')).holder?.command).toBe('second');
		await held.release();
		expect((await fleetLockState(await connection(), PREFIX, 30_000, 'staging')).state).toBe('free');
	});

	it('times out with LockTimeout naming the holder', async () => {
		const first = await acquireFleetLock(await options(30_000), request({ reason: 'migration' }));
		const error = await acquireFleetLock(await options(30_000), request({ timeoutMs: 300 })).catch(caught => caught);
		expect(error).toBeInstanceOf(LockTimeout);
		expect((error as LockTimeout).holder).toMatchObject({ reason: 'migration' });
		await first.release();
	});

	it('a holder that stops renewing (its host died) is taken over when its lease ends, not before', async () => {
		// A dead holder: its lock written as the scripts write it, with a 1.5 s lease nobody renews.
		const redis = await connection();
		await redis.hset(`${PREFIX}:lock:{staging}`, 'token', 'dead', 'holder', JSON.stringify({ pid: 1, host: 'gone', command: 'x' }));
		await redis.pexpire(`${PREFIX}:lock:{staging}`, 1500);
		const started = Date.now();
		// What is left of the lease, on Redis's clock, read after `started`: a stall of this process between the PEXPIRE
		// and here (seconds, on a loaded machine) leaves less than 1.5 s of it.
		const leftMs = await redis.pttl(`${PREFIX}:lock:{staging}`);
		const held = await acquireFleetLock(await options(1500), request());
		const tookMs = Date.now() - started;
		expect(tookMs).toBeGreaterThanOrEqual(leftMs); // not before the lease ended
		expect(tookMs).toBeLessThan(leftMs + 2000); // when it ended, as Redis told the waiter: not a poll or another lease later
		await held.release();
	});

	it('a live holder keeps its lock for 3 leases by renewal', async () => {
		const held = await acquireFleetLock(await options(1500), request());
		const error = await acquireFleetLock(await options(1500), request({ timeoutMs: 4600 })).catch(caught => caught);
		expect(error).toBeInstanceOf(LockTimeout);
		const state = await fleetLockState(await connection(), PREFIX, 1500, 'staging');
		expect(state).toMatchObject({ state: 'held', holder: { command: 'make deploy' } });
		expect(state.leaseRemainingMs).toBeGreaterThan(0);
		await held.release();
	});

	it('unlock --force revokes: the holder reports it lost the lock and does not re-announce it', async () => {
		const compromised: Error[] = [];
		const held = await acquireFleetLock(await options(1000), request({ onCompromised: error => compromised.push(error) }));
		expect(await revokeFleetLock(await connection(), PREFIX, 1000, 'staging')).toBe(true);
		// Told at its next renewal (every lease / 3), however late that comes on a busy machine.
		await vi.waitFor(() => expect(compromised).not.toEqual([]), { timeout: 10_000, interval: 50 });
		expect(compromised.map(error => error.message)).toEqual(['it was released with guard unlock --force']);
		expect((await fleetLockState(await connection(), PREFIX, 1000, 'staging')).state).toBe('free');
		expect(await revokeFleetLock(await connection(), PREFIX, 1000, 'staging')).toBe(false);
		await held.release();
	});

	it('unlock --force wakes the waiters at once', async () => {
		const held = await acquireFleetLock(await options(30_000), request());
		const waiting = acquireFleetLock(await options(30_000), request({ command: 'next' }));
		await new Promise(resolve => setTimeout(resolve, 300));
		const revokedAt = Date.now();
		await revokeFleetLock(await connection(), PREFIX, 30_000, 'staging');
		const next = await waiting;
		expect(Date.now() - revokedAt).toBeLessThan(5000); // by the revocation's message, not at the end of the 30 s lease
		await Promise.all([next.release(), held.release()]);
	});

	it('a lock taken over by another holder is reported once; its release leaves the new holder alone', async () => {
		const compromised: Error[] = [];
		const held = await acquireFleetLock(await options(1000), request({ onCompromised: error => compromised.push(error) }));
		const redis = await connection();
		// The other holder's lock, with its own lease: not the 1 s left of ours, which ran out under the checks below
		// whenever this process was slow to get to them.
		await redis.hset(`${PREFIX}:lock:{staging}`, 'token', 'someone-else');
		await redis.pexpire(`${PREFIX}:lock:{staging}`, 60_000);
		await vi.waitFor(() => expect(compromised).not.toEqual([]), { timeout: 10_000, interval: 50 }); // at its next renewal
		await new Promise(resolve => setTimeout(resolve, 800)); // more renewals (every lease / 3): still reported once
		expect(compromised.map(error => error.message)).toEqual(['its lease ran out and another holder took it']);
		await held.release();
		expect(await redis.hget(`${PREFIX}:lock:{staging}`, 'token')).toBe('someone-else');
	});

	it('setChild records the command pid in the holder; status lists every lock with its lease', async () => {
		const held = await acquireFleetLock(await options(5000), request());
		const other = await acquireFleetLock(await options(5000), request({ env: 'db' }));
		held.setChild(4242);
		// Written to Redis in the background: until it is there, not for a fixed 100 ms.
		await vi.waitFor(
			async () =>
				expect((await listFleetLocks(await connection(), PREFIX, 5000)).map(state => [state.env, state.holder?.childPid])).toEqual([
					['db', undefined],
					['staging', 4242],
				]),
			{ timeout: 10_000, interval: 50 },
		);
		await Promise.all([held.release(), other.release()]);
		expect(await listFleetLocks(await connection(), PREFIX, 5000)).toEqual([]);
	});

	it('Redis restarted empty under a holder: the holder re-announces its lock within a lease', async () => {
		const held = await acquireFleetLock(await options(1000), request());
		await server.stop();
		await new Promise(resolve => setTimeout(resolve, 500));
		await server.start();
		let state = 'free';
		const deadline = Date.now() + 4000;
		while (state !== 'held' && Date.now() < deadline) {
			await new Promise(resolve => setTimeout(resolve, 100));
			state = (await fleetLockState(await connection(), PREFIX, 1000, 'staging').catch(() => ({ state: 'free' }))).state;
		}
		expect(state).toBe('held');
		await held.release();
	});
});
