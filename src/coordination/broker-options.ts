import type { Config } from '../config/defaults.js';
import type { pingDaemon } from '../docker/ping.js';

/** A line for broker.log, stamped with `at` (the moment it tells of, by the broker's clock) or now. */
export type BrokerLog = (line: string, at?: number) => void;

/** How a broker is started: what its first client passes it (the settings hold until the broker restarts). */
export interface BrokerOptions {
	readonly socketPath: string;
	readonly stateDir: string;
	readonly version: string;
	readonly lanes: Config['lanes'];
	readonly breaker: Config['breaker'];
	/** Fleet mode (`redis` set): lane permits shared through Redis with every host that uses the same daemon. */
	readonly fleet?: Config['fleet'];
	/** Deadline of the half-open probe's ping. */
	readonly probeTimeoutMs: number;
	/** Exit after this long with no client and nothing queued. */
	readonly idleTimeoutMs: number;
	/**
	 * After a start, new calls wait this long so that calls still running under a broker that died can
	 * re-announce their slots first, and the limits stay true.
	 * @default 300
	 */
	readonly reannounceGraceMs?: number;
	/** Log every queued and granted call (SAFE_DOCKER_BROKER_TRACE=1), to see the order calls are served in. */
	readonly trace?: boolean;
	readonly log?: BrokerLog;
	// For testing
	readonly ping?: typeof pingDaemon;
}
