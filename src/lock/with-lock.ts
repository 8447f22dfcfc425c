import { statusLine } from '../system/status-line.js';
import type { HeldLock } from './acquire.js';
import { describeHolder, type HolderSummary } from './describe-holder.js';
import type { LockBackend } from './lock-backend.js';

/** Environment names held by this process's ancestors, comma-separated: nested calls under a held lock never wait for it. */
const HELD_LOCKS = 'SAFE_DOCKER_LOCKS';

/** What happens to the lock, for `guard lock --json`: one JSON line each, in place of the human lines. */
export type LockEvent =
	| { readonly event: 'waiting'; readonly env: string; readonly holder: HolderSummary | null }
	/** `inherited`: an ancestor holds it (SAFE_DOCKER_LOCKS), so it was not taken again. */
	| { readonly event: 'acquired'; readonly env: string; readonly waitedMs: number; readonly inherited: boolean }
	| { readonly event: 'compromised'; readonly env: string; readonly detail: string }
	| { readonly event: 'released'; readonly env: string; readonly heldMs: number }
	/** `guard lock --timeout` gave up (exit 75). */
	| { readonly event: 'timeout'; readonly env: string; readonly waitedMs: number; readonly holder: HolderSummary | null };

export interface WithLockOptions {
	/** Where the lock is kept (see backend.ts: the lock directory or the fleet's Redis); opened only when the lock must be taken, closed after. */
	readonly locks: () => Promise<LockBackend>;
	readonly env: string;
	readonly command: string;
	readonly reason: string | null;
	readonly timeoutMs: number | undefined;
	/** The environment of this process: tells which locks an ancestor already holds. */
	readonly processEnv: Readonly<Record<string, string | undefined>>;
	readonly stderr: Pick<NodeJS.WriteStream, 'write'> & { readonly isTTY?: boolean };
	/** Report events here instead of writing the waiting and takeover lines to stderr. */
	readonly report?: (event: LockEvent) => void;
}

/**
 * Runs `body` holding the environment's lock, released on every way out. A lock an ancestor holds is
 * not taken again (re-entrant by inheritance); `body` gets the variables its children must inherit.
 */
export async function withLock<T>(
	options: WithLockOptions,
	body: (held: HeldLock | undefined, childEnv: Record<string, string>) => Promise<T>,
): Promise<T> {
	const { env, report } = options;
	const held = heldByAncestors(options.processEnv);
	if (held.includes(env)) {
		report?.({ event: 'acquired', env, waitedMs: 0, inherited: true });
		return body(undefined, {});
	}
	const childEnv = { [HELD_LOCKS]: [...held, env].join(',') };
	const line = statusLine(options.stderr, options.processEnv);
	let waitReported = false;
	const locks = await options.locks();
	const lock = await locks
		.acquire({
			env: options.env,
			command: options.command,
			reason: options.reason,
			...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
			onWait: (holder, waitedMs) => {
				if (!report) {
					if (waitedMs >= 1000) line.show(`safe-docker: waiting for the lock of environment '${env}': ${describeHolder(holder)}`);
				} else if (!waitReported) {
					waitReported = true;
					report({ event: 'waiting', env, holder: holder === undefined ? null : summary(holder) });
				}
			},
			onCompromised: error => {
				if (report) report({ event: 'compromised', env, detail: error.message });
				else options.stderr.write(`safe-docker: the lock of environment '${env}' was taken over while held (${error.message})\n`);
			},
		})
		.catch(error => {
			locks.close();
			throw error;
		})
		.finally(() => line.clear());
	report?.({ event: 'acquired', env, waitedMs: lock.waitedMs, inherited: false });
	const acquiredAt = Date.now();
	try {
		return await body(lock, childEnv);
	} finally {
		await lock.release();
		locks.close();
		report?.({ event: 'released', env, heldMs: Date.now() - acquiredAt });
	}
}

function summary({ pid, host, user, command, reason, acquiredAt }: HolderSummary): HolderSummary {
	return { pid, host, user, command, reason, acquiredAt };
}

function heldByAncestors(env: Readonly<Record<string, string | undefined>>): string[] {
	return (env[HELD_LOCKS] ?? '').split(',').filter(Boolean);
}
