/**
 * The fleet's permits, as Lua scripts that Redis runs atomically: a semaphore per daemon endpoint and lane with a
 * first-come-first-served ticket queue, leases, and start-to-start spacing, all timed by Redis's own clock (`TIME`),
 * never by the hosts' clocks, which differ.
 *
 * Why our own scripts over ioredis rather than a library: Bottleneck's Redis datastore frees a crashed client's
 * jobs only through a per-job expiration (which a one-hour build cannot use), keeps FIFO only within one process,
 * takes time from each client's clock, and its error recovery breaks on Redis 7's `ERR` prefix (its issues
 * #205/#212/#219; last release 2019). redis-semaphore frees crashed holders by TTL but polls, and is not first come,
 * first served. Here a host's broker renews the leases of what it holds and waits for (so a long call keeps its
 * permit and a dead host's expire), waiters are woken by a published event or at the exact time something
 * expires (never a polling loop), and arrival order is Redis's.
 *
 * Keys of one endpoint and lane (`base` = `<prefix>:{<endpoint hash>:<lane>}`, one hash slot):
 *   base:q     waiting tickets, scored by arrival (Redis time in µs)
 *   base:qx    waiting tickets, scored by when their host's lease on them ends (ms)
 *   base:h     held permits, scored by when their lease ends (ms)
 *   base:info  ticket → JSON of who it is (host, label), for `guard broker status`
 *   base:last  Redis time (ms) of the last start, for the spacing
 */

const PRELUDE = `
local q, qx, h, info = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- Tickets and permits whose host stopped renewing them (it died) are dropped first.
local gone = redis.call('ZRANGEBYSCORE', qx, '-inf', now)
for _, id in ipairs(gone) do
	redis.call('ZREM', q, id)
	redis.call('HDEL', info, id)
end
if #gone > 0 then redis.call('ZREMRANGEBYSCORE', qx, '-inf', now) end
local dead = redis.call('ZRANGEBYSCORE', h, '-inf', now)
for _, id in ipairs(dead) do redis.call('HDEL', info, id) end
if #dead > 0 then redis.call('ZREMRANGEBYSCORE', h, '-inf', now) end
`;

/**
 * Joins the queue. ARGV: ticket, lease ms, arrival score ('' = now; a ticket re-joining after Redis lost it keeps its
 * place), info. Returns the arrival score, or '' when the ticket already holds a permit.
 */
export const ENQUEUE = `${PRELUDE}
local id, lease = ARGV[1], tonumber(ARGV[2])
if redis.call('ZSCORE', h, id) then return '' end
local score = ARGV[3]
if score == '' then score = t[1] .. string.format('%06d', tonumber(t[2])) end
redis.call('ZADD', q, 'NX', score, id)
redis.call('ZADD', qx, now + lease, id)
redis.call('HSET', info, id, ARGV[4])
-- The place it has (NX kept an earlier one), as an exact integer string.
return string.format('%.0f', tonumber(redis.call('ZSCORE', q, id)))
`;

/**
 * Takes a permit for the ticket if it is first in the queue, a permit is free and the spacing has passed.
 * KEYS[5]: base:last; KEYS[6]: the lane's shared adaptive limit. ARGV: ticket, limit, spacing ms, lease ms, channel,
 * base, whether the limit is the shared adaptive one ('1': the last limit any host's controller set, if any), the
 * prefix of this host's ticket ids.
 * Returns {1, at} granted at `at` (Redis's TIME in ms; 0 if it was granted before); {0, ms} wait (ms: when something the ticket waits for expires, if nobody publishes first);
 * {-1, 0} the ticket is not queued (Redis lost it): enqueue again.
 */
