import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterProblem, connectFleet, describeRedisError, openFleetConnection } from '../../src/fleet/connection.js';
import { isRedisUrl, redactRedisUrl } from '../../src/fleet/redis-url.js';
import { type RedisServer, requireRedis, startRedis, stopAllRedis } from '../fixtures/redis.js';

describe('redis URLs', () => {
	it('accepts redis:// and rediss:// with a host, nothing else', () => {
		expect(['redis://h', 'rediss://u:p@h:6380/2', 'redis://127.0.0.1:6379'].map(isRedisUrl)).toEqual([true, true, true]);
		expect(['http://h', 'redis://', 'h:6379', '', 'redis:/h'].map(isRedisUrl)).toEqual([false, false, false, false, false]);
	});

	it('masks credentials', () => {
		expect(redactRedisUrl('redis://user:s3cret@h:6379/0')).toBe('redis://***@h:6379/0');
		expect(redactRedisUrl('rediss://:s3cret@h')).toBe('rediss://***@h');
		expect(redactRedisUrl('redis://h:6379')).toBe('redis://h:6379');
		expect(redactRedisUrl('redis://us er:s3cret@')).not.toContain('s3cret');
		expect(describeRedisError(new Error('connect to redis://u:s3cret@h failed'))).toBe('connect to redis://***@h failed');
		// ioredis takes a password from the query string too.
		expect(redactRedisUrl('redis://cache:6379/0?password=s3cret&db=1')).toBe('redis://cache:6379/0?***');
		expect(describeRedisError(new Error('WRONGPASS at redis://cache:6379?password=s3cret'))).toBe('WRONGPASS at redis://cache:6379?***');
		expect(describeRedisError(new Error('bad password=s3cret here'))).toBe('bad password=*** here');
	});
});

describe.runIf(requireRedis())('fleet connection to a real redis-server', () => {
	let redis: RedisServer;
	beforeAll(async () => {
		redis = await startRedis();
	});
	afterAll(stopAllRedis);

	it('connects and runs commands', async () => {
		const connection = await openFleetConnection(redis.url, { reconnect: false });
		await connectFleet(connection, redis.url);
		expect(await connection.ping()).toBe('PONG');
		connection.disconnect();
	});

	it('fails within its deadline, in one line without credentials, when nothing listens', async () => {
		const url = 'redis://user:s3cret@127.0.0.1:1';
		const connection = await openFleetConnection(url, { reconnect: false, timeoutMs: 500 });
		const started = Date.now();
		const error = await connectFleet(connection, url).catch((caught: Error) => caught);
		expect(error).toBeInstanceOf(Error);
		expect((error as Error).message).toMatch(/^redis:\/\/\*\*\*@127\.0\.0\.1:1: .*ECONNREFUSED/);
		expect((error as Error).message).not.toContain('s3cret');
		expect(Date.now() - started).toBeLessThan(5000);
	});

	it('a Redis Cluster node is refused in one line naming what fleet mode needs, and disconnected', async () => {
		const cluster = await startRedis({ cluster: true, password: 's3cret' });
		const connection = await openFleetConnection(cluster.url, { reconnect: true });
		const error = await connectFleet(connection, cluster.url).catch((caught: Error) => caught);
		expect((error as Error).message).toMatch(
			/^redis:\/\/\*\*\*@127\.0\.0\.1:\d+: it is a Redis Cluster node; fleet mode needs one Redis server \(a primary, or a proxy that serves the whole keyspace\)$/,
		);
		// Disconnected for good (no reconnect): it ends.
		if (connection.status !== 'end') await once(connection, 'end');
		expect(connection.status).toBe('end');
		// The same server without cluster mode is used.
		await cluster.stop();
		const plain = await openFleetConnection(redis.url, { reconnect: false });
		await connectFleet(plain, redis.url);
		expect(await clusterProblem(plain)).toBeUndefined();
		plain.disconnect();
	});

	it('a command to a frozen Redis fails at its deadline instead of hanging', async () => {
		const connection = await openFleetConnection(redis.url, { reconnect: false, timeoutMs: 300 });
		await connectFleet(connection, redis.url);
		redis.signal('SIGSTOP');
		try {
			const started = Date.now();
			await expect(connection.ping()).rejects.toThrow(/timed out/i);
			expect(Date.now() - started).toBeLessThan(5000);
		} finally {
			redis.signal('SIGCONT');
			connection.disconnect();
		}
	});
});
