import { statusLine } from '../cli/status-line.js';
import { describeHolder } from '../errors.js';
import { acquireLock, type HeldLock } from './acquire.js';

/** Environment names held by this process's ancestors, comma-separated: nested calls under a held lock never wait for it. */
export const HELD_LOCKS = 'SAFE_DOCKER_LOCKS';

export interface WithLockOptions {
	readonly dir: string;
	readonly env: string;
	readonly command: string;
	readonly reason: string | null;
	readonly timeoutMs: number | undefined;
	readonly staleMs: number;
	/** The environment of this process: tells which locks an ancestor already holds. */
	readonly processEnv: Readonly<Record<string, string | undefined>>;
	readonly stderr: Pick<NodeJS.WriteStream, 'write'> & { readonly isTTY?: boolean };
}

/**
 * Runs `body` holding the environment's lock, released on every way out. A lock an ancestor holds is
 * not taken again (re-entrant by inheritance); `body` gets the variables its children must inherit.
 */
export async function withLock<T>(options: WithLockOptions, body: (held: HeldLock | undefined, childEnv: Record<string, string>) => Promise<T>): Promise<T> {
	const held = heldByAncestors(options.processEnv);
	if (held.includes(options.env)) return body(undefined, {});
	const childEnv = { [HELD_LOCKS]: [...held, options.env].join(',') };
	const line = statusLine(options.stderr, options.processEnv);
	const lock = await acquireLock({
		dir: options.dir,
		env: options.env,
		command: options.command,
		reason: options.reason,
		...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
		staleMs: options.staleMs,
		onWait: (holder, waitedMs) => {
			if (waitedMs >= 1000) line.show(`safe-docker: waiting for the lock of environment '${options.env}': ${describeHolder(holder)}`);
		},
		onCompromised: error => options.stderr.write(`safe-docker: the lock of environment '${options.env}' was taken over while held (${error.message})\n`),
	}).finally(() => line.clear());
	try {
		return await body(lock, childEnv);
	} finally {
		await lock.release();
	}
}

export function heldByAncestors(env: Readonly<Record<string, string | undefined>>): string[] {
	return (env[HELD_LOCKS] ?? '').split(',').filter(Boolean);
}
