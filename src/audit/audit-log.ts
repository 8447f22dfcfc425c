import { chmodSync, closeSync, constants, existsSync, fdatasyncSync, fstatSync, readSync, renameSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { lockSync } from 'proper-lockfile';
import { AuditUnreadable, AuditUnwritable } from '../errors.js';
import { openRegularFile, readRegularFile } from '../system/regular-file.js';
import { currentUser } from '../system/user.js';

/** What the guard decided about a call. */
export type AuditDecision =
	| 'rejected'
	| 'rewritten'
	| 'warned'
	| 'allowed-by-config'
	| 'escape-hatch'
	| 'unlocked'
	| 'unlimited'
	/** `guard cleanup --backup-to`: a volume the policy refuses, removed after its verified backup. */
	| 'backed-up';

/** One line of the audit log. */
export interface AuditEntry {
	readonly time: string;
	readonly user: string;
	readonly host: string;
	readonly pid: number;
	readonly cwd: string;
	/** The docker argv, secrets redacted. */
	readonly argv: readonly string[];
	readonly command: string | null;
	/** The token that asked for force (`-f`, `-af`, `--force`), or that causes the data loss (`-v`). */
	readonly flag: string | null;
	readonly decision: AuditDecision;
	readonly policy: string;
	/** The call's exit code once it ran (77 when it was rejected); null while it runs, or when it never told. */
	readonly exitCode: number | null;
	/** Why an escape hatch or override was used, when given. */
	readonly reason?: string;
	/** Which guard decided: the force guard (when absent) or the data-loss guard. */
	readonly guard?: 'data-loss';
	/** The data-loss guard's class, volumes when known, and the API version it judged for. */
	readonly loss?: 'named' | 'anonymous';
	readonly volumes?: readonly string[] | null;
	readonly apiVersion?: string | null;
}

/** A line that completes an earlier entry of the same process with the exit code of the call it let run. */
interface Completion {
	readonly time: string;
	readonly pid: number;
	readonly completes: string;
	readonly exitCode: number;
}

const AUDIT_FILE = 'audit.log';

/**
 * Appends one JSON line to `<stateDir>/audit.log` (mode 0600) and flushes it to disk before returning, so that a
 * call is audited before it runs. Lines are written with O_APPEND in one write, so concurrent processes never
 * interleave them; a torn last line (a crash mid-write) is ended first, so it never swallows the next entry. Past
 * `maxBytes` the file is rotated to `audit.log.1` (one rotated file kept) under a lock. Only a regular file is
 * written: a FIFO, a directory or a full disk is an `AuditUnwritable`, never a hang. Returns the entry's time.
 */
export function appendAudit(
	stateDir: string,
	entry: Omit<AuditEntry, 'time' | 'user' | 'host' | 'pid'>,
	maxBytes: number,
	now = new Date(),
): string {
	const time = now.toISOString();
	writeLine(stateDir, { time, user: currentUser(), host: hostname(), pid: process.pid, ...entry }, maxBytes);
	return time;
}

/** Records the exit code of a call whose entry (written at `time`, before it ran) said it may run. */
export function completeAudit(stateDir: string, time: string, exitCode: number, maxBytes: number): void {
	const completion: Completion = { time: new Date().toISOString(), pid: process.pid, completes: time, exitCode };
	writeLine(stateDir, completion, maxBytes);
}

function writeLine(stateDir: string, record: AuditEntry | Completion, maxBytes: number): void {
	const file = join(stateDir, AUDIT_FILE);
	const line = `${JSON.stringify(record)}\n`;
	try {
		if (existsSync(file) && statSync(file).isFile() && statSync(file).size + line.length > maxBytes) rotate(file, maxBytes);
		const fd = openRegularFile(file, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT, 0o600);
		try {
			const size = fstatSync(fd).size;
			const last = Buffer.alloc(1);
			const torn = size > 0 && readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
			writeSync(fd, torn ? `\n${line}` : line);
			fdatasyncSync(fd);
			if ((fstatSync(fd).mode & 0o077) !== 0) chmodSync(file, 0o600);
		} finally {
			closeSync(fd);
		}
	} catch (error) {
		throw new AuditUnwritable(file, (error as NodeJS.ErrnoException).code ?? (error as Error).message, { cause: error });
	}
}

function rotate(file: string, maxBytes: number): void {
	let release: (() => void) | undefined;
	try {
		release = lockSync(file, { realpath: false, stale: 10_000 });
	} catch {
		return; // another process is rotating it right now
	}
	try {
		if (statSync(file).size > maxBytes / 2) renameSync(file, `${file}.1`);
	} finally {
		release();
	}
}

/** Entries of the rotated and the current file, oldest first, with their exit codes once known; unreadable lines are skipped. */
export function readAudit(stateDir: string): AuditEntry[] {
	const entries: AuditEntry[] = [];
	const completions = new Map<string, number>();
	for (const file of [`${AUDIT_FILE}.1`, AUDIT_FILE].map(name => join(stateDir, name))) {
		if (!existsSync(file)) continue;
		let text: string;
		try {
			text = readRegularFile(file);
		} catch (error) {
			throw new AuditUnreadable(file, (error as NodeJS.ErrnoException).code ?? (error as Error).message, { cause: error });
		}
		for (const line of text.split('\n')) {
			if (line.trim() === '') continue;
			try {
				const record = JSON.parse(line) as AuditEntry | Completion;
				if ('completes' in record) completions.set(`${record.pid} ${record.completes}`, record.exitCode);
				else entries.push(record);
			} catch {
				// a torn line from a crash mid-write: skip it, keep the rest
			}
		}
	}
	return entries.map(entry => {
		const exitCode = completions.get(`${entry.pid} ${entry.time}`);
		return exitCode === undefined ? entry : { ...entry, exitCode };
	});
}
