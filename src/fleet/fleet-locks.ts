import type { Redis } from 'ioredis';
import type { Config } from '../config/defaults.js';
import { SafeDockerError } from '../errors/safe-docker-error.js';
import { FleetUnavailable } from '../errors.js';
import type { LockBackend } from '../lock/lock-backend.js';
import { checkEnvName } from '../lock/paths.js';
import { connectFleet, describeRedisError, openFleetConnection } from './connection.js';
import { acquireFleetLock } from './fleet-lock.js';
import { fleetLockState, listFleetLocks, revokeFleetLock } from './fleet-lock-status.js';
import { redactRedisUrl } from './redis-url.js';

type FleetSettings = Omit<Config['fleet'], 'redis'> & { readonly url: string };

/**
 * Environment locks in the fleet's Redis. When Redis cannot be reached — at the start, or while waiting for a
 * lock — `fleet.onUnavailable` decides: `local` falls back to this host's lock directory with one line on
 * stderr, `fail` fails (FleetUnavailable, exit 69). A lock already held is never given up: its holder's
 * renewals resume when Redis is back.
 */
export async function openFleetLocks(
	settings: FleetSettings,
	local: () => LockBackend,
	stderr: Pick<NodeJS.WriteStream, 'write'>,
): Promise<LockBackend> {
	const { url, prefix, leaseMs } = settings;
	const shown = redactRedisUrl(url);
	const unavailable = (error: unknown): LockBackend => {
		const detail = describeRedisError(error).replace(`${shown}: `, '');
		if (settings.onUnavailable === 'fail') throw new FleetUnavailable(shown, detail);
		const fallback = local();
		stderr.write(
			`safe-docker: the fleet's Redis at ${shown} cannot be reached (${detail}); environment locks use this host's ${fallback.where}\n`,
		);
		return fallback;
	};
	const redis = await openFleetConnection(url, { reconnect: true });
	try {
		await connectFleet(redis, url);
	} catch (error) {
		redis.disconnect();
		return unavailable(error);
	}
	/** A Redis failure (anything but our own errors, such as LockTimeout) follows fleet.onUnavailable. */
	const orElse = async <T>(work: Promise<T>, fallback: (backend: LockBackend) => Promise<T>): Promise<T> => {
		try {
			return await work;
		} catch (error) {
			if (error instanceof SafeDockerError) throw error;
			return fallback(unavailable(error));
		}
	};
	return {
		where: `fleet Redis ${shown}`,
		acquire: async request => {
			const started = Date.now();
			// Falling back mid-wait: the local wait gets what is left of the timeout.
			const rest = () =>
				request.timeoutMs === undefined ? request : { ...request, timeoutMs: Math.max(0, request.timeoutMs - (Date.now() - started)) };
			const attempt = () =>
				acquireFleetLock(
					{
						redis,
						prefix,
						leaseMs,
						subscriber: async () => {
							const subscriber = redis.duplicate();
							subscriber.on('error', () => undefined);
							try {
								await connectFleet(subscriber, url);
							} catch (error) {
								subscriber.disconnect(); // or it would reconnect forever and keep this process alive
								throw error;
							}
							return subscriber;
						},
					},
					rest(),
				);
			try {
				return await attempt();
			} catch (error) {
				if (error instanceof SafeDockerError) throw error;
				// A blip while waiting (Redis restarting): a holder on another host may still hold the lock, so wait up to a
				// lease for Redis before taking this host's lock directory instead.
				if (await readyWithin(redis, leaseMs)) return orElse(attempt(), backend => backend.acquire(rest()));
				return unavailable(error).acquire(rest());
			}
		},
		state: env => orElse(fleetLockState(redis, prefix, leaseMs, checkEnvName(env)), backend => backend.state(env)),
		list: () => orElse(listFleetLocks(redis, prefix, leaseMs), backend => backend.list()),
		async remove(env) {
			// Never falls back: the lock shown to the user (and audited) is the fleet's, not a local one of the same name.
			await revokeFleetLock(redis, prefix, leaseMs, checkEnvName(env)).catch(error => {
				throw new FleetUnavailable(shown, describeRedisError(error), `and the fleet's lock of '${env}' was not released; try again`);
			});
		},
		close: () => redis.disconnect(),
	};
}

/** Whether the connection is (again) ready within `ms`. */
function readyWithin(redis: Redis, ms: number): Promise<boolean> {
	if (redis.status === 'ready') return Promise.resolve(true);
	return new Promise(resolve => {
		const timer = setTimeout(() => {
			redis.off('ready', ready);
			resolve(false);
		}, ms);
		const ready = () => {
			clearTimeout(timer);
			resolve(true);
		};
		redis.once('ready', ready);
	});
}
