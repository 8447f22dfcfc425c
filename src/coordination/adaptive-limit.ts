import {
	CHANGED,
	DOUBLING_PAYS,
	FRESH,
	IDLE_RESTART_MS,
	MEASURE_FOR_MS,
	NOISE,
	STRETCH,
	STUCK_WINDOWS,
	TOO_HIGH,
} from './adaptive-tuning.js';
import type { AdaptiveSettings, AdaptiveSnapshot, CongestionSignal, LatencySample } from './adaptive-types.js';
import { ClassLatency, ESTABLISHED_AFTER } from './class-latency.js';
import type { LatencyClass } from './command-class.js';
import { trimmedMean, upperMedian } from './robust-stats.js';
import { ThroughputTable } from './throughput-table.js';

/**
 * Adaptive concurrency for one lane. A Docker daemon seen from here: few calls (tens a second at most, not
 * thousands), small limits (1–20), latency that grows with calls in flight, and throughput that grows
 * slowly past the daemon's CPUs rather than stopping at a sharp capacity. What it borrows, and from where:
 * - Latency per class against a baseline measured with calls running alone (see ClassLatency), the way
 *   Envoy measures its minRTT by pinning concurrency low — pinned at 1 here, for three calls, once per class
 *   (baselines persist), and again when stuck at the minimum with a healthy daemon (envoy#10647).
 * - Vegas's estimate of the calls queued in the daemon, `limit × (1 − baseline/latency)`: near zero means
 *   headroom, so the limit grows (doubling in slow start, then by one).
 * - Past that, throughput decides (see ThroughputTable), as failsafe-go's limiter watches throughput
 *   against in-flight: slow start doubles while a doubling still pays, then the limit settles on the smallest
 *   one that delivered nearly the best throughput, probing one step either side now and then. Pure Vegas
 *   or Gradient2 stop where latency starts to grow, which noise on a two-core machine puts anywhere from
 *   1 to 3; Gradient2 also drifts up under modest overload (concurrency-limits#134). The search is bounded
 *   by latency all the same (STRETCH), as Gradient2's long-term RTT bounds its growth: throughput bought by
 *   stretching calls past twice their baseline is paid by every other user of the daemon.
 * - A daemon that got slower (less throughput at the same limit) is followed within one window, by the
 *   throughput it lost, at most halving, as Gradient clamps its gradient at 0.5; a daemon failure or a
 *   stalled ping halves the limit (AIMD), once per round of calls rather than once per failed call. Latency
 *   alone stops at 2 when the lane delivers less than one call alone would: the cause is then outside it.
 * - Only calls started after the last change and run at no more than the current limit count (envoy#11579:
 *   samples from the previous regime skew the next decision), and the limit grows only when it was reached
 *   (Netflix: "don't grow the limit if we are app limited").
 * Time comes in with each sample: no timers, no clock of its own.
 */
export class AdaptiveLimit {
	private current: number;
	private reason = 'initial limit';
	private changedAt: number | null = null;
	private measuring: LatencyClass | null;
	private measurement = { since: 0, calls: 0, alone: 0, needed: 1 };
	private slowStart: boolean;
	private readonly latency: ClassLatency;
	private readonly throughput = new ThroughputTable();
	/** Calls that started before this belong to another regime. */
	private epochStart = Number.NEGATIVE_INFINITY;
	private lastCutAt = Number.NEGATIVE_INFINITY;
	private congested = false;
	/** Windows in a row with room for one more call: past slow start, it takes two to grow (noise makes one). */
	private roomy = 0;
	private probeUp = true;
	/** The limit before the last change. */
	private from = 0;
	private stuck = 0;
	private readonly unmeasurable = new Set<LatencyClass>();
	private window: { ratio: number; inflight: number; load: number; name: LatencyClass; durationMs: number; censored: boolean }[] = [];
	private lastSampleAt = Number.NEGATIVE_INFINITY;

