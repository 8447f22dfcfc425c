import { explainForce, explainLoss } from './guard/explain.js';
import { describeHolder, type HolderSummary } from './lock/describe-holder.js';

/**
 * Every failure safe-docker reports itself is one of these records: a stable `code`, typed fields, and an
 * optional `cause`. `formatError` turns any of them into the one line a user reads; `--json` prints the fields.
 */
abstract class SafeDockerError extends Error {
	abstract readonly code: string;
	/** The process exit code this failure maps to. */
	abstract readonly exitCode: number;

	/** The fields worth printing with `--json`. */
	toJSON(): Record<string, unknown> {
		const { name: _name, message, stack: _stack, cause: _cause, ...fields } = this as unknown as Record<string, unknown>;
		return { code: this.code, message, ...fields };
	}
}

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

/** Exit code of a call ended or not started because the daemon stopped answering, as timeout(1) exits. */
export const DAEMON_STALLED_EXIT_CODE = 124;

/** Exit code of a refused call: EX_NOPERM (sysexits.h), distinct from docker's own 125/126/127. */
export const REJECTED_EXIT_CODE = 77;

/** A docker call refused because it uses force semantics. */
export class GuardRejection extends SafeDockerError {
	readonly code = 'FORCE_REJECTED';
	readonly exitCode = REJECTED_EXIT_CODE;

	constructor(
		/** Canonical command path: `container rm`. */
		readonly command: string,
		/** The token that asked for force: `-f`, `-af`, `--force`. */
		readonly flag: string,
		readonly risk: string,
		/** The safe command to run instead, ready to paste. */
		readonly alternative: string,
		/** The refused call, ready to paste. */
		readonly call: string,
		/** What else the call would have done, told with the refusal (`  also: destroys anonymous volumes…`). */
		readonly also: readonly string[] = [],
	) {
		super(`refused \`${call}\`: ${flag === '--force' ? '--force' : `${flag} (--force)`} on ${command}`);
		this.name = 'GuardRejection';
	}

	/** The three lines a user reads: what was refused, the risk, what to run instead. */
	lines(): string[] {
		return [
			...explainForce(`safe-docker: ${this.message}`, this.risk, this.alternative),
			...this.also,
			`  (to force it once anyway, audited: SAFE_DOCKER_ALLOW_FORCE="<reason>" ${this.call})`,
		];
	}
}

/** A docker call refused because it destroys volume data (named volumes, by default); maybe forced too. */
export class DataLossRejection extends SafeDockerError {
	readonly code = 'DATA_LOSS_REJECTED';
	readonly exitCode = REJECTED_EXIT_CODE;

	constructor(
		/** Canonical command path: `volume rm`. */
		readonly command: string,
		readonly lossClass: 'named' | 'anonymous',
		/** The token that causes it (`-v`, `--volumes`), or null when the command itself does. */
		readonly flag: string | null,
		/** The volumes that would go, when known. */
		readonly volumes: readonly string[] | null,
		readonly risk: string,
		/** The safe command to run instead, ready to paste. */
		readonly alternative: string,
		readonly keeps: string,
		readonly backupFirst: boolean,
		/** The refused call, ready to paste. */
		readonly call: string,
		/** The same call's force refusal, when it is forced too: both reasons are told. */
		readonly force?: GuardRejection,
	) {
		const named = volumes === null || volumes.length === 0 ? '' : `: ${volumes.join(', ')}`;
		super(`refused \`${call}\`: ${flag === null ? command : `${flag} on ${command}`} destroys ${lossClass} volumes${named}`);
		this.name = 'DataLossRejection';
	}

	/** What a user reads: the force refusal first, if any, then what would be lost, the risk and the safe way. */
	lines(): string[] {
		return [
			...(this.force?.lines() ?? []),
			...explainLoss(`safe-docker: ${this.message}`, this.risk, this.alternative, this.keeps, this.backupFirst, this.call, true),
		];
	}
}

/** The breaker of the daemon endpoint is open: the call fails fast instead of piling onto a failing daemon. */
export class BreakerOpen extends SafeDockerError {
	readonly code = 'BREAKER_OPEN';
	readonly exitCode = 69; // EX_UNAVAILABLE (sysexits.h)

	constructor(
		readonly endpoint: string,
		readonly breaker: {
			readonly consecutiveFailures: number;
			readonly openedAt: number | null;
			readonly nextProbeAt: number | null;
			readonly lastFailure: string | null;
		},
	) {
		const time = (at: number | null) => (at === null ? '?' : new Date(at).toISOString());
		super(
			`the Docker daemon at ${endpoint} is failing (${breaker.lastFailure ?? 'daemon failures'}) since ${time(breaker.openedAt)}; calls fail fast until the next probe at ${time(breaker.nextProbeAt)}; details: safe-docker guard health`,
		);
		this.name = 'BreakerOpen';
	}
}

/** The directory of the environment locks cannot be used (a file in its place, no permission). */
export class LockDirectoryUnusable extends SafeDockerError {
	readonly code = 'LOCK_DIRECTORY_UNUSABLE';
	readonly exitCode = 73; // EX_CANTCREAT (sysexits.h)

	constructor(
		readonly path: string,
		readonly problem: string,
		options?: { cause?: unknown },
	) {
		super(`lock directory ${path}: ${problem}; set lock.directory to a directory you can write`, options);
		this.name = 'LockDirectoryUnusable';
	}
}

/** Waited for an environment lock longer than allowed. */
export class LockTimeout extends SafeDockerError {
	readonly code = 'LOCK_TIMEOUT';
	readonly exitCode = 75; // EX_TEMPFAIL (sysexits.h): try again later

	constructor(
		readonly env: string,
		readonly waitedMs: number,
		readonly holder: HolderSummary | undefined,
	) {
		super(`timed out after ${(waitedMs / 1000).toFixed(1)} s waiting for the lock of environment '${env}': ${describeHolder(holder)}`);
		this.name = 'LockTimeout';
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

/**
 * The per-user broker that holds the cross-process limits cannot be had: it cannot be started (`unstartable`), it
 * closed the connection (`closed`: it died, and the next call starts another), or it stopped answering (`silent`:
 * a stopped or wedged process, which is not replaced while it holds its socket).
 */
export class BrokerUnavailable extends SafeDockerError {
	readonly code = 'BROKER_UNAVAILABLE';
	readonly exitCode = 69; // EX_UNAVAILABLE (sysexits.h)

	constructor(
		readonly detail: string,
		readonly reason: 'unstartable' | 'closed' | 'silent' = 'unstartable',
		options?: { cause?: unknown },
	) {
		super(detail, options);
		this.name = 'BrokerUnavailable';
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
