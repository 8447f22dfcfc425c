/**
 * Every default safe-docker ships with, in one place. The numbers are the seed system's (see README,
 * "Configuration"): they are what teams already run with, so changing one is a product decision.
 */
export const DEFAULTS = {
	force: {
		/** What happens to a call with force semantics: `reject` it, `rewrite` rm -f as a graceful removal, or `warn` and run it. */
		policy: 'reject' as ForcePolicy,
		/** Command paths allowed to use force, e.g. `network rm` (whose -f only ignores a missing network). */
		allow: [] as string[],
	},
	lock: {
		/** Command paths that take the environment lock automatically, e.g. ["compose up", "compose down"]. */
		commands: [] as string[],
		/** The environment those calls lock; null falls back to SAFE_DOCKER_ENV, then the compose project (-p, COMPOSE_PROJECT_NAME). */
		environment: null as string | null,
		/** Where locks live; null is <state dir>/locks. A shared (network) directory lets several hosts share them. */
		directory: null as string | null,
		/** How long an automatic lock waits before giving up; 0 waits for as long as it takes. */
		timeoutMs: 600_000,
		/** A lock not refreshed for this long is stale (holders on this host are checked by pid instead). */
		staleMs: 10_000,
	},
	audit: {
		/** Size at which the audit log is rotated to audit.log.1 (one rotated file is kept). */
		maxBytes: 5_000_000,
	},
	docker: {
		/** Path of the real docker binary; `null` searches PATH (skipping safe-docker itself). */
		path: null as string | null,
	},
	lanes: {
		/** run -d, create, rm, stop, build, pull, prune, compose up -d/down… */
		mutate: { maxConcurrent: 3, minTimeMs: 500 },
		/** ps, images, inspect, version, logs without -f… — looser, so `docker ps` never waits behind builds. */
		read: { maxConcurrent: 8, minTimeMs: 0 },
		/** logs -f, events, attach, foreground run, exec -it, compose up attached: a slot only for a start-up lease. */
		attached: { maxConcurrent: 3, minTimeMs: 0, leaseMs: 2000 },
	},
	broker: {
		/** The per-user broker exits after this long with no calls. */
		idleTimeoutMs: 300_000,
	},
	retry: {
		/** Retries after the first attempt, for calls a retry cannot double (reads, or calls that never reached the daemon). */
		retries: 3,
		/** Delay before the first retry; doubles each time (1 s → 2 s → 4 s). */
		initialDelayMs: 1000,
	},
	breaker: {
		/** Consecutive daemon failures that open the breaker. Stricter profile: 3. */
		failureThreshold: 5,
		/** How long the breaker stays open before one probe call is let through. Stricter profile: 900000 (15 min). */
		recoveryTimeoutMs: 30_000,
	},
	health: {
		/** Resource levels: SAFE < warning ≤ WARNING < critical ≤ CRITICAL < emergency ≤ EMERGENCY (percent). */
		warningPercent: 50,
		criticalPercent: 75,
		emergencyPercent: 90,
		/** Budget for docker's disk use (images, containers, volumes, build cache); null: the data root's file system size, when the engine is local. */
		diskBudgetBytes: null as number | null,
		/** Container count (running or not) that counts as 100 %. */
		maxContainers: 200,
		/** Network count that counts as 100 % (docker's default address pools run out near 30 bridge networks). */
		maxNetworks: 30,
		/** Volume count that counts as 100 %. */
		maxVolumes: 500,
		/** Deadline of the daemon ping; a daemon slower than this is unreachable. */
		pingTimeoutMs: 3000,
	},
	cleanup: {
		/** Stopped containers older than this are removed. */
		olderThanMs: 86_400_000,
		/** Build cache above this size is pruned (least recently used first, by the builder). */
		buildCacheBudgetBytes: 10_000_000_000,
		/** With --images: unused images are removed, least recently used first, until images fit in this budget. */
		imageBudgetBytes: 20_000_000_000,
		/** Labels that protect a container, image, network or volume when set to "true". */
		keepLabels: ['safe-docker.keep'] as string[],
		/** Label naming the environment something belongs to (besides compose's project label), to spare locked environments. */
		environmentLabel: 'safe-docker.env',
	},
	remove: {
		/** Seconds `guard remove` gives a container to stop gracefully (SIGTERM) before docker sends SIGKILL. */
		stopTimeoutSeconds: 10,
	},
};

export type ForcePolicy = 'reject' | 'rewrite' | 'warn';

export type Config = typeof DEFAULTS;
