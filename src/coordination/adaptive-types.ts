import type { ClassLatencySnapshot } from './class-latency.js';
import type { LatencyClass } from './command-class.js';

/** The adaptive controller's settings, for one lane. */
export interface AdaptiveSettings {
	/** The most calls at once: the lane's `maxConcurrent`. */
	readonly ceiling: number;
	/** The largest gap between starts it asks for: the lane's `minTimeMs`. */
	readonly maxSpacingMs: number;
	/** The fewest calls at once it backs off to. */
	readonly minimum: number;
	/** The limit it starts from, before it has measured anything. */
	readonly initialLimit: number;
	/** Completed calls per adjustment (at least the limit itself). */
	readonly window: number;
	/** Calls that may wait inside the daemon (estimated from latency over baseline) before the limit drops. */
	readonly tolerance: number;
}

/** A finished call, as the broker saw it. */
export interface LatencySample {
	/** `undefined`: not a latency sample (a build, a pull, an attached call…); a daemon failure still counts. */
	readonly commandClass: LatencyClass | undefined;
	readonly durationMs: number;
	readonly kind: 'ok' | 'failed' | 'daemon';
	/** When it finished, on the broker's clock (ms). */
	readonly at: number;
	/** The most calls of the lane in flight at once while it ran, itself included. */
	readonly inflight: number;
	/** Calls of the lane in flight on average while it ran, itself included; `inflight` if not known. */
	readonly load?: number;
	/** Still running at `at` (a foreground run past its lease): `durationMs` is only a lower bound. */
	readonly censored?: boolean;
	readonly detail?: string;
}

/** Our own `/_ping` failed, or a call's daemon watch found the daemon silent past the stall bound (`daemon.stallMs`). */
export interface CongestionSignal {
	readonly kind: 'ping-failed' | 'stalled';
	readonly detail: string;
}

export interface AdaptiveSnapshot {
	readonly limit: number;
	/** Why the limit last changed (or held where it is). */
	readonly reason: string;
	readonly changedAt: number | null;
	/** The class whose baseline is being measured, one call at a time. */
	readonly measuring: LatencyClass | null;
	readonly slowStart: boolean;
	readonly classes: Readonly<Record<string, ClassLatencySnapshot>>;
}
