import type { LatencyClass } from './command-class.js';
import { upperMedian } from './robust-stats.js';

/** What the adaptive limit keeps of one latency class; plain data, so it persists as JSON. */
export interface ClassLatencySnapshot {
	/** No-load latency, or null until enough calls ran alone. */
	readonly baselineMs: number | null;
	/** Median of the last calls, whatever the load. */
	readonly recentMs: number | null;
	/** Durations of the last calls that ran alone in their lane. */
	readonly solo: readonly number[];
	/** Durations of the last calls. */
	readonly recent: readonly number[];
}

const KEPT = 5;
/** Calls that must have run alone before a baseline is trusted: one lucky-fast call is outvoted. */
export const ESTABLISHED_AFTER = 3;

/**
 * Baseline and recent latency per class. The baseline is the upper median of the last few calls that ran
 * alone — not the fastest call ever seen (Vegas's rtt_noload, which one lucky-fast sample pins low:
 * Netflix/concurrency-limits#37), nor a long average of all calls (Gradient2's, which creeps up under sustained
 * load). Calls keep running alone now and then (a sequential script, the tail of a storm, the controller's own
 * measurement), so the baseline follows a daemon that got slower or faster.
 */
export class ClassLatency {
	private readonly classes = new Map<LatencyClass, { solo: number[]; recent: number[] }>();

	constructor(saved?: Readonly<Record<string, ClassLatencySnapshot>>) {
		for (const [name, { solo, recent }] of Object.entries(saved ?? {})) {
			this.classes.set(name as LatencyClass, { solo: solo.slice(-KEPT), recent: recent.slice(-KEPT) });
		}
	}

	add(name: LatencyClass, durationMs: number, alone: boolean): void {
		const entry = this.entry(name);
		keep(entry.recent, durationMs);
		if (alone) keep(entry.solo, durationMs);
	}

	/** The baseline, once established. */
	baseline(name: LatencyClass): number | undefined {
		const solo = this.classes.get(name)?.solo ?? [];
		return solo.length >= ESTABLISHED_AFTER ? upperMedian(solo) : undefined;
	}

	/** Starts a class's baseline over from one value (it was shown to be wrong). */
	rebase(name: LatencyClass, durationMs: number): void {
		this.entry(name).solo.splice(0, Number.POSITIVE_INFINITY, durationMs, durationMs);
	}

	/** Any established class's baseline: the upper median of them, for a call of unknown class. */
	typical(): number | undefined {
		const known = [...this.classes.keys()].map(name => this.baseline(name)).filter(value => value !== undefined);
		return known.length === 0 ? undefined : upperMedian(known);
	}

	snapshot(): Record<string, ClassLatencySnapshot> {
		return Object.fromEntries(
			[...this.classes].map(([name, { solo, recent }]) => [
				name,
				{
					baselineMs: this.baseline(name) ?? null,
					recentMs: recent.length === 0 ? null : upperMedian(recent),
					solo: [...solo],
					recent: [...recent],
				},
			]),
		);
	}

	private entry(name: LatencyClass) {
		return this.classes.get(name) ?? this.classes.set(name, { solo: [], recent: [] }).get(name)!;
	}
}

function keep(ring: number[], value: number): void {
	ring.push(Math.round(value));
	if (ring.length > KEPT) ring.shift();
}