	constructor(
		private readonly settings: AdaptiveSettings,
		saved?: AdaptiveSnapshot,
	) {
		this.latency = new ClassLatency(saved?.classes);
		this.current = this.clamp(saved?.limit ?? settings.initialLimit);
		this.measuring = saved?.measuring ?? null;
		this.slowStart = saved?.slowStart ?? true;
		if (saved) {
			this.reason = saved.reason;
			this.changedAt = saved.changedAt;
		}
	}

	/** How many calls may run at once now. */
	limit(): number {
		return this.measuring === null ? this.current : 1;
	}

	/**
	 * The gap to keep between starts while `running` calls of the lane run: none into an empty lane (a
	 * sequential caller is never delayed), a baseline's worth spread over the limit while the daemon is healthy
	 * (smoothing a burst without slowing a steady stream, whose starts are that far apart anyway), the
	 * largest one after a failure or while nothing is measured yet.
	 */
	spacingMs(running: number, commandClass?: LatencyClass): number {
		if (running === 0 || this.measuring !== null) return 0;
		const baseline = (commandClass && this.latency.baseline(commandClass)) ?? this.latency.typical();
		if (baseline === undefined || this.congested) return this.settings.maxSpacingMs;
		return Math.min(this.settings.maxSpacingMs, Math.round(baseline / this.current));
	}

	record(sample: LatencySample): void {
		if (sample.kind === 'daemon') {
			this.cut(`daemon failure${sample.detail ? `: ${sample.detail}` : ''}`, sample.at, sample.at - sample.durationMs);
			return;
		}
		const name = sample.commandClass;
		if (sample.at - sample.durationMs - this.lastSampleAt > IDLE_RESTART_MS && this.measuring === null) {
			this.slowStart = true;
			this.throughput.clear();
		}
		this.lastSampleAt = Math.max(this.lastSampleAt, sample.at);
		// A call docker refused (usage, "No such container") may not have reached the daemon at all.
		const counts = sample.kind === 'ok' && name !== undefined;
		if (counts) this.latency.add(name, sample.durationMs, sample.inflight <= 1);
		if (this.measuring !== null) {
			this.measure(sample.at, counts && name === this.measuring && sample.inflight <= 1);
			return;
		}
		if (!counts) return;
		const baseline = this.latency.baseline(name);
		if (baseline === undefined) {
			if (sample.inflight > 1 && !this.unmeasurable.has(name)) this.startMeasuring(name, sample.at, 1);
			return;
		}
		if (sample.at - sample.durationMs < this.epochStart || sample.inflight > this.current) return;
		this.window.push({
			ratio: sample.durationMs / baseline,
			inflight: sample.inflight,
			load: sample.load ?? sample.inflight,
			name,
			durationMs: sample.durationMs,
			censored: sample.censored === true,
		});
		if (this.window.length >= Math.max(this.settings.window, this.current)) this.adjust(sample.at);
	}

	/** A class's latency alone, once measured. */
	baseline(name: LatencyClass): number | undefined {
		return this.latency.baseline(name);
	}

	congestion(signal: CongestionSignal, at: number): void {
		this.cut(signal.kind === 'ping-failed' ? `daemon ping failed: ${signal.detail}` : `daemon stalled: ${signal.detail}`, at);
	}

	snapshot(): AdaptiveSnapshot {
		return {
			limit: this.current,
			reason: this.reason,
			changedAt: this.changedAt,
			measuring: this.measuring,
			slowStart: this.slowStart,
			classes: this.latency.snapshot(),
		};
	}

