import { describeHolder, type HolderSummary } from '../lock/describe-holder.js';
import { SafeDockerError } from './safe-docker-error.js';

/** Exit code of a call ended or not started because the daemon stopped answering, as timeout(1) exits. */
export const DAEMON_STALLED_EXIT_CODE = 124;

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

/** Fleet mode's Redis cannot be reached and `fleet.onUnavailable` is `fail`; the URL is shown without credentials. */
export class FleetUnavailable extends SafeDockerError {
	readonly code = 'FLEET_UNAVAILABLE';
	readonly exitCode = 69; // EX_UNAVAILABLE (sysexits.h)

	constructor(
		readonly redis: string,
		readonly detail: string,
		/** What follows, when it is not `fleet.onUnavailable = fail` (an unlock, which never falls back). */
		consequence = 'and fleet.onUnavailable is "fail"; set it to "local" to run with this host\'s limits meanwhile',
	) {
		super(`the fleet's Redis at ${redis} cannot be reached (${detail}) ${consequence}`);
		this.name = 'FleetUnavailable';
	}
}
