import type { Endpoint } from '../docker/endpoint.js';
import type { Hold, Lane } from '../docker-grammar/lanes.js';
import type { FleetStatus } from '../fleet/fleet-status.js';
import type { BreakerSnapshot, OutcomeKind } from './breaker.js';
import type { CountersSummary } from './stats-store.js';

/**
 * The broker's wire protocol: one JSON object per line over a Unix socket (a named pipe on Windows).
 * A client holds its slot for as long as its connection is open, so a client killed with SIGKILL frees
 * its slot the moment the kernel closes its socket.
 */
export type ClientMessage =
	/** `version: null` is a status query: any broker answers it, and none retires for it. */
	| { readonly type: 'hello'; readonly version: string | null }
	/** Ask for a slot; `reannounce` says docker already runs (its broker died) and only needs counting. */
	| ({ readonly type: 'acquire'; readonly pid: number; readonly reannounce?: boolean } & SlotRequest)
	| { readonly type: 'release'; readonly outcome: ReportedOutcome }
	/** The daemon of the slot's call has answered no ping for the stall bound: open its breaker for everyone. */
	| { readonly type: 'stall'; readonly detail: string }
	| { readonly type: 'stats' }
	| { readonly type: 'reset' }
	| { readonly type: 'stop' };

export type BrokerMessage =
	| { readonly type: 'welcome'; readonly version: string; readonly pid: number }
	/** The broker is of another version: it stops taking new clients; start a new one. */
	| { readonly type: 'mismatch'; readonly version: string }
	/** Where a waiting call stands: sent when it queues, then every second while it waits. */
	| {
			readonly type: 'queued';
			readonly lane: Lane;
			/** The lane's limit now, and whether it is learned (`adaptive`) or configured. */
			readonly limit: number;
			/** Absent: fixed. */
			readonly mode?: LaneMode;
			/** What the calls holding the lane's slots are (at most the limit, give or take a re-announced one). */
			readonly running: readonly string[];
			/** How many wait ahead: a count, since every waiter hears it every second. */
			readonly ahead: number;
			/** Fleet mode: this host would let the call start; it waits for a permit shared with the fleet's other hosts. */
			readonly fleet?: true;
	  }
	/** `note`: something the caller says on stderr with the grant (fleet mode fell back to this host's limits). */
	| { readonly type: 'granted'; readonly waitedMs: number; readonly note?: string }
	/** Fleet mode, `fleet.onUnavailable` = fail: the fleet's Redis cannot be reached (the URL without credentials). */
	| { readonly type: 'fleet-unavailable'; readonly redis: string; readonly detail: string }
	/** The endpoint's breaker is open: fail fast. */
	| { readonly type: 'open'; readonly endpoint: string; readonly breaker: BreakerSnapshot }
	| { readonly type: 'stats'; readonly stats: StatsSnapshot }
	| { readonly type: 'ok' };

/** The slot a call asks for. */
export interface SlotRequest {
	readonly lane: Lane;
	/** `lease`: the slot is freed after the start-up lease, while the call runs on. */
	readonly hold: Hold;
	/** What other waiters see of the call. */
	readonly label: string;
	/** The canonical command path (`container run`), or null when docker will not know it either. */
	readonly command: string | null;
	/** The daemon the call talks to, for its breaker. */
	readonly endpoint: Endpoint;
}

/** What a client tells the broker about a finished call. */
export interface ReportedOutcome {
	readonly exitCode: number;
	readonly durationMs: number;
	readonly waitedMs: number;
	/** `ok`; `failed` (docker or the container said no); `daemon` (the daemon itself failed, confirmed by a ping). */
	readonly kind: OutcomeKind;
	/** What failed, for a daemon failure. */
	readonly detail?: string;
}

/** What the broker reports: the shared counters, and who holds and waits for slots now. */
export interface StatsSnapshot extends CountersSummary {
	readonly brokerPid: number;
	/** Fleet mode: membership, the hosts seen and the permits held fleet-wide. */
	readonly fleet?: FleetStatus;
	readonly lanes: Readonly<
		Record<Lane, { readonly running: number; readonly queued: number; readonly limit: number; readonly mode: LaneMode }>
	>;
}

type LaneMode = 'fixed' | 'adaptive';

/** Splits a byte stream into JSON messages. */
export function lineReader<T>(onMessage: (message: T) => void): (chunk: Buffer) => void {
	let buffer = '';
	return chunk => {
		buffer += chunk.toString('utf8');
		for (let newline = buffer.indexOf('\n'); newline !== -1; newline = buffer.indexOf('\n')) {
			const line = buffer.slice(0, newline);
			buffer = buffer.slice(newline + 1);
			if (line.trim() === '') continue;
			try {
				onMessage(JSON.parse(line) as T);
			} catch {
				// a garbled line is dropped, not fatal
			}
		}
	};
}

export const encode = (message: ClientMessage | BrokerMessage) => `${JSON.stringify(message)}\n`;