	private adjust(at: number) {
		const window = this.window;
		this.window = [];
		const names = [...new Set(window.map(entry => entry.name))];
		for (const name of names) {
			// Every call's latency is at least the no-load one: a whole window well under the baseline shows it too high.
			const median = upperMedian(window.filter(entry => entry.name === name).map(entry => entry.durationMs));
			const baseline = this.latency.baseline(name)!;
			if (median < TOO_HIGH * baseline) {
				this.latency.rebase(name, median);
				this.throughput.clear();
				return this.change(this.current, `${name} baseline ${Math.round(baseline)} → ${Math.round(median)} ms: calls ran faster`, at);
			}
		}
		const limit = this.current;
		const censored = window.some(entry => entry.censored);
		const ratio = trimmedMean(window.map(entry => entry.ratio));
		// Little's law: calls in flight over latency (in baselines) is the throughput, in baseline calls at once.
		const delivered = window.reduce((sum, entry) => sum + entry.load, 0) / window.length / ratio;
		const queued = limit * (1 - (1 + NOISE) / ratio);
		const said = `latency ${ratio.toFixed(2)}× baseline, ${delivered.toFixed(1)} calls' worth at once`;
		const { tolerance, minimum, ceiling } = this.settings;
		this.congested = false;

		// Less delivered than one call alone would: the calls are slow for a reason outside the lane (a hundred
		// clients starting at once, other work on the machine), which fewer calls of ours would not cure. Latency
		// then takes the limit no lower than 2 — at 1 the lane would lose half its throughput for nothing, and the
		// rise back takes windows; failures and stalls still halve it to the minimum.
		const floor = delivered < 1 ? Math.max(minimum, Math.min(2, limit)) : minimum;
		// Held there by calls that outlive their lease, it is a burst passing, not a stale baseline: measuring
		// one then would take the burst's latency for the daemon's.
		const held = limit === minimum || (limit <= floor && !censored);
		this.stuck = held && queued >= tolerance / 2 ? this.stuck + 1 : 0;
		if (this.stuck >= STUCK_WINDOWS) {
			this.stuck = 0;
			this.slowStart = true;
			const busiest = names.sort((a, b) => count(window, b) - count(window, a))[0]!;
			return this.startMeasuring(busiest, at, ESTABLISHED_AFTER, 'stuck at the minimum with a healthy daemon: ');
		}
		if (censored) {
			// Calls still running when counted: latency is at least this, throughput at most — no guide to more.
			// Slow from outside the lane, though, it comes back by doubling once that passes.
			this.slowStart = floor > minimum;
			if (queued <= 1.5 * tolerance) return;
			const lower = Math.max(floor, Math.ceil(limit / 2), Math.min(limit - 1, Math.round((limit * (1 + NOISE)) / ratio + tolerance)));
			if (lower >= limit) return;
			return this.change(lower, `${said} at least: calls outlive their lease`, at, true);
		}
		// An app-limited lane (fewer calls than the limit) says nothing about more; one filling up (calls
		// arriving one by one) says little about what the limit delivers.
		const reached = Math.max(...window.map(entry => entry.inflight)) >= limit;
		if (!reached) return;
		const full = window.reduce((sum, entry) => sum + entry.load, 0) / window.length >= limit - 0.5;
		const before = full ? this.throughput.add(limit, delivered, ratio) : undefined;
		if (before !== undefined && delivered < CHANGED * before) {
			// What other limits delivered before is no guide now.
			this.throughput.clear();
			this.slowStart = false;
			const target = Math.max(floor, Math.ceil(limit / 2), Math.min(limit - 1, Math.round((limit * delivered) / before)));
			if (target < limit) return this.change(target, `${said}, was ${before.toFixed(1)}: the daemon got slower`, at, true);
			return;
		}
		if (!full && this.slowStart) return;
		if (limit >= ceiling) return this.settle(limit, ratio, queued, said, at);
		const stretched = ratio > STRETCH;
		if (queued < tolerance / 2 && !stretched) {
			if (!this.slowStart && ++this.roomy < 2) return;
			return this.change(this.slowStart ? limit * 2 : limit + 1, `${said}: room for more${this.slowStart ? ' (slow start)' : ''}`, at);
		}
		if (this.slowStart && !stretched) {
			const previous = this.throughput.throughputAt(this.from);
			// More than double from double the calls is no gain but a bad measurement before (a burst of clients
			// starting at once slows the first window): stop doubling on it.
			const pays = previous === undefined || (delivered >= DOUBLING_PAYS * previous && delivered <= 2 * previous);
			if (this.from >= limit || pays) return this.change(limit * 2, `${said} (slow start)`, at);
			this.slowStart = false;
		}
		this.settle(limit, ratio, queued, said, at, floor);
	}

