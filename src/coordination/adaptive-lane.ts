import type { Config } from '../config/defaults.js';
import type { Hold } from '../docker-grammar/lanes.js';
import { AdaptiveLimit } from './adaptive-limit.js';
import type { AdaptiveSnapshot, CongestionSignal, LatencySample } from './adaptive-types.js';
import { latencyClassOf } from './command-class.js';
import type { LanePolicy, Ticket } from './lane-scheduler.js';
import type { ReportedOutcome } from './protocol.js';

/**
 * How long after its lease a foreground run that normally ends within the lease still counts against the limit,
 * in leases. A storm of `run --rm … true` on a busy machine outlives its 2 s leases, and without this each lease
 * that ended let one more call start: the lane ran far past its limit exactly when the daemon was slowest. A run
 * that is a long job (a test suite in a container) stops counting after this bound, so a stream never holds
 * the lane for long.
 */
const OVERDUE_LEASES = 4;

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
	/** Foreground runs held for a lease, by when they were granted, until they finish (or outlive OVERDUE_LEASES). */
	private readonly leased = new Map<Ticket, number>();

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

	/** The controller's limit, less the foreground runs still running past their lease (they hold no slot now). */
	limit(): number {
		return Math.max(1, this.controller.limit() - this.overdue());
	}

	/** Foreground runs whose lease ended while they still run, of a class that normally ends within its lease. */
	private overdue(): number {
		if (this.leased.size === 0) return 0;
		const now = this.now();
		const baseline = this.controller.baseline('run');
		const holding = new Set(this.running());
		let overdue = 0;
		for (const [ticket, grantedAt] of this.leased) {
			if (now - grantedAt > (1 + OVERDUE_LEASES) * this.leaseMs) this.leased.delete(ticket);
			else if (!holding.has(ticket) && baseline !== undefined && baseline < this.leaseMs) overdue++;
		}
		return overdue;
	}

	spacingMs(): number {
		return this.controller.spacingMs(this.running().length);
	}

	/** A call of the lane got its slot: everyone running now runs beside that many. */
	granted(ticket: Ticket, call: { readonly command: string | null; readonly hold: Hold; readonly reannounce?: boolean }): void {
		// A re-announced call is never reported finished to the lane: it is not counted past its lease either.
		if (latencyClassOf(call.command ?? undefined, call.hold) === 'run' && !call.reannounce) this.leased.set(ticket, this.now());
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
		this.leased.delete(ticket);
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
