import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { procStatField } from '../system/proc-stat.js';
import { currentUser } from '../system/user.js';

/** Who holds an environment lock: written beside the lock, readable by everyone who waits for it. */
export interface Holder {
	readonly env: string;
	/** The safe-docker process that took the lock. */
	readonly pid: number;
	/** The command it runs under the lock, once started. */
	readonly childPid?: number;
	readonly host: string;
	readonly user: string;
	readonly command: string;
	readonly reason: string | null;
	/** ISO 8601. */
	readonly acquiredAt: string;
	/** Start time of `pid` (Linux: clock ticks after boot, /proc/<pid>/stat field 22), to tell a reused pid apart. */
	readonly startTime: number | null;
	/** Linux boot id: a pid from before a reboot is never the same process. */
	readonly bootId: string | null;
}

export function newHolder(env: string, command: string, reason: string | null, now = new Date()): Holder {
	return {
		env,
		pid: process.pid,
		host: hostname(),
		user: currentUser(),
		command,
		reason,
		acquiredAt: now.toISOString(),
		startTime: processStartTime(process.pid),
		bootId: bootId(),
	};
}

/**
 * Written to a temporary file and renamed, so a reader never sees half of it. The temporary file is new (O_EXCL,
 * a random name): in a shared lock directory, a symlink planted under a predictable name is never written through.
 */
export function writeHolder(file: string, holder: Holder): void {
	const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
	writeFileSync(temporary, `${JSON.stringify(holder, null, 2)}\n`, { mode: 0o644, flag: 'wx' });
	renameSync(temporary, file);
}

export function readHolder(file: string): Holder | undefined {
	try {
		return parseHolder(readFileSync(file, 'utf8'));
	} catch {
		return undefined;
	}
}

/** A holder record as written (the lock directory's file, the fleet lock's `holder` field); garbage reads as unknown. */
export function parseHolder(json: string | null): Holder | undefined {
	if (json === null) return undefined;
	try {
		return JSON.parse(json) as Holder;
	} catch {
		return undefined;
	}
}

/**
 * Whether the process a holder names still runs on this machine: its pid exists and, where the platform
 * tells, it started when the holder says (same boot, same start time), so a reused pid does not count.
 */
function isAlive(pid: number, startTime: number | null, holderBootId: string | null): boolean {
	if (holderBootId !== null && bootId() !== null && holderBootId !== bootId()) return false;
	try {
		process.kill(pid, 0);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
	}
	const current = processStartTime(pid);
	return startTime === null || current === null || current === startTime;
}

/** Whether a holder on this host is gone: neither it nor the command it started still runs. */
export function holderIsGone(holder: Holder): boolean {
	if (holder.host !== hostname()) return false;
	if (isAlive(holder.pid, holder.startTime, holder.bootId)) return false;
	return holder.childPid === undefined || !isAlive(holder.childPid, null, holder.bootId);
}

export function processStartTime(pid: number): number | null {
	return procStatField(pid, 22) ?? null; // starttime
}

function bootId(): string | null {
	try {
		return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
	} catch {
		return null;
	}
}
