import type { Config } from '../config/defaults.js';
import type { Hold } from '../docker-grammar/lanes.js';
import { AdaptiveLimit } from './adaptive-limit.js';
import type { AdaptiveSnapshot, CongestionSignal, LatencySample } from './adaptive-types.js';
import { latencyClassOf } from './command-class.js';
import type { LanePolicy, Ticket } from './lane-scheduler.js';
import type { ReportedOutcome } from './protocol.js';

/**
 * The mutate lane in adaptive mode: the scheduler's policy, answered by the controller, which is fed here with
 * what the broker sees — each finished call's duration and class, and how many calls of the lane ran beside it.
 */
export class AdaptiveLane implements LanePolicy {
	private readonly controller: AdaptiveLimit;
	/** The most calls of the lane running at once while each call ran, itself included. */
	private readonly peaks = new WeakMap<Ticket, number>();
	/** Calls already counted when their lease ended. */
	private readonly censored = new WeakSet<Ticket>();
	/** Calls of the lane in flight, integrated over time (call-ms), to average the load each call ran under. */
	private area = 0;
	private areaAt: number;
	private lastRunning = 0;
	private readonly starts = new WeakMap<Ticket, { readonly area: number; readonly at: number }>();

	constructor(
		lane: Config['lanes']['mutate'],
		ceiling: number,
		/** The calls holding a slot of the lane now. */
		private readonly running: () => readonly Ticket[],
		/** A call held for a lease that lasted longer than this is a stream, not a latency sample. */
		private readonly leaseMs: number,
		saved?: AdaptiveSnapshot,
		private readonly onChange: (before: number, after: number, reason: string) => void = () => undefined,
		private readonly now: () => number = Date.now,
	) {
		this.areaAt = now();
		const { minimum, initialLimit, window, tolerance } = lane.adaptive;
		this.controller = new AdaptiveLimit(
			{ ceiling, maxSpacingMs: lane.minTimeMs, minimum: Math.min(minimum, ceiling), initialLimit, window, tolerance },
			saved,
		);
	}

	limit(): number {
		return this.controller.limit();
	}

	spacingMs(): number {
		return this.controller.spacingMs(this.running().length);
	}

	/** A call of the lane got its slot: everyone running now runs beside that many. */
	granted(ticket: Ticket): void {
		this.integrate();
		this.starts.set(ticket, { area: this.area, at: this.areaAt });
		const running = this.running();
		for (const other of running) this.peaks.set(other, Math.max(this.peaks.get(other) ?? 0, running.length));
	}

	/** Brings the load integral up to now (slots freed by a lease in between are seen at the next event). */
	private integrate(): void {
		const now = this.now();
		this.area += this.lastRunning * (now - this.areaAt);
		this.areaAt = now;
		this.lastRunning = this.running().length;
	}

	/** The calls in flight on average since `ticket` started. */
	private loadOf(ticket: Ticket, inflight: number): number {
		this.integrate();
		const start = this.starts.get(ticket);
		if (!start || this.areaAt <= start.at) return inflight;
		return (this.area - start.area) / (this.areaAt - start.at);
	}

	/**
	 * A call held for a lease is still running when its lease ends. A foreground run is then a stream (a test
	 * suite in a container) — unless its class normally ends within the lease and others ran beside it: then the
	 * daemon is too slow to start it, and this is the moment to say so, counted as taking the lease. Without it
	 * the controller would go blind exactly when the daemon is overloaded.
	 */
	leaseEnded(ticket: Ticket, call: { readonly command: string | null; readonly hold: Hold }): void {
		const name = latencyClassOf(call.command ?? undefined, call.hold);
		const baseline = name && this.controller.baseline(name);
		const inflight = this.peaks.get(ticket) ?? 1;
		if (name === undefined || baseline === undefined || baseline >= this.leaseMs || inflight <= 1) return;
		this.censored.add(ticket);
		const load = this.loadOf(ticket, inflight);
		this.record({ commandClass: name, durationMs: this.leaseMs, kind: 'ok', at: this.now(), inflight, load, censored: true });
	}

	/** A call of the lane finished, as its client reported. */
	finished(ticket: Ticket, call: { readonly command: string | null; readonly hold: Hold }, outcome: ReportedOutcome): void {
		// Counted when its lease ended, or a stream: only a daemon failure still says something.
		const counted = this.censored.has(ticket) || (call.hold === 'lease' && outcome.durationMs > this.leaseMs);
		if (counted && outcome.kind !== 'daemon') return;
		const inflight = this.peaks.get(ticket) ?? 1;
		this.record({
			commandClass: counted ? undefined : latencyClassOf(call.command ?? undefined, call.hold),
			durationMs: outcome.durationMs,
			kind: outcome.kind,
			at: this.now(),
			inflight,
			load: this.loadOf(ticket, inflight),
			...(outcome.detail === undefined ? {} : { detail: outcome.detail }),
		});
	}

	congestion(signal: CongestionSignal): void {
		this.changes(() => this.controller.congestion(signal, this.now()));
	}

	private record(sample: LatencySample): void {
		this.changes(() => this.controller.record(sample));
	}

	/** Runs `update`, and tells `onChange` when it moved the limit. */
	private changes(update: () => void): void {
		const before = this.controller.limit();
		update();
		const after = this.controller.limit();
		if (after !== before) this.onChange(before, after, this.controller.snapshot().reason);
	}

	snapshot(): AdaptiveSnapshot {
		return this.controller.snapshot();
	}
}
