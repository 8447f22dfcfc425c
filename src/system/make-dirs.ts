import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * `mkdir -p`: creates `path` and its missing parents with `mode`. Not `mkdirSync(…, { recursive: true })`:
 * Node's loops forever where mkdir answers ENOENT under a parent that exists (`/proc/x`); here every
 * failure is thrown once.
 */
export function makeDirs(path: string, mode: number): void {
	const missing: string[] = [];
	for (let dir = resolve(path); ; dir = dirname(dir)) {
		try {
			const found = statSync(dir);
			// As mkdir -p: the path itself must end up a directory; a missing parent's mkdir reports any other.
			if (dir === resolve(path) && !found.isDirectory())
				throw Object.assign(new Error(`EEXIST: file already exists, mkdir '${dir}'`), { code: 'EEXIST' });
			break;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
		}
		missing.push(dir);
		if (dirname(dir) === dir) break;
	}
	for (const dir of missing.reverse()) {
		try {
			mkdirSync(dir, { mode });
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error; // made by another process meanwhile
		}
	}
}
