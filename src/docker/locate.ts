import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { DockerNotFound } from '../errors.js';

export interface LocateOptions {
	/** `docker.path` from the configuration (already merged with `SAFE_DOCKER_DOCKER`). */
	readonly configured: string | null;
	/** Where that value came from, for the error message. */
	readonly configuredFrom?: string;
	/** Real path of the running safe-docker entry point, so a `docker` shim of ours is skipped. */
	readonly self: string;
	/** Dockers on PATH to pass over too: wrapper shims that ran safe-docker again. */
	readonly skip?: readonly string[];
	readonly env?: Readonly<Record<string, string | undefined>>;
	readonly platform?: NodeJS.Platform;
}

/**
 * Finds the real docker: the configured path (`SAFE_DOCKER_DOCKER` / `docker.path`), else the first
 * `docker` on PATH that is not safe-docker itself (compared by real path), so that safe-docker can be
 * installed as a `docker` shim without calling itself forever.
 */
export function locateDocker({
	configured,
	configuredFrom = 'docker.path',
	self,
	skip = [],
	env = process.env,
	platform = process.platform,
}: LocateOptions): string {
	if (configured) {
		const path = isAbsolute(configured) ? configured : resolve(configured);
		if (!isExecutableFile(path)) throw new DockerNotFound(`${configuredFrom} names ${path}, which is not an executable file`);
		if (sameFile(path, self))
			throw new DockerNotFound(`${configuredFrom} names ${path}, which is safe-docker itself; point it at the real docker`);
		return path;
	}
	const names = platform === 'win32' ? windowsNames(env) : ['docker'];
	const dirs = (env['PATH'] ?? env['Path'] ?? '').split(delimiter).filter(Boolean);
	for (const dir of dirs) {
		for (const name of names) {
			const candidate = join(dir, name);
			if (isExecutableFile(candidate) && !sameFile(candidate, self) && !skip.some(shim => sameFile(candidate, shim))) return candidate;
		}
	}
	throw new DockerNotFound('cannot find the real docker on PATH; install docker or set SAFE_DOCKER_DOCKER to its path');
}

function windowsNames(env: Readonly<Record<string, string | undefined>>): string[] {
	const extensions = (env['PATHEXT'] ?? '.EXE;.CMD;.BAT;.COM').split(';').filter(Boolean);
	return extensions.map(extension => `docker${extension.toLowerCase()}`);
}

function isExecutableFile(path: string): boolean {
	try {
		if (!statSync(path).isFile()) return false;
		accessSync(path, constants.X_OK);
		return true;
	} catch {
		return false;
	}
}

function sameFile(a: string, b: string): boolean {
	try {
		return realpathSync(a) === realpathSync(b);
	} catch {
		return false;
	}
}
