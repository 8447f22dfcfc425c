/**
 * Every configuration key, declared once: its type and allowed values, its default and what it means.
 * Defaults (`defaults.ts`), validation, environment overrides, `guard config`, the shipped JSON Schema and
 * guard.config.example.json are all derived from this tree. The defaults are the seed system's numbers: what
 * teams already run with, so changing one is a product decision.
 */
import { FORCE_RULES } from '../guard/force-rules.js';

export type KeyType =
	| { readonly kind: 'integer'; readonly min: number; readonly max?: number; readonly nullable?: true }
	| { readonly kind: 'label-list' }
	/** Shell-style name globs (`*`, `?`, `[…]`), e.g. volume names. */
	| { readonly kind: 'glob-list' }
	| { readonly kind: 'label' }
	| { readonly kind: 'path'; readonly nullable: true }
	| { readonly kind: 'name'; readonly nullable?: true }
	/** A `redis://` or `rediss://` URL; shown redacted (credentials masked) wherever it is printed. */
	| { readonly kind: 'redis-url'; readonly nullable: true }
	| { readonly kind: 'enum'; readonly values: readonly string[] }
	/** A list of docker command paths (from `values`, if given); aliases (`rm`) are accepted and stored canonical (`container rm`). */
	| { readonly kind: 'command-list'; readonly values?: readonly string[] };

/** One key's declaration; `T` is the type of its value in `Config`. */
export class Key<T> {
	declare readonly valueType: T;
	constructor(
		readonly type: KeyType,
		readonly defaultValue: T,
		readonly description: string,
		/** Extra environment variable names besides the derived `SAFE_DOCKER_<PATH>`. */
		readonly envAliases: readonly string[] = [],
	) {}
}

/** A declared key with its dotted path, e.g. `lanes.mutate.maxConcurrent`. */
export interface KeySpec {
	readonly path: string;
	readonly type: KeyType;
	readonly defaultValue: unknown;
	readonly description: string;
	readonly envAliases: readonly string[];
}

const integer = (min: number, max: number | undefined, value: number, description: string) =>
	new Key<number>({ kind: 'integer', min, ...(max === undefined ? {} : { max }) }, value, description);
const ms = (value: number, description: string) => integer(0, 86_400_000, value, description);
const percent = (value: number, description: string) => integer(1, 100, value, description);
const oneOf = <const V extends string>(values: readonly V[], value: V, description: string) =>
	new Key<V>({ kind: 'enum', values }, value, description);

