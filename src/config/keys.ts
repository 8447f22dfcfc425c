/**
 * The configuration keys: type, allowed values and meaning of every leaf. Validation, environment
 * overrides, `guard config` and the shipped JSON Schema are all derived from this list; defaults come
 * from `defaults.ts`.
 */
import { FORCE_RULES } from '../guard/force-rules.js';

export type KeyType =
	| { readonly kind: 'integer'; readonly min: number; readonly max?: number; readonly nullable?: true }
	| { readonly kind: 'label-list' }
	| { readonly kind: 'label' }
	| { readonly kind: 'path'; readonly nullable: true }
	| { readonly kind: 'name'; readonly nullable: true }
	| { readonly kind: 'enum'; readonly values: readonly string[] }
	/** A list of docker command paths (from `values`, if given); aliases (`rm`) are accepted and stored canonical (`container rm`). */
	| { readonly kind: 'command-list'; readonly values?: readonly string[] };

export interface KeySpec {
	/** Dotted path, e.g. `lanes.mutate.maxConcurrent`. */
	readonly path: string;
	readonly type: KeyType;
	readonly description: string;
	/** Extra environment variable names besides the derived `SAFE_DOCKER_<PATH>`. */
	readonly envAliases?: readonly string[];
}

const count = (min: number, max?: number): KeyType => ({ kind: 'integer', min, ...(max === undefined ? {} : { max }) });
const ms = count(0, 86_400_000);
const percent = count(1, 100);

