// The adaptive limit's tuning: each number with where it comes from. Read beside AdaptiveLimit, which uses them.

/**
 * Latency within this much of the baseline is noise, not queueing (Envoy adds 25 % to its minRTT for the
 * same reason, envoy#9038): without it, a baseline measured 15 % low reads as 1.8 calls queued at a limit of 12.
 */
export const NOISE = 0.1;
/** A baseline off by more than this (window median over baseline) is replaced rather than trusted. */
export const TOO_HIGH = 0.7;
/** The longest a baseline measurement pins the lane at 1. */
export const MEASURE_FOR_MS = 30_000;
/**
 * Throughput at the same limit this much lower than before: the daemon got slower. (More throughput is found
 * by probing: one window's noise must not send the limit up.)
 */
export const CHANGED = 0.7;
/** Slow start doubles the limit while each doubling buys this much more throughput (BBR leaves its startup below 25 %). */
export const DOUBLING_PAYS = 1.25;
/** At its best limit, the controller tries again a neighbour not tried in this many windows. */
export const FRESH = 8;
/**
 * A lane idle this long starts its next burst in slow start from where it was (TCP restarts its window after
 * an idle period, RFC 5681 §4.1): the daemon may have changed, and what each limit delivered is stale.
 */
export const IDLE_RESTART_MS = 10_000;
/**
 * The most each call may be stretched (latency over its baseline) to buy throughput. On two cores a storm of
 * `run --rm` finishes as fast at four calls at once as at eight, and 10–25 % slower at two, while the p95 of a
 * `docker ps` beside it grows two- to threefold with each doubling (bench/results/adaptive.md, its fixed limits
 * without spacing); calls take 1.1–1.8× their baseline at two or three at once and 2–3× at four. This keeps the
 * lane at two or three: a little throughput given up for half the interactive latency. Neither slow start nor
 * a probe goes up from a window stretched more than this, and a limit that stretched calls more is not "best"
 * however much it delivered.
 */
export const STRETCH = 2;
/** Windows at the minimum, latency still high, before the baseline is doubted (envoy#10647 uses five). */
export const STUCK_WINDOWS = 3;
