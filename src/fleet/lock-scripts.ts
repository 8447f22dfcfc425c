import type { Redis } from 'ioredis';

/**
 * The fleet lock's Lua scripts. Redis runs a script alone, start to end: each check-then-write below happens
 * with no other client's command in between, which is what makes the lock a lock across hosts.
 *
 * The lock of an environment is a hash `<prefix>:lock:{<env>}` {token, holder} with a lease (PEXPIRE); `token`
 * is the holder's random secret, `holder` the same JSON as the lock directory's holder file. A release wakes
 * the waiters on `<prefix>:lock-released:<env>`. `guard unlock --force` leaves `<prefix>:lock-revoked:{<env>}`
 * (the token it removed, for a few leases) so that the holder learns it lost the lock instead of re-announcing it.
 */
const ACQUIRE = `
-- KEYS[1] lock; ARGV[1] token, ARGV[2] holder JSON, ARGV[3] lease ms
-- Atomic: "free?" and "take it" cannot be split by another host's take.
if redis.call('EXISTS', KEYS[1]) == 0 then
	redis.call('HSET', KEYS[1], 'token', ARGV[1], 'holder', ARGV[2])
	redis.call('PEXPIRE', KEYS[1], ARGV[3])
	return {1}
end
return {0, redis.call('PTTL', KEYS[1]), redis.call('HGET', KEYS[1], 'holder') or false}
`;

const RENEW = `
-- KEYS[1] lock, KEYS[2] revoked; ARGV[1] token, ARGV[2] holder JSON, ARGV[3] lease ms
-- Atomic: a holder only ever extends its own lock, never one another host took over meanwhile.
local token = redis.call('HGET', KEYS[1], 'token')
if token == ARGV[1] then
	redis.call('PEXPIRE', KEYS[1], ARGV[3])
	return 1
end
if token then return 0 end
if redis.call('GET', KEYS[2]) == ARGV[1] then return -1 end
-- Gone (Redis restarted empty, or the lease ran out while Redis was unreachable) and still free: re-announce it.
redis.call('HSET', KEYS[1], 'token', ARGV[1], 'holder', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 2
`;

const ANNOUNCE = `
-- KEYS[1] lock; ARGV[1] token, ARGV[2] holder JSON
-- Atomic: the holder record (now with the command's pid) is only rewritten while the lock is still ours.
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
	redis.call('HSET', KEYS[1], 'holder', ARGV[2])
	return 1
end
return 0
`;

const RELEASE = `
-- KEYS[1] lock; ARGV[1] token, ARGV[2] channel
-- Atomic compare-and-delete: a holder whose lock was taken over never deletes the new holder's lock.
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
	redis.call('DEL', KEYS[1])
	redis.call('PUBLISH', ARGV[2], 'released')
	return 1
end
return 0
`;

const REVOKE = `
-- KEYS[1] lock, KEYS[2] revoked; ARGV[1] channel, ARGV[2] how long the revocation is remembered (ms)
-- Atomic: the token remembered as revoked is the one deleted, so that exactly that holder stops renewing.
local token = redis.call('HGET', KEYS[1], 'token')
if not token then return 0 end
redis.call('SET', KEYS[2], token, 'PX', ARGV[2])
redis.call('DEL', KEYS[1])
redis.call('PUBLISH', ARGV[1], 'unlocked')
return 1
`;

/** The scripts, loaded with EVALSHA (ioredis falls back to EVAL after a Redis restart forgot them). */
export interface LockScripts {
	acquire(lock: string, token: string, holder: string, leaseMs: number): Promise<[1] | [0, number, string | null]>;
	renew(lock: string, revoked: string, token: string, holder: string, leaseMs: number): Promise<-1 | 0 | 1 | 2>;
	announce(lock: string, token: string, holder: string): Promise<0 | 1>;
	release(lock: string, token: string, channel: string): Promise<0 | 1>;
	revoke(lock: string, revoked: string, channel: string, rememberMs: number): Promise<0 | 1>;
}

const DEFINITIONS = {
	safeDockerLockAcquire: { numberOfKeys: 1, lua: ACQUIRE },
	safeDockerLockRenew: { numberOfKeys: 2, lua: RENEW },
	safeDockerLockAnnounce: { numberOfKeys: 1, lua: ANNOUNCE },
	safeDockerLockRelease: { numberOfKeys: 1, lua: RELEASE },
	safeDockerLockRevoke: { numberOfKeys: 2, lua: REVOKE },
};

type Scripted = Record<keyof typeof DEFINITIONS, (...args: (string | number)[]) => Promise<unknown>>;

export function lockScripts(redis: Redis): LockScripts {
	for (const [name, definition] of Object.entries(DEFINITIONS)) redis.defineCommand(name, definition);
	const run = redis as unknown as Scripted;
	return {
		acquire: (lock, token, holder, leaseMs) =>
			run.safeDockerLockAcquire(lock, token, holder, leaseMs) as Promise<[1] | [0, number, string | null]>,
		renew: (lock, revoked, token, holder, leaseMs) =>
			run.safeDockerLockRenew(lock, revoked, token, holder, leaseMs) as Promise<-1 | 0 | 1 | 2>,
		announce: (lock, token, holder) => run.safeDockerLockAnnounce(lock, token, holder) as Promise<0 | 1>,
		release: (lock, token, channel) => run.safeDockerLockRelease(lock, token, channel) as Promise<0 | 1>,
		revoke: (lock, revoked, channel, rememberMs) => run.safeDockerLockRevoke(lock, revoked, channel, rememberMs) as Promise<0 | 1>,
	};
}

/** The Redis names of one environment's lock; its two keys share a hash tag, as keys one script uses must in a cluster. */
export function fleetLockKeys(prefix: string, env: string): { lock: string; revoked: string; channel: string } {
	return { lock: `${prefix}:lock:{${env}}`, revoked: `${prefix}:lock-revoked:{${env}}`, channel: `${prefix}:lock-released:${env}` };
}
