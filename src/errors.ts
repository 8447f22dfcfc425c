/**
 * The family of failures safe-docker reports itself, in one place to import from: each a structured record with a
 * stable `code`, typed fields and a `cause` (see errors/safe-docker-error.ts). Refusals and coordination failures
 * live in errors/; the rest, and the one function that turns any failure into the line a user reads, here.
 */
import { DataLossRejection, GuardRejection } from './errors/refusals.js';
import { SafeDockerError } from './errors/safe-docker-error.js';

export * from './errors/coordination.js';
export * from './errors/refusals.js';

/** A config file or variable that is unreadable, malformed, or names an unknown key or a bad value. */
export class ConfigError extends SafeDockerError {
	readonly code = 'CONFIG_INVALID';
	readonly exitCode = 78; // EX_CONFIG (sysexits.h)

	constructor(
		/** The file or environment variable the bad input came from. */
		readonly source: string,
		/** Dotted key path, when the problem is one key. */
		readonly key: string | undefined,
		/** What is wrong and what is allowed. */
		readonly problem: string,
		options?: { cause?: unknown },
	) {
		super(key === undefined ? `${source}: ${problem}` : `${source}: ${key}: ${problem}`, options);
		this.name = 'ConfigError';
	}
}

/** No real docker binary could be found (or the one named does not exist / is not executable). */
export class DockerNotFound extends SafeDockerError {
	readonly code = 'DOCKER_NOT_FOUND';
	readonly exitCode = 127; // what a shell returns for a missing command

	constructor(
		readonly detail: string,
		options?: { cause?: unknown },
	) {
		super(detail, options);
		this.name = 'DockerNotFound';
	}
}

/** A command to run (under `guard lock`) does not exist or cannot be executed. */
export class CommandNotFound extends SafeDockerError {
	readonly code = 'COMMAND_NOT_FOUND';
	readonly exitCode = 127;

	constructor(
		readonly command: string,
		readonly reason: string,
		options?: { cause?: unknown },
	) {
		super(`cannot run ${command}: ${reason}`, options);
		this.name = 'CommandNotFound';
	}
}

/** The state directory cannot be created or is not private/writable. */
export class StateDirError extends SafeDockerError {
	readonly code = 'STATE_DIR_UNUSABLE';
	readonly exitCode = 73; // EX_CANTCREAT (sysexits.h)

	constructor(
		readonly path: string,
		readonly problem: string,
		options?: { cause?: unknown },
	) {
		super(`state directory ${path}: ${problem}`, options);
		this.name = 'StateDirError';
	}
}

/** A decision that needs a health measurement that could not be made (fail closed). */
export class HealthUnmeasured extends SafeDockerError {
	readonly code = 'HEALTH_UNKNOWN';
	readonly exitCode = 2; // as guard health's UNKNOWN

	constructor(message: string) {
		super(message);
		this.name = 'HealthUnmeasured';
	}
}

/** A safe-docker command used wrongly (commander reports most of these itself). */
export class UsageError extends SafeDockerError {
	readonly code = 'USAGE';
	readonly exitCode = 64; // EX_USAGE (sysexits.h)

	constructor(message: string) {
		super(message);
		this.name = 'UsageError';
	}
}

/** A docker call whose output safe-docker needed failed. */
export class DockerCallFailed extends SafeDockerError {
	readonly code = 'DOCKER_CALL_FAILED';
	readonly exitCode = 1; // as docker's own failures

	constructor(
		readonly args: readonly string[],
		readonly detail: string,
	) {
		super(`docker ${args.slice(0, 2).join(' ')} failed: ${detail}`);
		this.name = 'DockerCallFailed';
	}
}

/** The audit log cannot be written (a directory or a FIFO in its place, a full disk): a forced call does not run unaudited. */
export class AuditUnwritable extends SafeDockerError {
	readonly code = 'AUDIT_UNWRITABLE';
	readonly exitCode = 73; // EX_CANTCREAT (sysexits.h)

	constructor(
		readonly file: string,
		readonly problem: string,
		options?: { cause?: unknown },
	) {
		super(`cannot write the audit log ${file} (${problem}); a forced call runs only once it is audited`, options);
		this.name = 'AuditUnwritable';
	}
}

/** The audit log cannot be read (a FIFO or a directory in its place, no permission). */
export class AuditUnreadable extends SafeDockerError {
	readonly code = 'AUDIT_UNREADABLE';
	readonly exitCode = 74; // EX_IOERR (sysexits.h)

	constructor(
		readonly file: string,
		readonly problem: string,
		options?: { cause?: unknown },
	) {
		super(`cannot read the audit log ${file} (${problem})`, options);
		this.name = 'AuditUnreadable';
	}
}

/** A file `guard scan` gave up on: nesting or work beyond the per-file bound. The scan goes on without it. */
export class ScanLimitExceeded extends SafeDockerError {
	readonly code = 'SCAN_LIMIT';
	readonly exitCode = 2; // as a path that cannot be read

	constructor(readonly limit: string) {
		super(`too complex to scan: ${limit}`);
		this.name = 'ScanLimitExceeded';
	}
}

/** A volume backup or restore that did not happen; whatever it had half-written is gone. */
export class VolumeBackupFailed extends SafeDockerError {
	readonly code = 'VOLUME_BACKUP_FAILED';
	readonly exitCode = 1;

	constructor(
		readonly operation: 'backup' | 'restore',
		readonly volume: string,
		readonly problem: string,
		options?: { cause?: unknown },
	) {
		super(`${operation} of volume ${volume} failed: ${problem}`, options);
		this.name = 'VolumeBackupFailed';
	}
}

/** One of our own commands stopped by Ctrl-C (SIGINT) or SIGTERM after cleaning up. */
export class Interrupted extends SafeDockerError {
	readonly code = 'INTERRUPTED';
	readonly exitCode = 130; // 128 + SIGINT, as a shell reports it

	constructor(readonly what: string) {
		super(`${what} interrupted; nothing half-done was kept`);
		this.name = 'Interrupted';
	}
}

/** The one line a user reads for a failure; unknown errors keep their message but never a stack trace. */
export function formatError(error: unknown): string {
	if (error instanceof GuardRejection || error instanceof DataLossRejection) return error.lines().join('\n');
	if (error instanceof SafeDockerError) return `safe-docker: ${error.message}`;
	if (error instanceof Error) return `safe-docker: internal error: ${error.message}`;
	return `safe-docker: internal error: ${String(error)}`;
}

/** The exit code for a failure; 70 (EX_SOFTWARE) for anything unexpected. */
export function exitCodeOf(error: unknown): number {
	return error instanceof SafeDockerError ? error.exitCode : 70;
}