	/**
	 * Goes to the smallest limit that delivered nearly the best throughput; there, tries a neighbour it has
	 * not seen lately: one more call, or fewer — down to what Vegas's queue estimate says the daemon takes,
	 * at most half, when many calls queue (so a daemon that lost capacity is followed in a window or two).
	 */
	private settle(limit: number, ratio: number, queued: number, said: string, at: number, floor = this.settings.minimum) {
		// Slow for a reason outside the lane (see `floor`): once that passes, the limit comes back by doubling.
		this.slowStart = floor > this.settings.minimum;
		const best = Math.max(floor, this.throughput.best(STRETCH) ?? limit);
		if (best !== limit) return this.change(best, `${said}; ${best} delivered nearly as much`, at, best < limit);
		const { ceiling, tolerance } = this.settings;
		const vegas = Math.round((limit * (1 + NOISE)) / ratio + tolerance);
		const lower = Math.max(floor, Math.ceil(limit / 2), Math.min(limit - 1, vegas));
		const up = limit < ceiling && ratio <= STRETCH && !this.throughput.knows(limit + 1, FRESH);
		// Within the stretch budget, fewer is tried only once a whole call queues: a step down from 2 to 1 costs
		// half the throughput for a window, and the table already prefers the smaller of two that deliver alike.
		const down = lower < limit && (ratio > STRETCH || queued >= tolerance) && !this.throughput.knows(lower, FRESH);
		// Many calls queued: fewer first. Otherwise one way, then the other.
		this.probeUp = queued > limit / 4 ? false : !this.probeUp;
		if (up && (this.probeUp || !down)) return this.change(limit + 1, `${said}; trying ${limit + 1}`, at);
		if (down) return this.change(lower, `${said}; trying ${lower}`, at, true);
	}

	/** Halves the limit, once per round of calls: failures of calls already running when it last fell count once. */
	private cut(why: string, at: number, startedAt?: number): void {
		const round = Math.max(1000, this.latency.typical() ?? 0);
		if (startedAt === undefined ? at - this.lastCutAt < round : startedAt < this.lastCutAt) return;
		this.congested = true;
		this.slowStart = false;
		this.throughput.clear();
		this.change(Math.floor(this.current / 2), why, at, true);
	}

	/** Pins the lane at 1 until `needed` calls of the class have run alone. */
	private startMeasuring(name: LatencyClass, at: number, needed: number, why = ''): void {
		this.measuring = name;
		this.measurement = { since: at, calls: 0, alone: 0, needed };
		this.reason = `${why}measuring the ${name} baseline, one call at a time`;
		this.changedAt = at;
	}

	/**
	 * Ends a measurement once enough calls ran alone, or gives the class up (its calls are then not samples)
	 * when it does not come round again soon: a lane of builds must not stay pinned at 1 waiting for it.
	 */
	private measure(at: number, alone: boolean): void {
		const target = this.measuring!;
		const progress = this.measurement;
		if (alone) progress.alone++;
		const done = progress.alone >= progress.needed && this.latency.baseline(target) !== undefined;
		if (!done && ++progress.calls < 3 * this.settings.window && at - progress.since < MEASURE_FOR_MS) return;
		if (!done) this.unmeasurable.add(target);
		this.measuring = null;
		this.throughput.clear();
		const baseline = this.latency.baseline(target);
		this.change(
			this.current,
			done ? `${target} baseline measured: ${Math.round(baseline!)} ms` : `no ${target} call ran alone: not measured`,
			at,
		);
	}

	private change(limit: number, reason: string, at: number, cut = false): void {
		this.from = this.current;
		this.current = this.clamp(limit);
		this.reason = reason;
		this.changedAt = at;
		this.epochStart = at;
		this.window = [];
		this.roomy = 0;
		if (cut) this.lastCutAt = at;
	}

	private clamp(limit: number): number {
		return Math.max(this.settings.minimum, Math.min(this.settings.ceiling, Math.round(limit)));
	}
}

function count(window: readonly { name: LatencyClass }[], name: LatencyClass): number {
	return window.filter(entry => entry.name === name).length;
}
