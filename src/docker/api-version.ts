import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DockerClient } from './client.js';

/** The API version a docker call will use, and how we know it. */
export interface ApiVersionInForce {
	/** `1.41`; undefined when unknown. */
	readonly version: string | undefined;
	/**
	 * `DOCKER_API_VERSION`: docker pins itself to it, so a newer daemon behaves as that API; `negotiated`:
	 * what docker negotiated with this endpoint when last asked (cached per endpoint); `unknown`: neither.
	 */
	readonly source: 'DOCKER_API_VERSION' | 'negotiated' | 'unknown';
}

const CACHE_FILE = 'api-versions.json';
/** An engine upgraded (or downgraded) since is noticed within this long. */
const CACHE_MS = 3_600_000;

type Cache = Record<string, { readonly version: string; readonly at: number }>;

/**
 * The API version in force without asking a daemon (for `guard check`, scan and hooks): `DOCKER_API_VERSION`
 * when set, else the endpoint's cached negotiated version if fresh, else unknown.
 */
export function knownApiVersion(
	env: Readonly<Record<string, string | undefined>>,
	stateDir: string | undefined,
	endpoint: string,
	now = Date.now(),
): ApiVersionInForce {
	const pinned = env['DOCKER_API_VERSION']?.trim().replace(/^v/, '');
	if (pinned) return { version: pinned, source: 'DOCKER_API_VERSION' };
	const cached = stateDir === undefined ? undefined : readCache(stateDir)[endpoint];
	if (cached !== undefined && now - cached.at >= 0 && now - cached.at < CACHE_MS) return { version: cached.version, source: 'negotiated' };
	return { version: undefined, source: 'unknown' };
}

/**
 * Asks docker which API version it negotiates with the endpoint (`docker version`, `Client.APIVersion`: the
 * lower of the CLI's and the daemon's) and caches it. For the proxy only, and only for calls whose verdict
 * depends on it; undefined when docker cannot tell in time.
 */
export async function learnApiVersion(
	docker: DockerClient,
	stateDir: string,
	endpoint: string,
	now = Date.now(),
): Promise<string | undefined> {
	const result = await docker(['version', '--format', '{{.Client.APIVersion}}']).catch(() => undefined);
	const version = result?.stdout.trim();
	if (result?.exitCode !== 0 || !version || !/^\d+\.\d+$/.test(version)) return undefined;
	rememberApiVersion(stateDir, endpoint, version, now);
	return version;
}

/** Records a negotiated version for the endpoint (also from `guard backup`, which asks docker anyway). */
export function rememberApiVersion(stateDir: string, endpoint: string, version: string, now = Date.now()): void {
	const file = join(stateDir, CACHE_FILE);
	const cache = { ...readCache(stateDir), [endpoint]: { version, at: now } };
	try {
		// Whole-file replace: a reader sees the old or the new cache, never half of one.
		const temporary = `${file}.${process.pid}`;
		writeFileSync(temporary, `${JSON.stringify(cache)}\n`, { mode: 0o600 });
		renameSync(temporary, file);
	} catch {
		// A cache: losing it costs one more question to docker later.
	}
}

function readCache(stateDir: string): Cache {
	try {
		const cache = JSON.parse(readFileSync(join(stateDir, CACHE_FILE), 'utf8')) as unknown;
		return cache !== null && typeof cache === 'object' ? (cache as Cache) : {};
	} catch {
		return {};
	}
}
