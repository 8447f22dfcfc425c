import { mkdirSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { LockDirectoryUnusable, LockTimeout } from '../errors.js';
import { makeDirs } from '../system/make-dirs.js';
import { loadProperLockfile } from '../system/proper-lockfile.js';
import { type Holder, holderIsGone, newHolder, readHolder, writeHolder } from './holder.js';
import { lockFiles } from './paths.js';

export interface AcquireOptions {
	/** Directory holding the locks (created if missing). */
	readonly dir: string;
	readonly env: string;
	/** What the holder runs, for whoever waits. */
	readonly command: string;
	readonly reason: string | null;
	/** Give up after this long; `undefined` waits for as long as it takes. */
	readonly timeoutMs?: number;
	/** A lock whose holder stopped refreshing it this long ago is stale (for holders on other hosts or without metadata). */
	readonly staleMs: number;
	/**
	 * How long to wait between looks at a held lock, jittered by half of it so that waiters do not retry in lockstep.
	 * @default 150
	 */
	readonly pollMs?: number;
	/** Called at each look while waiting, with who holds the lock. */
	readonly onWait?: (holder: Holder | undefined, waitedMs: number) => void;
	/** Called if the lock is taken from us while we hold it (only possible when we stopped refreshing it). */
	readonly onCompromised?: (error: Error) => void;
	// For testing
	readonly now?: () => number;
}

/** What every lock backend (the lock directory, the fleet's Redis) is asked for. */
export type LockRequest = Pick<AcquireOptions, 'env' | 'command' | 'reason' | 'timeoutMs' | 'onWait' | 'onCompromised'>;

/** A held lock. */
export interface HeldLock {
	readonly env: string;
	readonly waitedMs: number;
	/** Records the pid of the command run under the lock, so the lock outlives a killed safe-docker while it runs. */
	setChild(pid: number): void;
	release(): Promise<void>;
}

/** proper-lockfile never takes a lock over itself: its stale takeover can let two processes win (issue #121). */
const NEVER = 365 * 86_400_000;
/** A takeover that has not finished in this long was abandoned by a dead process. */
const TAKEOVER_STALE_MS = 5_000;

/**
 * Takes an environment lock (proper-lockfile: an atomic mkdir, its mtime refreshed while held), waiting
 * as long as allowed. A stale lock — its holder on this host is gone (dead pid, or a pid reused by another
 * process), or, for holders elsewhere, it has not been refreshed for `staleMs` — is taken over under a
 * second mutex, so that two waiters can never both take over the same stale lock.
 */
export async function acquireLock(options: AcquireOptions): Promise<HeldLock> {
	const { dir, env, staleMs, now = Date.now, pollMs = 150 } = options;
	const files = lockFiles(dir, env);
	try {
		makeDirs(dir, 0o777);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new LockDirectoryUnusable(dir, code === 'EEXIST' || code === 'ENOTDIR' ? 'not a directory' : `cannot create it (${code})`, {
			cause: error,
		});
	}
	const started = now();
	const update = Math.max(1000, Math.min(2000, Math.floor(staleMs / 3)));
	const { lock: properLock } = await loadProperLockfile();
	for (;;) {
		try {
			const release = await properLock(files.target, {
				realpath: false,
				lockfilePath: files.lockDir,
				stale: NEVER,
				update,
				retries: 0,
				onCompromised: error => options.onCompromised?.(error),
			});
			let holder = newHolder(env, options.command, options.reason);
			writeHolder(files.holder, holder);
			return {
				env,
				waitedMs: now() - started,
				setChild(pid) {
					holder = { ...holder, childPid: pid };
					writeHolder(files.holder, holder);
				},
				async release() {
					rmSync(files.holder, { force: true });
					await release().catch(() => undefined);
				},
			};
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
		}
		const holder = readHolder(files.holder);
		if (isStale(files.lockDir, holder, staleMs, now())) {
			takeOver(files, staleMs, now);
			continue;
		}
		const waited = now() - started;
		if (options.timeoutMs !== undefined && waited >= options.timeoutMs) throw new LockTimeout(env, options.timeoutMs, holder);
		options.onWait?.(holder, waited);
		// Polling with jitter, so that waiters do not retry in lockstep; never past the deadline.
		await sleep(Math.min(pollMs * (1 + Math.random() / 2), options.timeoutMs === undefined ? Infinity : options.timeoutMs - waited));
	}
}

function isStale(lockDir: string, holder: Holder | undefined, staleMs: number, now: number): boolean {
	let mtime: number;
	try {
		mtime = statSync(lockDir).mtimeMs;
	} catch {
		return false; // released meanwhile: just try again
	}
	// A holder on this host is judged by its process, never by the clock: alive for hours is still alive.
	if (holder !== undefined && holder.host === hostname()) return holder.pid !== process.pid && holderIsGone(holder);
	// Otherwise by the clock; a lock dated further into the future than that was not refreshed by a live holder either.
	return Math.abs(now - mtime) > staleMs;
}

/** Removes a stale lock, under a mutex of its own, re-checking that it is still the stale one. */
function takeOver(files: ReturnType<typeof lockFiles>, staleMs: number, now: () => number): void {
	try {
		mkdirSync(files.takeover);
	} catch {
		try {
			if (now() - statSync(files.takeover).mtimeMs > TAKEOVER_STALE_MS) rmSync(files.takeover, { recursive: true, force: true });
		} catch {
			// gone meanwhile
		}
		return;
	}
	try {
		// Only a lock that is still stale now is removed: a waiter that got in first holds a fresh one.
		if (isStale(files.lockDir, readHolder(files.holder), staleMs, now())) {
			rmSync(files.holder, { force: true });
			rmSync(files.lockDir, { recursive: true, force: true });
		}
	} finally {
		rmSync(files.takeover, { recursive: true, force: true });
	}
}
