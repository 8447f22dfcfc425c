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
 *   base:said  host → its limit and spacing ("3 500": as configured; "2 500 learned": the limit its adaptive
 *              controller set last)
 *   base:saidx host → when what it said lapses (ms): a live host says it again every lease / 3 while it has used
 *              the daemon in the last 10 minutes (and at once when its learned limit changes), so a dead host's word
 *              lapses with its lease; a stopping host withdraws it
 *
 * The fleet's limit is the strictest of its hosts': the smallest limit and the longest spacing any of them says, the
 * same whichever host asks. Otherwise hosts configured differently would each count the fleet's permits against
 * their own limit, and the loosest would take them all; and an adaptive host that learned the daemon takes fewer
 * calls holds every host to that.
 */

/** The keys of one endpoint and lane's permits (`base` = `<prefix>:{<endpoint hash>:<lane>}`). */
export function permitKeys(base: string) {
	return {
		q: `${base}:q`,
		qx: `${base}:qx`,
		h: `${base}:h`,
		info: `${base}:info`,
		last: `${base}:last`,
		said: `${base}:said`,
		saidx: `${base}:saidx`,
	};
}

/** Lua: `now`, Redis's own clock in ms (`t`: its TIME, seconds and µs). Every fleet script times by it. */
export const REDIS_NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

const PRELUDE = `${REDIS_NOW}local q, qx, h, info = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
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
 * Lua functions: forget_lapsed drops what dead hosts said of their limits; fleet_limit gives the fleet's limit and
 * spacing for a daemon and lane from what its live hosts said (base:said); the limit is 0 when none said anything.
 */
const FLEET_LIMIT = `
local function forget_lapsed(said, saidx, now)
	local lapsed = redis.call('ZRANGEBYSCORE', saidx, '-inf', now)
	for _, other in ipairs(lapsed) do redis.call('HDEL', said, other) end
	if #lapsed > 0 then redis.call('ZREMRANGEBYSCORE', saidx, '-inf', now) end
end
local function fleet_limit(said)
	local limit, spacing = nil, 0
	for _, value in ipairs(redis.call('HVALS', said)) do
		local l, s = string.match(value, '^(%d+) (%d+)')
		if l then
			limit = math.min(limit or math.huge, math.max(1, tonumber(l)))
			spacing = math.max(spacing, tonumber(s))
		end
	end
	return limit or 0, spacing
end
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
 * Takes a permit for the ticket if it is first in the queue, a permit is free and the spacing has passed, by the
 * fleet's limit and spacing (see FLEET_LIMIT). KEYS[5..7]: base:last, base:said, base:saidx.
 * ARGV: ticket, lease ms, channel, base, this host (its ticket ids start with it and ':'), what it says of its
 * limits ("3 500", "2 500 learned"): said only for a ticket still queued, so the fleet's limit always counts it.
 * Returns {status, detail, the fleet's limit}: {1, at} granted at `at` (Redis's TIME in ms; 0 if it was granted
 * before); {0, ms} wait (ms: when something the ticket waits for expires, if nobody publishes first); {-1, 0} the
 * ticket is not queued (Redis lost it, or it left): enqueue again. The fleet's limit is 0 when not computed.
 */
export const ACQUIRE = `${PRELUDE}${FLEET_LIMIT}
local id, lease, host = ARGV[1], tonumber(ARGV[2]), ARGV[5]
if redis.call('ZSCORE', h, id) then return {1, 0, 0} end
if not redis.call('ZSCORE', q, id) then return {-1, 0, 0} end
redis.call('HSET', KEYS[6], host, ARGV[6])
redis.call('ZADD', KEYS[7], now + lease, host)
forget_lapsed(KEYS[6], KEYS[7], now)
local limit, spacing = fleet_limit(KEYS[6])
redis.call('ZADD', qx, 'XX', now + lease, id)
-- First in the queue, or behind only this host's own tickets (it serves those in its own order, after this one).
local rank = redis.call('ZRANK', q, id)
if rank > 0 then
	for _, other in ipairs(redis.call('ZRANGE', q, 0, rank - 1)) do
		if string.sub(other, 1, #host + 1) ~= host .. ':' then
			return {0, math.max(1, tonumber(redis.call('ZSCORE', qx, other) or (now + lease)) - now + 1), limit}
		end
	end
end
if redis.call('ZCARD', h) >= limit then
	-- Until the first lease ends, or the first host's word on the limits lapses (a dead host's strict one).
	local wake = tonumber(redis.call('ZRANGE', h, 0, 0, 'WITHSCORES')[2])
	local lapse = redis.call('ZRANGE', KEYS[7], 0, 0, 'WITHSCORES')[2]
	if lapse then wake = math.min(wake, tonumber(lapse)) end
	return {0, math.max(1, wake - now + 1), limit}
end
local last = tonumber(redis.call('GET', KEYS[5]) or '0')
if now < last + spacing then return {0, last + spacing - now, limit} end
redis.call('ZREM', q, id)
redis.call('ZREM', qx, id)
redis.call('ZADD', h, now + lease, id)
redis.call('SET', KEYS[5], now, 'PX', spacing + 60000)
redis.call('PUBLISH', ARGV[3], ARGV[4])
return {1, now, limit}
`;

/**
 * This host says its limits for a daemon and lane again; when they changed, the waiters look again.
 * KEYS: said, saidx. ARGV: host, "limit spacing[ learned]", lease ms, channel, base.
 */
export const SAY = `${REDIS_NOW}local before = redis.call('HGET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[1])
if before ~= ARGV[2] then redis.call('PUBLISH', ARGV[4], ARGV[5]) end
return 1
`;

/**
 * This host stops saying its limits for a daemon and lane (its broker stops): the others' hold again.
 * KEYS: said, saidx. ARGV: host, channel, base.
 */
export const WITHDRAW = `
if redis.call('HDEL', KEYS[1], ARGV[1]) > 0 then redis.call('PUBLISH', ARGV[2], ARGV[3]) end
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
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

/**
 * What one endpoint and lane holds and waits for, fleet-wide, and its limits. KEYS[5..6]: said, saidx.
 * Returns {now, held [id, expiry…], waiting count, info [id, json…], the fleet's limit (0: none said), its spacing,
 * said [host, "limit spacing[ learned]"…]}.
 */
export const INSPECT = `${PRELUDE}${FLEET_LIMIT}
forget_lapsed(KEYS[5], KEYS[6], now)
local limit, spacing = fleet_limit(KEYS[5])
return {now, redis.call('ZRANGE', h, 0, -1, 'WITHSCORES'), redis.call('ZCARD', q), redis.call('HGETALL', info), limit, spacing,
	redis.call('HGETALL', KEYS[5])}
`;

/**
 * Says this host is in the fleet (or leaves it) and lists the hosts whose lease is alive.
 * KEYS: hosts (scored by lease end), host info. ARGV: host id, lease ms, JSON info ('' leaves, '?' only lists).
 * Returns HGETALL info.
 */
export const HOSTS = `${REDIS_NOW}if ARGV[3] == '' then
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
