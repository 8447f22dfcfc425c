/** The fleet's breakers, as Lua scripts that Redis runs atomically, timed by Redis's own clock (`TIME`). */
import { REDIS_NOW } from './permit-scripts.js';

/**
 * A daemon endpoint's breaker, fleet-wide: opened by any host, open for all, and half-open for exactly one probe.
 * KEYS: breaker hash, probe key. ARGV: probe deadline ms, host. Returns {verdict, openedAt, nextProbeAt, detail}:
 * `pass` (closed), `probe` (this host probes, alone in the fleet) or `reject`.
 */
export const BREAKER_ADMIT = `${REDIS_NOW}local state = redis.call('HMGET', KEYS[1], 'openedAt', 'nextProbeAt', 'detail')
if not state[1] then return {'pass', 0, 0, ''} end
if now >= tonumber(state[2]) and redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', tonumber(ARGV[1])) then
	return {'probe', state[1], state[2], state[3]}
end
return {'reject', state[1], state[2], state[3]}
`;

/**
 * Opens (or, after a failed probe, re-opens) the breaker for every host. KEYS: breaker hash, probe key.
 * ARGV: recovery ms, detail, channel, message. Returns the time of the next probe.
 */
export const BREAKER_OPEN = `${REDIS_NOW}redis.call('HSETNX', KEYS[1], 'openedAt', now)
redis.call('HSET', KEYS[1], 'nextProbeAt', now + tonumber(ARGV[1]), 'detail', ARGV[2])
redis.call('DEL', KEYS[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return now + tonumber(ARGV[1])
`;

/** Closes the breaker for every host (a probe succeeded). KEYS: breaker hash, probe key. ARGV: channel, message. */
export const BREAKER_CLOSE = `
local closed = redis.call('DEL', KEYS[1])
redis.call('DEL', KEYS[2])
if closed > 0 then redis.call('PUBLISH', ARGV[1], ARGV[2]) end
return closed
`;
