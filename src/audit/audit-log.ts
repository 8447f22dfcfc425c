import { appendFileSync, chmodSync, existsSync, readFileSync, renameSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { lockSync } from 'proper-lockfile';
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
	/** The call's exit code, when it ran (or 77 when it was rejected). */
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

const AUDIT_FILE = 'audit.log';

/**
 * Appends one JSON line to `<stateDir>/audit.log` (mode 0600). Lines are written with O_APPEND in one
 * write, so concurrent processes never interleave them; past `maxBytes` the file is rotated to
 * `audit.log.1` (one rotated file kept) under a lock, so that two processes never rotate at once.
 */
export function appendAudit(
	stateDir: string,
	entry: Omit<AuditEntry, 'time' | 'user' | 'host' | 'pid'>,
	maxBytes: number,
	now = new Date(),
): void {
	const file = join(stateDir, AUDIT_FILE);
	const line = `${JSON.stringify({ time: now.toISOString(), user: currentUser(), host: hostname(), pid: process.pid, ...entry })}\n`;
	if (existsSync(file) && statSync(file).size + line.length > maxBytes) rotate(file, maxBytes);
	appendFileSync(file, line, { mode: 0o600 });
	if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
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

/** Entries of the rotated and the current file, oldest first; unreadable lines are skipped. */
export function readAudit(stateDir: string): AuditEntry[] {
	const entries: AuditEntry[] = [];
	for (const file of [`${AUDIT_FILE}.1`, AUDIT_FILE].map(name => join(stateDir, name))) {
		if (!existsSync(file)) continue;
		for (const line of readFileSync(file, 'utf8').split('\n')) {
			if (line.trim() === '') continue;
			try {
				entries.push(JSON.parse(line) as AuditEntry);
			} catch {
				// a torn line from a crash mid-write: skip it, keep the rest
			}
		}
	}
	return entries;
}
