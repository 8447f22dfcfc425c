import type { Endpoint } from '../docker/endpoint.js';
import type { PingResult } from '../docker/ping.js';
import { type Clock, systemClock } from '../system/clock.js';
import type { CongestionSignal } from './adaptive-limit.js';

export interface DaemonWatchOptions {
	/** The daemon to watch now, or undefined when nothing runs (the watch then sleeps until poked). */
	readonly endpoint: () => Endpoint | undefined;
	readonly ping: (endpoint: Endpoint, timeoutMs: number) => Promise<PingResult>;
	/** Deadline of a ping; no answer by then is a failed ping. */
	readonly timeoutMs: number;
	/** A ping slower than this is a stall. */
	readonly stallMs: number;
	readonly everyMs: number;
	readonly onSignal: (signal: CongestionSignal) => void;
	readonly clock?: Clock;
}

/**
 * While adaptive calls run, pings the daemon now and then: a ping that fails or stalls is a congestion signal
 * that no call's duration shows yet (a call can take minutes; `/_ping` answers in milliseconds unless the
 * daemon is wedged). `docker ps` and `/_ping` stay fast while the daemon is merely busy, so a fast ping says
 * nothing, and only a slow or failed one is reported.
 */
export class DaemonWatch {
	private cancel: (() => void) | undefined;
	private pinging = false;
	private stopped = false;

	constructor(private readonly options: DaemonWatchOptions) {}

	/** Something runs: make sure a ping is due. */
	poke(): void {
		if (this.cancel || this.pinging || this.stopped) return;
		this.cancel = (this.options.clock ?? systemClock).setTimer(() => void this.tick(), this.options.everyMs);
	}

	stop(): void {
		this.stopped = true;
		this.cancel?.();
		this.cancel = undefined;
	}

	private async tick(): Promise<void> {
		this.cancel = undefined;
		const endpoint = this.options.endpoint();
		if (!endpoint || this.stopped) return;
		this.pinging = true;
		const result = await this.options.ping(endpoint, this.options.timeoutMs);
		this.pinging = false;
		if (this.stopped) return;
		if (!result.ok && result.reason !== 'unknown') this.options.onSignal({ kind: 'ping-failed', detail: result.detail });
		else if (result.ok && result.latencyMs > this.options.stallMs) this.options.onSignal({ kind: 'ping-slow', pingMs: result.latencyMs });
		this.poke();
	}
}
