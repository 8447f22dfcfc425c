/** How a call ended, as the breaker and the statistics count it: `daemon` failures alone open the breaker. */
export type OutcomeKind = 'ok' | 'failed' | 'daemon';

/** Breaker states, shared by every call to one daemon endpoint. */
export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerSnapshot {
	readonly state: BreakerState;
	readonly consecutiveFailures: number;
	readonly openedAt: number | null;
	readonly nextProbeAt: number | null;
	readonly lastFailure: string | null;
	readonly transitions: number;
}

export interface BreakerSettings {
	readonly failureThreshold: number;
	readonly recoveryTimeoutMs: number;
}

/**
 * A consecutive-failure breaker for one daemon endpoint. Only daemon failures count (unreachable, timed
 * out, 5xx — confirmed by a ping); any call the daemon answered, even with an error, resets the count.
 * Open: calls fail fast until `nextProbeAt`; then exactly one probe runs (half-open); success closes,
 * failure re-opens for another recovery period.
 */
export class Breaker {
	private state: BreakerState = 'closed';
	private consecutive = 0;
	private openedAt: number | null = null;
	private nextProbeAt: number | null = null;
	private lastFailure: string | null = null;
	private transitions = 0;

	constructor(
		private readonly settings: BreakerSettings,
		private readonly now: () => number = Date.now,
		saved?: BreakerSnapshot,
	) {
		// A broker that restarts (idle exit, crash) picks up where the last one left off: an open breaker stays open.
		if (saved) {
			this.state = saved.state === 'half-open' ? 'open' : saved.state;
			this.consecutive = saved.consecutiveFailures;
			this.openedAt = saved.openedAt;
			this.nextProbeAt = saved.nextProbeAt;
			this.lastFailure = saved.lastFailure;
			this.transitions = saved.transitions;
		}
	}

	/** Record a finished call. */
	record(kind: OutcomeKind, detail?: string): void {
		if (kind !== 'daemon') {
			this.consecutive = 0;
			if (this.state !== 'closed') this.move('closed');
			return;
		}
		this.consecutive++;
		this.lastFailure = detail ?? 'daemon failure';
		if (this.state === 'half-open' || (this.state === 'closed' && this.consecutive >= this.settings.failureThreshold)) this.open();
	}

	/** Opens the breaker now, whatever the count: the daemon stopped answering altogether (a stall, not one failure). */
	trip(detail: string): void {
		this.consecutive = Math.max(this.consecutive, this.settings.failureThreshold);
		this.lastFailure = detail;
		if (this.state !== 'open') this.open();
	}

	/** `pass`: go ahead; `probe`: you are the one half-open probe; `reject`: fail fast. */
	admit(): 'pass' | 'probe' | 'reject' {
		if (this.state === 'closed') return 'pass';
		if (this.state === 'open' && this.now() >= (this.nextProbeAt ?? 0)) {
			this.move('half-open');
			return 'probe';
		}
		return 'reject';
	}

	snapshot(): BreakerSnapshot {
		return {
			state: this.state,
			consecutiveFailures: this.consecutive,
			openedAt: this.openedAt,
			nextProbeAt: this.nextProbeAt,
			lastFailure: this.lastFailure,
			transitions: this.transitions,
		};
	}

	private open(): void {
		this.openedAt = this.state === 'half-open' ? this.openedAt : this.now();
		this.nextProbeAt = this.now() + this.settings.recoveryTimeoutMs;
		this.move('open');
	}

	private move(state: BreakerState): void {
		if (state === this.state) return;
		this.state = state;
		this.transitions++;
		if (state === 'closed') {
			this.openedAt = null;
			this.nextProbeAt = null;
		}
	}
}
