import type { Redis } from 'ioredis';
import { parseHolder } from '../lock/holder.js';
import type { LockState } from '../lock/status.js';
import { fleetLockKeys, lockScripts } from './lock-scripts.js';

/**
 * The fleet's environment locks as `guard lock status`, `guard unlock` and cleanup see them. A fleet lock is
 * never `stale`: a dead holder's lease simply runs out and the lock is gone.
 */
export async function fleetLockState(redis: Redis, prefix: string, leaseMs: number, env: string): Promise<LockState> {
	const { lock } = fleetLockKeys(prefix, env);
	const [holder, pttl] = await Promise.all([redis.hget(lock, 'holder'), redis.pttl(lock)]);
	return toState(env, holder, pttl, leaseMs);
}

/** Every environment locked on any host of the fleet (SCAN, so a large Redis is never blocked), by name. */
export async function listFleetLocks(redis: Redis, prefix: string, leaseMs: number): Promise<LockState[]> {
	const head = `${prefix}:lock:{`;
	const keys = new Set<string>();
	let cursor = '0';
	do {
		// `{` and `}` are not special in a MATCH pattern; environment names never contain them.
		const [next, found] = await redis.scan(cursor, 'MATCH', `${head}*}`, 'COUNT', 200);
		for (const key of found) keys.add(key);
		cursor = next;
	} while (cursor !== '0');
	const states = await Promise.all([...keys].map(key => fleetLockState(redis, prefix, leaseMs, key.slice(head.length, -1))));
	return states.filter(state => state.state !== 'free').sort((a, b) => a.env.localeCompare(b.env));
}

/**
 * `guard unlock --force`: deletes the lock whoever holds it and wakes the waiters. Its holder is told at its next
 * renewal (it reports the lock compromised) rather than re-announcing it. Resolves whether there was one to remove.
 */
export async function revokeFleetLock(redis: Redis, prefix: string, leaseMs: number, env: string): Promise<boolean> {
	const { lock, revoked, channel } = fleetLockKeys(prefix, env);
	return (await lockScripts(redis).revoke(lock, revoked, channel, 3 * leaseMs)) === 1;
}

function toState(env: string, holderJson: string | null, pttl: number, leaseMs: number): LockState {
	// PTTL -2: no such key. -1: no lease (written by hand): held until someone unlocks it.
	if (pttl === -2) return { env, state: 'free' };
	const holder = parseHolder(holderJson);
	return {
		env,
		state: 'held',
		...(holder ? { holder } : {}),
		...(pttl >= 0 ? { refreshedMsAgo: Math.max(0, leaseMs - pttl), leaseRemainingMs: pttl } : {}),
	};
}
