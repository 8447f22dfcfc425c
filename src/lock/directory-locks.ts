import { lstatSync, rmSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { LockDirectoryUnusable } from '../errors.js';
import { acquireLock } from './acquire.js';
import type { LockBackend } from './lock-backend.js';
import { checkEnvName, lockFiles } from './paths.js';
import { listLocks, lockState } from './status.js';

/** This host's environment locks: a directory of lock directories (proper-lockfile), the default outside fleet mode. */
export function directoryLocks(dir: string, staleMs: number): LockBackend {
	return {
		where: `lock directory ${dir}`,
		acquire: request => acquireLock({ ...request, dir, staleMs }),
		state: async env => lockState(dir, checkEnvName(env), staleMs),
		list: async () => listLocks(dir, staleMs),
		async remove(env) {
			removeLock(lockFiles(dir, env));
		},
		close() {},
	};
}

/** Removes a lock's files without following a symlink planted among them (in a shared, world-writable directory). */
function removeLock(files: ReturnType<typeof lockFiles>): void {
	for (const path of [files.holder, files.lockDir]) {
		try {
			if (lstatSync(path).isDirectory()) rmSync(path, { recursive: true, force: true });
			else unlinkSync(path);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
			throw new LockDirectoryUnusable(dirname(path), `cannot remove ${path} (${(error as NodeJS.ErrnoException).code})`, { cause: error });
		}
	}
}
