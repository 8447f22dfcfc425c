import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAdaptiveSnapshot } from './adaptive-snapshot.js';
import type { AdaptiveSnapshot } from './adaptive-types.js';
import type { BreakerSnapshot, OutcomeKind } from './breaker.js';

const STATS_FILE = 'stats.json';
/** The most recent waits kept, for percentiles (the file is written after every call: keep it small). */
const MAX_WAITS = 2000;
/** A call that waited at least this long counts as having had to wait. */
const WAITED_MS = 50;

/** The statistics that survive broker restarts, as stored in `<state dir>/stats.json`. */
export interface Counters {
	readonly since: string;
	readonly totalCalls: number;
	readonly failures: { readonly failed: number; readonly daemon: number };
	readonly waitedCalls: number;
	readonly waits: readonly number[];
	/** Breaker state per daemon endpoint, so that an open breaker stays open across restarts. */
	readonly breakers: Readonly<Record<string, BreakerSnapshot>>;
	/** What the adaptive lanes learned (limit, baselines), so that a restarted broker need not learn it again. */
	readonly adaptive: Readonly<Record<string, AdaptiveSnapshot>>;
}

/** The counters as people read them: waits summarised. */
export interface CountersSummary {
	readonly since: string;
	readonly totalCalls: number;
	readonly failures: Readonly<Record<Exclude<OutcomeKind, 'ok'>, number>>;
	readonly waitedCalls: number;
	readonly waitMs: { readonly p50: number; readonly p95: number; readonly max: number };
	readonly breakers: Readonly<Record<string, BreakerSnapshot>>;
	readonly adaptive: Readonly<Record<string, AdaptiveSnapshot>>;
}

const empty = (now: number): Counters => ({
	since: new Date(now).toISOString(),
	totalCalls: 0,
	failures: { failed: 0, daemon: 0 },
	waitedCalls: 0,
	waits: [],
	breakers: {},
	adaptive: {},
});

/**
 * The shared statistics of one state directory: loaded field by field (a bad field falls back to its empty
 * value, with one line to `log`), counted in memory, written atomically. Used by the broker and, when no
 * broker runs, by `guard stats` itself.
 */
export class StatsStore {
	private counters: Counters;
	/** Whether counts were read from the file (or start afresh now). */
	readonly saved: boolean;

	constructor(
		stateDir: string,
		private readonly log: (line: string) => void = () => undefined,
		private readonly now: () => number = Date.now,
	) {
		this.file = join(stateDir, STATS_FILE);
		const loaded = this.load();
		this.saved = loaded !== undefined;
		this.counters = loaded ?? empty(this.now());
	}

	private readonly file: string;

	/** Counts a finished call (what its client reported on release). */
	record(outcome: { readonly waitedMs: number; readonly kind: OutcomeKind }): void {
		const { counters } = this;
		const wait = Math.round(outcome.waitedMs);
		this.counters = {
			...counters,
			totalCalls: counters.totalCalls + 1,
			failures: outcome.kind === 'ok' ? counters.failures : { ...counters.failures, [outcome.kind]: counters.failures[outcome.kind] + 1 },
			waitedCalls: counters.waitedCalls + (wait >= WAITED_MS ? 1 : 0),
			waits: [...counters.waits.slice(-(MAX_WAITS - 1)), wait],
		};
	}

	/** Starts counting afresh; breaker and adaptive state are not statistics and stay. */
	reset(): void {
		this.counters = { ...empty(this.now()), breakers: this.counters.breakers, adaptive: this.counters.adaptive };
	}

	get breakers(): Readonly<Record<string, BreakerSnapshot>> {
		return this.counters.breakers;
	}

	get adaptive(): Readonly<Record<string, AdaptiveSnapshot>> {
		return this.counters.adaptive;
	}

	/** Keeps what the adaptive lanes learned, for the next save. */
	setAdaptive(lanes: Readonly<Record<string, AdaptiveSnapshot>>): void {
		this.counters = { ...this.counters, adaptive: { ...this.counters.adaptive, ...lanes } };
	}