export const CONFIG_KEYS = {
	force: {
		policy: oneOf(
			['reject', 'rewrite', 'warn'],
			'reject',
			'Calls with force semantics: reject them (default), rewrite `rm -f` as a graceful stop and remove (others are still rejected), or warn and run them.',
		),
		allow: new Key<readonly string[]>(
			{ kind: 'command-list', values: Object.keys(FORCE_RULES) },
			[],
			'Command paths allowed to use force, e.g. ["network rm"] (whose -f only ignores a missing network); every use is still audited.',
		),
	},
	dataLoss: {
		named: oneOf(
			['reject', 'warn', 'allow'],
			'reject',
			'Calls that destroy named volumes (volume rm, compose down -v, volume prune -a, plain prunes below API 1.42): reject them (default), warn and run them, or allow them.',
		),
		anonymous: oneOf(
			['warn', 'reject', 'allow'],
			'warn',
			'Calls that destroy only anonymous volumes (rm -v, compose rm -v, compose up -V, prunes from API 1.42): warn and run them (default), reject them, or allow them.',
		),
		allowVolumes: new Key<readonly string[]>(
			{ kind: 'glob-list' },
			[],
			'Volume name globs that may go without asking (caches), e.g. ["*_cache", "tmp-*"]: a call whose volumes all match is allowed and audited.',
		),
	},
	lock: {
		commands: new Key<readonly string[]>(
			{ kind: 'command-list' },
			[],
			'Command paths that take the environment lock automatically, e.g. ["compose up", "compose down"].',
		),
		environment: new Key<string | null>(
			{ kind: 'name', nullable: true },
			null,
			'The environment automatic locks take; null falls back to SAFE_DOCKER_ENV, then the compose project (-p, COMPOSE_PROJECT_NAME).',
			['SAFE_DOCKER_ENV'],
		),
		directory: new Key<string | null>(
			{ kind: 'path', nullable: true },
			null,
			'Directory of the locks; null is <state dir>/locks. A shared directory lets several hosts share locks.',
		),
		timeoutMs: ms(600_000, 'How long an automatic lock waits before the call fails; 0 waits for as long as it takes.'),
		staleMs: integer(
			3000,
			3_600_000,
			10_000,
			'A lock not refreshed for this long is stale; holders on this host are checked by pid instead.',
		),
	},
	audit: {
		maxBytes: integer(
			10_000,
			1_000_000_000,
			5_000_000,
			'Size in bytes at which the audit log is rotated to audit.log.1 (one rotated file is kept).',
		),
	},
	docker: {
		path: new Key<string | null>(
			{ kind: 'path', nullable: true },
			null,
			'Path of the real docker binary; null searches PATH, skipping safe-docker itself.',
			['SAFE_DOCKER_DOCKER'],
		),
	},
	lanes: {
		mutate: {
			mode: oneOf(
				['fixed', 'adaptive'],
				'fixed',
				"fixed: the limit and spacing below, always. adaptive: the broker learns the daemon's capacity from how long calls take, backs off on latency and daemon failures, and spaces starts by the limit; maxConcurrent is then its ceiling and minTimeMs the largest spacing it uses.",
			),
			maxConcurrent: new Key<number | null>(
				{ kind: 'integer', min: 1, max: 1000, nullable: true },
				null,
				'Mutating calls (run, create, rm, build, pull, prune, compose up/down…) running at once, across all processes; in adaptive mode, the most the limit may reach. null: 3 in fixed mode (the seed profile), 16 in adaptive mode.',
			),
			minTimeMs: ms(
				500,
				'Minimum milliseconds between the starts of two mutating calls; in adaptive mode, the largest spacing (used after a daemon failure).',
			),
			adaptive: {
				minimum: integer(1, 1000, 1, 'Adaptive mode: the fewest mutating calls at once it backs off to.'),
				initialLimit: integer(1, 1000, 3, 'Adaptive mode: the limit it starts from, before it has measured anything.'),
				window: integer(
					2,
					1000,
					6,
					'Adaptive mode: finished calls per adjustment of the limit (at least the limit itself); fewer follows the daemon faster, more is steadier.',
				),
				tolerance: integer(
					1,
					100,
					1,
					'Adaptive mode: calls that may queue inside the daemon (estimated from latency over its baseline) while the limit still grows freely.',
				),
			},
		},
		read: {
			maxConcurrent: integer(
				1,
				1000,
				8,
				'Read-only calls (ps, images, inspect, version, logs without -f…) running at once; looser, so `docker ps` never waits behind builds.',
			),
			minTimeMs: ms(0, 'Minimum milliseconds between the starts of two read-only calls.'),
		},
		attached: {
			maxConcurrent: integer(1, 1000, 3, 'Long-lived attached calls (logs -f, events, attach, exec -it…) starting at once.'),
			minTimeMs: ms(0, 'Minimum milliseconds between the starts of two attached calls.'),
			leaseMs: ms(
				2000,
				'How long a call attached to a stream (logs -f, a foreground run…) holds its slot after it starts; it then runs on without one.',
			),
		},
	},
	broker: {
		idleTimeoutMs: integer(1000, 86_400_000, 300_000, 'The per-user broker that holds the limits exits after this long with no calls.'),
		onUnavailable: oneOf(
			['run', 'fail'],
			'run',
			'When no broker can be had (it cannot start, or stopped answering): run the call without cross-process limits, saying so in one line and counting it (guard stats, audit log), or fail it (exit 69).',
		),
	},
	daemon: {
		stallMs: ms(
			10_000,
			'A daemon that answers no ping for this long while a call runs (or before it starts) is stalled: its breaker opens for new calls, and stderr says so.',
		),
		readDeadlineMs: ms(
			30_000,
			'A read call (ps, inspect, logs without -f…) is ended after this long without an answer to a ping (exit 124); mutating calls are never killed.',
		),
	},
	fleet: {
		redis: new Key<string | null>(
			{ kind: 'redis-url', nullable: true },
			null,
			"Fleet mode: a redis:// or rediss:// URL of a Redis server every host that drives the same daemon shares; the lane limits, spacing, breaker and environment locks then hold across hosts. null: off (this host's limits only). Credentials in it are never printed.",
		),
		leaseMs: integer(
			1000,
			3_600_000,
			10_000,
			'Fleet mode: a host that dies (its broker killed, the machine gone) frees its fleet permits and locks within this long; live hosts renew theirs, so a long call keeps its permit.',
		),
		prefix: new Key<string>(
			{ kind: 'name' },
			'safe-docker',
			'Fleet mode: the prefix of every Redis key and channel, so that several fleets (or other programs) can share one Redis.',
		),
		onUnavailable: oneOf(
			['local', 'fail'],
			'local',
			"Fleet mode, when Redis cannot be reached: local (this host's limits only, one line on stderr, the fleet is re-joined when Redis is back) or fail (exit 69).",
		),
	},
	retry: {
		retries: integer(0, 10, 3, 'Retries of a transient daemon error, only where a retry cannot double an effect.'),
		initialDelayMs: ms(1000, 'Delay before the first retry; it doubles with each retry (1 s → 2 s → 4 s).'),
	},
	breaker: {
		failureThreshold: integer(
			1,
			1000,
			5,
			'Consecutive daemon failures (unreachable, timed out, 5xx) that open the breaker. Stricter profile: 3.',
		),
		recoveryTimeoutMs: ms(30_000, 'Milliseconds the breaker stays open before one probe call is let through. Stricter profile: 900000.'),
	},
	health: {
		warningPercent: percent(50, 'Usage percentage from which a resource is at WARNING.'),
		criticalPercent: percent(75, 'Usage percentage from which a resource is at CRITICAL.'),
		emergencyPercent: percent(90, 'Usage percentage from which a resource is at EMERGENCY.'),
		diskBudgetBytes: new Key<number | null>(
			{ kind: 'integer', min: 1_000_000, max: 1e15, nullable: true },
			null,
			"Budget for docker's disk use (images, containers, volumes, build cache); null: the size of the engine's data-root file system when the engine is local.",
		),
		maxContainers: integer(1, 1_000_000, 200, 'Container count (running or not) that counts as 100 %.'),
		maxNetworks: integer(1, 100_000, 30, 'Network count that counts as 100 % (default address pools run out near 30 bridge networks).'),
		maxVolumes: integer(1, 1_000_000, 500, 'Volume count that counts as 100 %.'),
		pingTimeoutMs: integer(100, 60_000, 3000, 'Deadline of the daemon ping; slower counts as unreachable.'),
	},
	cleanup: {
		olderThanMs: integer(0, 1e12, 86_400_000, 'Stopped containers older than this are removed (--older-than overrides).'),
		buildCacheBudgetBytes: integer(0, 1e15, 10_000_000_000, 'Build cache above this size is pruned, least recently used first.'),
		imageBudgetBytes: integer(
			0,
			1e15,
			20_000_000_000,
			'With --images: unused images are removed, least recently used first, until images fit in this budget.',
		),
		keepLabels: new Key<readonly string[]>(
			{ kind: 'label-list' },
			['safe-docker.keep'],
			'Labels that protect a container, image, network or volume from cleanup when set to "true".',
		),
		environmentLabel: new Key<string>(
			{ kind: 'label' },
			'safe-docker.env',
			"Label naming the environment a resource belongs to (besides compose's project label); resources of a locked environment are spared.",
		),
	},
	remove: {
		stopTimeoutSeconds: integer(0, 3600, 10, 'Seconds a container gets to stop gracefully (SIGTERM) before docker kills it.'),
	},
};