export const ACQUIRE = `${PRELUDE}
local id, limit, spacing, lease = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
if ARGV[7] == '1' then limit = tonumber(redis.call('GET', KEYS[6]) or limit) end
if redis.call('ZSCORE', h, id) then return {1, 0} end
if not redis.call('ZSCORE', q, id) then return {-1, 0} end
redis.call('ZADD', qx, 'XX', now + lease, id)
-- First in the queue, or behind only this host's own tickets (it serves those in its own order, after this one).
local rank = redis.call('ZRANK', q, id)
if rank > 0 then
	for _, other in ipairs(redis.call('ZRANGE', q, 0, rank - 1)) do
		if string.sub(other, 1, #ARGV[8]) ~= ARGV[8] then
			return {0, math.max(1, tonumber(redis.call('ZSCORE', qx, other) or (now + lease)) - now + 1)}
		end
	end
end
if redis.call('ZCARD', h) >= limit then
	local first = redis.call('ZRANGE', h, 0, 0, 'WITHSCORES')
	return {0, math.max(1, tonumber(first[2]) - now + 1)}
end
local last = tonumber(redis.call('GET', KEYS[5]) or '0')
if now < last + spacing then return {0, last + spacing - now} end
redis.call('ZREM', q, id)
redis.call('ZREM', qx, id)
redis.call('ZADD', h, now + lease, id)
redis.call('SET', KEYS[5], now, 'PX', spacing + 60000)
redis.call('PUBLISH', ARGV[5], ARGV[6])
return {1, now}
`;

/** Frees a permit or leaves the queue, and wakes the waiters. ARGV: ticket, channel, base. */
export const RELEASE = `
local removed = redis.call('ZREM', KEYS[1], ARGV[1]) + redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
if removed > 0 then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
return removed
`;

/**
 * Extends the leases of a host's tickets, and puts back what Redis lost (restarted empty): held permits count again
 * at once, over the limit if need be (they run), and waiting tickets return to their place.
 * ARGV: lease ms, JSON {held: [[ticket, info]], waiting: [[ticket, score, info]]}.
 */
export const RENEW = `${PRELUDE}
local lease = tonumber(ARGV[1])
local tickets = cjson.decode(ARGV[2])
for _, entry in ipairs(tickets.held) do
	redis.call('ZADD', h, now + lease, entry[1])
	redis.call('ZREM', q, entry[1])
	redis.call('ZREM', qx, entry[1])
	redis.call('HSET', info, entry[1], entry[2])
end
for _, entry in ipairs(tickets.waiting) do
	if not redis.call('ZSCORE', h, entry[1]) then
		redis.call('ZADD', q, 'NX', entry[2], entry[1])
		redis.call('ZADD', qx, now + lease, entry[1])
		redis.call('HSET', info, entry[1], entry[3])
	end
end
return now
`;

/** What one endpoint and lane holds and waits for, fleet-wide. Returns {now, held [id, expiry…], waiting count, info [id, json…]}. */
export const INSPECT = `${PRELUDE}
return {now, redis.call('ZRANGE', h, 0, -1, 'WITHSCORES'), redis.call('ZCARD', q), redis.call('HGETALL', info)}
`;

/**
 * Says this host is in the fleet (or leaves it) and lists the hosts whose lease is alive.
 * KEYS: hosts (scored by lease end), host info. ARGV: host id, lease ms, JSON info ('' leaves, '?' only lists).
 * Returns HGETALL info.
 */
export const HOSTS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[3] == '' then
	redis.call('ZREM', KEYS[1], ARGV[1])
	redis.call('HDEL', KEYS[2], ARGV[1])
elseif ARGV[3] ~= '?' then
	redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
	redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
end
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
for _, id in ipairs(gone) do redis.call('HDEL', KEYS[2], id) end
if #gone > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now) end
return redis.call('HGETALL', KEYS[2])
`;

/**
 * A daemon endpoint's breaker, fleet-wide: opened by any host, open for all, and half-open for exactly one probe.
 * KEYS: breaker hash, probe key. ARGV: probe deadline ms, host. Returns {verdict, openedAt, nextProbeAt, detail}:
 * `pass` (closed), `probe` (this host probes, alone in the fleet) or `reject`.
 */
export const BREAKER_ADMIT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'openedAt', 'nextProbeAt', 'detail')
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
export const BREAKER_OPEN = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSETNX', KEYS[1], 'openedAt', now)
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

/**
 * Sets the fleet's shared adaptive limit of a lane (KEYS[1]) to ARGV[1], for ARGV[2] ms: when no host's controller
 * has changed it for that long, each host goes back to its own.
 */
export const SHARE_LIMIT = `return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])`;