	summary(breakers: Readonly<Record<string, BreakerSnapshot>> = this.counters.breakers): CountersSummary {
		const { waits, ...rest } = this.counters;
		const sorted = [...waits].sort((a, b) => a - b);
		const at = (q: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
		return { ...rest, waitMs: { p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? 0 }, breakers: { ...rest.breakers, ...breakers } };
	}

	/**
	 * Writes the counters (with these breakers) to a fresh temporary file renamed over the old one: a crash never
	 * leaves half a file. A failed write (a full disk, stats.json a directory) is logged and never thrown.
	 */
	save(breakers: Readonly<Record<string, BreakerSnapshot>> = this.counters.breakers): boolean {
		this.counters = { ...this.counters, breakers: { ...this.counters.breakers, ...breakers } };
		const temporary = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
		try {
			writeFileSync(temporary, `${JSON.stringify(this.counters)}\n`, { mode: 0o600, flag: 'wx' });
			renameSync(temporary, this.file);
			return true;
		} catch (error) {
			rmSync(temporary, { force: true });
			this.log(`cannot save statistics to ${this.file}: ${(error as Error).message}`);
			return false;
		}
	}

	/** The saved counters, each field checked; undefined when there are none to be read. */
	private load(): Counters | undefined {
		let text: string;
		try {
			text = readFileSync(this.file, 'utf8');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
				this.log(`cannot read ${this.file}: ${(error as Error).message}; counting afresh`);
			return undefined;
		}
		let saved: unknown;
		try {
			saved = JSON.parse(text);
		} catch {
			this.log(`${this.file} is not valid JSON; counting afresh`);
			return undefined;
		}
		return validCounters(saved, empty(this.now()), field => this.log(`${this.file}: ${field} is not valid; reset to its default`));
	}
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isTime = (value: unknown): value is number | null => value === null || (typeof value === 'number' && Number.isFinite(value));
const isText = (value: unknown): value is string | null => value === null || typeof value === 'string';

/** Each field of `saved` that has the right shape, `fallback` for the others. */
function validCounters(saved: unknown, fallback: Counters, bad: (field: string) => void): Counters {
	const record = typeof saved === 'object' && saved !== null && !Array.isArray(saved) ? (saved as Record<string, unknown>) : {};
	const field = <T>(name: keyof Counters, valid: (value: unknown) => boolean, value = record[name]): T => {
		if (value === undefined) return fallback[name] as T;
		if (valid(value)) return value as T;
		bad(name);
		return fallback[name] as T;
	};
	const failures = (value: unknown) =>
		typeof value === 'object' &&
		value !== null &&
		isCount((value as Counters['failures']).failed) &&
		isCount((value as Counters['failures']).daemon);
	const breakers = Object.entries(
		field<Record<string, unknown>>('breakers', value => typeof value === 'object' && value !== null && !Array.isArray(value)),
	);
	return {
		since: field('since', value => typeof value === 'string' && !Number.isNaN(Date.parse(value))),
		totalCalls: field('totalCalls', isCount),
		failures: field('failures', failures),
		waitedCalls: field('waitedCalls', isCount),
		waits: field('waits', value => Array.isArray(value) && value.every(isCount)),
		breakers: Object.fromEntries(
			breakers.filter(([url, snapshot]) => {
				if (isBreakerSnapshot(snapshot)) return true;
				bad(`breakers[${JSON.stringify(url)}]`);
				return false;
			}),
		) as Counters['breakers'],
		adaptive: Object.fromEntries(
			Object.entries(
				field<Record<string, unknown>>('adaptive', value => typeof value === 'object' && value !== null && !Array.isArray(value)),
			).filter(([lane, snapshot]) => {
				if (isAdaptiveSnapshot(snapshot)) return true;
				bad(`adaptive[${JSON.stringify(lane)}]`);
				return false;
			}),
		) as Counters['adaptive'],
	};
}

function isBreakerSnapshot(value: unknown): value is BreakerSnapshot {
	if (typeof value !== 'object' || value === null) return false;
	const snapshot = value as Record<string, unknown>;
	return (
		(snapshot['state'] === 'closed' || snapshot['state'] === 'open' || snapshot['state'] === 'half-open') &&
		isCount(snapshot['consecutiveFailures']) &&
		isTime(snapshot['openedAt']) &&
		isTime(snapshot['nextProbeAt']) &&
		isText(snapshot['lastFailure']) &&
		isCount(snapshot['transitions'])
	);
}
