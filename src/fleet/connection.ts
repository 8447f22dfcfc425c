import type { Redis, RedisOptions } from 'ioredis';
import { redactRedisUrl } from './redis-url.js';

/**
 * Connections to the fleet's Redis (ioredis, the client the fleet issue chose: maintained, Lua scripts with
 * EVALSHA and a NOSCRIPT fallback, pub/sub with resubscription). Every command fails fast instead of queueing
 * while Redis is away, so that a caller falls back (or fails) at once and never hangs: no offline queue, no
 * retries of a sent command, a deadline on each command and on the connect.
 */
export interface FleetConnectionOptions {
	/** Keep reconnecting after a loss (the broker, a lock holder); a one-shot command gives up instead. */
	readonly reconnect: boolean;
	/** Deadline of one command and of the connect. @default 2000 */
	readonly timeoutMs?: number;
	/** Subscriptions restored after a reconnect by ioredis. @default true */
	readonly autoResubscribe?: boolean;
}

/** The last socket error of each connection: what a failed connect or a closed connection was really about. */
const lastErrors = new WeakMap<Redis, Error>();

/** ioredis is loaded only in fleet mode: every other call pays nothing for it. */
export async function openFleetConnection(url: string, options: FleetConnectionOptions): Promise<Redis> {
	const loaded = await import('ioredis');
	// Bundled, the CommonJS module's exports arrive as `default`; run from source, as named exports.
	const Redis = loaded.Redis ?? (loaded.default as unknown as typeof loaded).Redis;
	const timeoutMs = options.timeoutMs ?? 2000;
	const settings: RedisOptions = {
		lazyConnect: true,
		connectTimeout: timeoutMs,
		commandTimeout: timeoutMs,
		maxRetriesPerRequest: 0,
		enableOfflineQueue: false,
		// Redis (re)started: our scripts are loaded again by EVALSHA's NOSCRIPT fallback; subscriptions come back.
		autoResubscribe: options.autoResubscribe ?? true,
		retryStrategy: options.reconnect ? attempt => Math.min(100 * 2 ** Math.min(attempt, 5), 2000) : () => null,
		// Errors are reported by the commands that meet them, as one line; ioredis would print the rest itself.
		showFriendlyErrorStack: false,
	};
	const redis = new Redis(url, settings);
	redis.on('error', error => lastErrors.set(redis, error));
	redis.on('ready', () => lastErrors.delete(redis));
	return redis;
}

/**
 * Connects (once), within the deadline, to a Redis server that fleet mode can use; the error names the URL without
 * its credentials. A Redis Cluster node is refused (and disconnected): see `clusterProblem`.
 */
export async function connectFleet(redis: Redis, url: string): Promise<void> {
	if (redis.status !== 'ready')
		try {
			if (redis.status === 'wait') await redis.connect();
			else
				await new Promise<void>((resolve, reject) => {
					redis.once('ready', resolve);
					redis.once('end', () => reject(new Error('connection ended')));
				});
		} catch (error) {
			throw new Error(`${redactRedisUrl(url)}: ${describeRedisError(lastErrors.get(redis) ?? error)}`);
		}
	const problem = await clusterProblem(redis);
	if (problem === undefined) return;
	redis.disconnect();
	throw new Error(`${redactRedisUrl(url)}: ${problem}`);
}

/**
 * Why a connected server cannot hold the fleet, or undefined when it can. A Redis Cluster node answers only for its
 * own hash slots, and the fleet's keys (each daemon's permits, the hosts, the locks) lie in many: the user is told so
 * in one line, instead of a fallback for MOVED or CLUSTERDOWN errors on some calls and not others.
 */
export async function clusterProblem(redis: Redis): Promise<string | undefined> {
	const info = await redis.info('cluster').catch(() => '');
	return /^cluster_enabled:1\b/m.test(info)
		? 'it is a Redis Cluster node; fleet mode needs one Redis server (a primary, or a proxy that serves the whole keyspace)'
		: undefined;
}

/** One line for a Redis failure, without a stack and without the URL's credentials. */
export function describeRedisError(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	const code = (error as NodeJS.ErrnoException | undefined)?.code;
	const line = message
		.split('\n')[0]!
		.replace(/(rediss?:\/\/)[^\s@/]*@/g, '$1***@')
		.replace(/(rediss?:\/\/[^\s?]*)\?\S*/g, '$1?***')
		.replace(/(password=)[^\s&]+/gi, '$1***');
	return code && !line.includes(code) ? `${code}: ${line}` : line;
}
