import { afterAll, describe, expect, it } from 'vitest';
import { type Config, DEFAULTS } from '../../src/config/defaults.js';
import { FleetUnavailable } from '../../src/errors.js';
import { connectFleet, openFleetConnection } from '../../src/fleet/connection.js';
import { acquireFleetLock } from '../../src/fleet/fleet-lock.js';
import { acquireLock } from '../../src/lock/acquire.js';
import { lockedEnvironments, openLockBackend } from '../../src/lock/backend.js';
import { tempDir } from '../fixtures/cli.js';
import { captureStream } from '../fixtures/pipeline.js';
import { requireRedis, startRedis, stopAllRedis } from '../fixtures/redis.js';

function config(directory: string, fleet: Partial<Config['fleet']> = {}): Config {
	return { ...DEFAULTS, lock: { ...DEFAULTS.lock, directory }, fleet: { ...DEFAULTS.fleet, ...fleet } };
}

const request = { env: 'staging', command: 'make deploy', reason: null };
const UNREACHABLE = 'redis://admin:s3cret@127.0.0.1:1';

describe('openLockBackend: the one place the lock backend is chosen', () => {
	it('without fleet.redis: the lock directory, and cleanup sees its held locks', async () => {
		const dir = tempDir();
		const stderr = captureStream();
		const locks = await openLockBackend({ config: config(dir), stateDir: () => dir, stderr });
		expect(locks.where).toBe(`lock directory ${dir}`);
		const held = await locks.acquire(request);
		expect(await lockedEnvironments({ config: config(dir), stateDir: () => dir, stderr })).toEqual(new Set(['staging']));
		await held.release();
		expect(await lockedEnvironments({ config: config(dir), stateDir: () => dir, stderr })).toEqual(new Set());
		expect(stderr.text).toBe('');
	});

	it('fleet Redis out of reach, onUnavailable local: one line without credentials, then the lock directory', async () => {
		const dir = tempDir();
		const stderr = captureStream();
		const locks = await openLockBackend({ config: config(dir, { redis: UNREACHABLE }), stateDir: () => dir, stderr });
		expect(locks.where).toBe(`lock directory ${dir}`);
		expect(stderr.text).toBe(
			`safe-docker: the fleet's Redis at redis://***@127.0.0.1:1 cannot be reached (connect ECONNREFUSED 127.0.0.1:1); environment locks use this host's lock directory ${dir}\n`,
		);
	});

	it('fleet Redis out of reach, onUnavailable fail: FleetUnavailable (exit 69), without credentials', async () => {
		const dir = tempDir();
		const error = await openLockBackend({
			config: config(dir, { redis: UNREACHABLE, onUnavailable: 'fail' }),
			stateDir: () => dir,
			stderr: captureStream(),
		}).catch(caught => caught);
		expect(error).toBeInstanceOf(FleetUnavailable);
		expect((error as FleetUnavailable).exitCode).toBe(69);
		expect((error as Error).message).not.toContain('s3cret');
	});
});

describe.runIf(requireRedis())('openLockBackend in fleet mode, on a real redis-server', () => {
	afterAll(stopAllRedis);

	it("cleanup's question, in fleet mode: the environments locked on any host", async () => {
		const server = await startRedis();
		const connection = await openFleetConnection(server.url, { reconnect: false });
		await connectFleet(connection, server.url);
		const subscriber = async () => connection.duplicate();
		const held = await acquireFleetLock({ redis: connection, prefix: 'safe-docker', leaseMs: 30_000, subscriber }, request);
		const dir = tempDir();
		const options = { config: config(dir, { redis: server.url }), stateDir: () => dir, stderr: captureStream() };
		expect(await lockedEnvironments(options)).toEqual(new Set(['staging']));
		await held.release();
		expect(await lockedEnvironments(options)).toEqual(new Set());
		connection.disconnect();
	});

	it('a waiter whose Redis goes away waits a lease for it, then falls back to the lock directory with one line', async () => {
		const server = await startRedis();
		const dir = tempDir();
		const holderConnection = await openFleetConnection(server.url, { reconnect: false });
		await connectFleet(holderConnection, server.url);
		const subscriber = async () => {
			const connection = holderConnection.duplicate();
			await connectFleet(connection, server.url);
			return connection;
		};
		await acquireFleetLock({ redis: holderConnection, prefix: 'safe-docker', leaseMs: 30_000, subscriber }, request);
		const stderr = captureStream();
		const locks = await openLockBackend({ config: config(dir, { redis: server.url, leaseMs: 1500 }), stateDir: () => dir, stderr });
		expect(locks.where).toBe(`fleet Redis ${server.url}`);
		const waiting = locks.acquire(request);
		await new Promise(resolve => setTimeout(resolve, 300));
		const stoppedAt = Date.now();
		await server.stop();
		const held = await waiting;
		// Woken by the lost subscription, not by the holder's 30 s lease; then a lease (1.5 s) of waiting for Redis.
		expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(1500);
		expect(Date.now() - stoppedAt).toBeLessThan(6500);
		expect(stderr.text).toMatch(
			/^safe-docker: the fleet's Redis at redis:\/\/127\.0\.0\.1:\d+ cannot be reached \(.*\); environment locks use this host's lock directory .*\n$/,
		);
		// It holds the local lock now.
		await expect(acquireLock({ ...request, dir, staleMs: 10_000, timeoutMs: 0 })).rejects.toThrow(/timed out/);
		await held.release();
		locks.close();
		holderConnection.disconnect();
	});
});
