import { delimiter } from 'node:path';
import type { ExactBytes } from '../system/exact-bytes.js';
import { runWithTerminal } from '../system/run-with-terminal.js';
import { locateDocker } from './locate.js';

/** Set in the environment of the docker we spawn; seeing it on ourselves means that "docker" was us again. */
const PARENT_MARKER = 'SAFE_DOCKER_PARENT_PID';
/** The dockers that ran safe-docker again (wrapper shims), PATH-delimited: passed over when looking for the next one. */
const SHIMS_MARKER = 'SAFE_DOCKER_SHIMS';

type Env = NodeJS.ProcessEnv;

/** The environment for the docker we run: it marks us as its parent, and `docker` as a possible shim. */
export function dockerEnvOf(env: Env, docker: string, shims: readonly string[] = []): Env {
	return { ...env, [PARENT_MARKER]: String(process.pid), [SHIMS_MARKER]: [...shims, docker].join(delimiter) };
}

/**
 * True when the "docker" a safe-docker ran was a wrapper script (`exec safe-docker "$@"`) that ran us again:
 * our parent is that safe-docker.
 */
export function isRerun(env: Env, ppid = process.ppid): boolean {
	return env[PARENT_MARKER] !== undefined && env[PARENT_MARKER] === String(ppid);
}

/**
 * Runs the call with the next docker on PATH after the shims, as it is: the outer safe-docker already guarded
 * it and holds its slot, so a wrapper shim works like a symlink. Config is not read (its docker.path may be
 * the shim itself).
 */
export async function passThrough(
	argv: readonly string[],
	{ env, cwd, self, exact }: { env: Env; cwd: string; self: string; exact: ExactBytes | undefined },
): Promise<number> {
	const shims = (env[SHIMS_MARKER] ?? '').split(delimiter).filter(Boolean);
	const docker = locateDocker({ configured: null, self, skip: shims, env });
	return (await runWithTerminal(docker, argv, { env: dockerEnvOf(env, docker, shims), cwd, ...(exact ? { exact } : {}) })).exitCode;
}