/** A section of keys: keys and nested sections by name. */
export interface KeyTree {
	readonly [name: string]: Key<unknown> | KeyTree;
}

/** The configuration type a key tree describes. */
export type ConfigOf<T> = { readonly [K in keyof T]: T[K] extends Key<infer V> ? V : ConfigOf<T[K]> };

/** Every key of `tree` with its dotted path, in declaration order. */
function flattenKeys(tree: KeyTree, prefix = ''): KeySpec[] {
	return Object.entries(tree).flatMap(([name, node]) => {
		const path = prefix === '' ? name : `${prefix}.${name}`;
		return node instanceof Key
			? [{ path, type: node.type, defaultValue: node.defaultValue, description: node.description, envAliases: node.envAliases }]
			: flattenKeys(node, path);
	});
}

export const KEYS: readonly KeySpec[] = flattenKeys(CONFIG_KEYS);

/** `lanes.mutate.maxConcurrent` → `SAFE_DOCKER_LANES_MUTATE_MAX_CONCURRENT`. */
export function envNameOf(path: string): string {
	return `SAFE_DOCKER_${path
		.replace(/\./g, '_')
		.replace(/([a-z0-9])([A-Z])/g, '$1_$2')
		.toUpperCase()}`;
}

/** What a key allows, in words, for error messages and `--help`. */
export function describeAllowed(type: KeyType): string {
	switch (type.kind) {
		case 'integer': {
			const range = type.max === undefined ? `an integer ≥ ${type.min}` : `an integer from ${type.min} to ${type.max}`;
			return type.nullable ? `${range}, or null` : range;
		}
		case 'label':
			return 'a docker label name (letters, digits, ".", "-", "_", "/")';
		case 'label-list':
			return 'a list of docker label names';
		case 'glob-list':
			return 'a list of name globs (*, ?, [...]), e.g. ["*_cache"]';
		case 'path':
			return 'a file path (string) or null';
		case 'enum':
			return `one of ${type.values.map(value => JSON.stringify(value)).join(', ')}`;
		case 'name':
			return `a name of letters, digits, ".", "_" and "-"${type.nullable ? ', or null' : ''}`;
		case 'redis-url':
			return 'a redis:// or rediss:// URL, or null';
		case 'command-list':
			return type.values
				? `a list of command paths from: ${type.values.join(', ')}`
				: 'a list of docker command paths, e.g. ["compose up", "compose down"]';
	}
}