export const KEYS: readonly KeySpec[] = [
	{
		path: 'force.policy',
		type: { kind: 'enum', values: ['reject', 'rewrite', 'warn'] },
		description:
			'Calls with force semantics: reject them (default), rewrite `rm -f` as a graceful stop and remove (others are still rejected), or warn and run them.',
	},
	{
		path: 'force.allow',
		type: { kind: 'command-list', values: Object.keys(FORCE_RULES) },
		description: 'Command paths allowed to use force, e.g. ["network rm"]; every use is still audited.',
	},
	{
		path: 'lock.commands',
		type: { kind: 'command-list' },
		description: 'Command paths that take the environment lock automatically, e.g. ["compose up", "compose down"].',
	},
	{
		path: 'lock.environment',
		type: { kind: 'name', nullable: true },
		envAliases: ['SAFE_DOCKER_ENV'],
		description: 'The environment automatic locks take; null falls back to the compose project (-p, COMPOSE_PROJECT_NAME).',
	},
	{
		path: 'lock.directory',
		type: { kind: 'path', nullable: true },
		description: 'Directory of the locks; null is <state dir>/locks. A shared directory lets several hosts share locks.',
	},
	{
		path: 'lock.timeoutMs',
		type: ms,
		description: 'How long an automatic lock waits before the call fails; 0 waits for as long as it takes.',
	},
	{
		path: 'lock.staleMs',
		type: count(3000, 3_600_000),
		description: 'A lock not refreshed for this long is stale; holders on this host are checked by pid instead.',
	},
	{
		path: 'audit.maxBytes',
		type: count(10_000, 1_000_000_000),
		description: 'Size in bytes at which the audit log is rotated (one rotated file is kept).',
	},
	{
		path: 'docker.path',
		type: { kind: 'path', nullable: true },
		envAliases: ['SAFE_DOCKER_DOCKER'],
		description: 'Path of the real docker binary; null searches PATH, skipping safe-docker itself.',
	},
	{
		path: 'lanes.mutate.maxConcurrent',
		type: count(1, 1000),
		description: 'Mutating calls (run -d, create, rm, build, pull, prune, compose up -d/down…) running at once, across all processes.',
	},
	{ path: 'lanes.mutate.minTimeMs', type: ms, description: 'Minimum milliseconds between the starts of two mutating calls.' },
	{
		path: 'lanes.read.maxConcurrent',
		type: count(1, 1000),
		description: 'Read-only calls (ps, images, inspect, version, logs without -f…) running at once.',
	},
	{ path: 'lanes.read.minTimeMs', type: ms, description: 'Minimum milliseconds between the starts of two read-only calls.' },
	{
		path: 'lanes.attached.maxConcurrent',
		type: count(1, 1000),
		description: 'Long-lived attached calls (logs -f, events, attach, foreground run, exec -it…) starting at once.',
	},
	{ path: 'lanes.attached.minTimeMs', type: ms, description: 'Minimum milliseconds between the starts of two attached calls.' },
	{
		path: 'lanes.attached.leaseMs',
		type: ms,
		description:
			'How long a call attached to a stream (logs -f, a foreground run…) holds its slot after it starts; it then runs on without one.',
	},
	{
		path: 'broker.idleTimeoutMs',
		type: count(1000, 86_400_000),
		description: 'The per-user broker that holds the limits exits after this long with no calls.',
	},
	{
		path: 'retry.retries',
		type: count(0, 10),
		description: 'Retries of a transient daemon error, only where a retry cannot double an effect.',
	},
	{ path: 'retry.initialDelayMs', type: ms, description: 'Delay before the first retry; it doubles with each retry (1 s → 2 s → 4 s).' },
	{
		path: 'breaker.failureThreshold',
		type: count(1, 1000),
		description: 'Consecutive daemon failures (unreachable, timed out, 5xx) that open the breaker. Stricter profile: 3.',
	},
	{
		path: 'breaker.recoveryTimeoutMs',
		type: ms,
		description: 'Milliseconds the breaker stays open before one probe call is let through. Stricter profile: 900000.',
	},
	{ path: 'health.warningPercent', type: percent, description: 'Usage percentage from which a resource is at WARNING.' },
	{ path: 'health.criticalPercent', type: percent, description: 'Usage percentage from which a resource is at CRITICAL.' },
	{ path: 'health.emergencyPercent', type: percent, description: 'Usage percentage from which a resource is at EMERGENCY.' },
	{
		path: 'health.diskBudgetBytes',
		type: { kind: 'integer', min: 1_000_000, max: 1e15, nullable: true },
		description:
			"Budget for docker's disk use (images, containers, volumes, build cache); null: the size of the engine's data-root file system when the engine is local.",
	},
	{ path: 'health.maxContainers', type: count(1, 1_000_000), description: 'Container count (running or not) that counts as 100 %.' },
	{
		path: 'health.maxNetworks',
		type: count(1, 100_000),
		description: 'Network count that counts as 100 % (default address pools run out near 30 bridge networks).',
	},
	{ path: 'health.maxVolumes', type: count(1, 1_000_000), description: 'Volume count that counts as 100 %.' },
	{ path: 'health.pingTimeoutMs', type: count(100, 60_000), description: 'Deadline of the daemon ping; slower counts as unreachable.' },
	{
		path: 'cleanup.olderThanMs',
		type: count(0, 1e12),
		description: 'Stopped containers older than this are removed (--older-than overrides).',
	},
	{
		path: 'cleanup.buildCacheBudgetBytes',
		type: count(0, 1e15),
		description: 'Build cache above this size is pruned, least recently used first.',
	},
	{
		path: 'cleanup.imageBudgetBytes',
		type: count(0, 1e15),
		description: 'With --images: unused images are removed, least recently used first, until images fit in this budget.',
	},
	{
		path: 'cleanup.keepLabels',
		type: { kind: 'label-list' },
		description: 'Labels that protect a container, image, network or volume from cleanup when set to "true".',
	},
	{
		path: 'cleanup.environmentLabel',
		type: { kind: 'label' },
		description:
			"Label naming the environment a resource belongs to (besides compose's project label); resources of a locked environment are spared.",
	},
	{
		path: 'remove.stopTimeoutSeconds',
		type: count(0, 3600),
		description: 'Seconds a container gets to stop gracefully (SIGTERM) before docker kills it.',
	},
];

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
		case 'path':
			return 'a file path (string) or null';
		case 'enum':
			return `one of ${type.values.map(value => JSON.stringify(value)).join(', ')}`;
		case 'name':
			return 'a name of letters, digits, ".", "_" and "-", or null';
		case 'command-list':
			return type.values
				? `a list of command paths from: ${type.values.join(', ')}`
				: 'a list of docker command paths, e.g. ["compose up", "compose down"]';
	}
}
