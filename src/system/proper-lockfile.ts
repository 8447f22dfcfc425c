import type * as ProperLockfile from 'proper-lockfile';

/**
 * proper-lockfile, loaded on first use (it brings graceful-fs and signal-exit: start-up cost that a plain
 * `docker ps` does not need). It is CommonJS: under a dynamic import its API may sit on `default`.
 */
export async function loadProperLockfile(): Promise<typeof ProperLockfile> {
	const loaded = (await import('proper-lockfile')) as typeof ProperLockfile & { default?: typeof ProperLockfile };
	return loaded.default ?? loaded;
}
