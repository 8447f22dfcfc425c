// The adaptive limit against a simulated daemon, in simulated time: each test runs in milliseconds.
import { describe, expect, it } from 'vitest';
import { AdaptiveLimit } from '../../src/coordination/adaptive-limit.js';
import type { AdaptiveSettings, LatencySample } from '../../src/coordination/adaptive-types.js';
import { lognormal, type Simulation, simulate } from '../fixtures/simulated-daemon.js';

const SETTINGS: AdaptiveSettings = { ceiling: 32, maxSpacingMs: 500, minimum: 1, initialLimit: 3, window: 6, tolerance: 1 };
const BASE = 500;

/** The limits after the first third of the calls: the controller has found its footing. */
const steady = (simulation: Simulation) => simulation.limits.slice(Math.floor(simulation.limits.length / 3)).map(entry => entry.limit);
const share = (limits: readonly number[], low: number, high: number) =>
	limits.filter(limit => limit >= low && limit <= high).length / limits.length;

describe('adaptive limit: a daemon of capacity C', () => {
	for (const capacity of [2, 6, 12]) {
		it(`converges near C = ${capacity}, within ±1, and finishes near N / C × latency`, () => {
			const controller = new AdaptiveLimit(SETTINGS);
			const calls = 60 * capacity;
			const run = simulate(controller, { capacity: () => capacity, baseMs: BASE }, calls);
			const limits = steady(run);
			expect(Math.max(...limits) - Math.min(...limits)).toBeLessThanOrEqual(2);
			expect(Math.min(...limits)).toBeGreaterThanOrEqual(capacity);
			expect(Math.max(...limits)).toBeLessThanOrEqual(capacity + 2);
			expect(run.makespanMs).toBeLessThan(1.15 * (calls / capacity) * BASE);
		});

		it(`with noise (each call ×lognormal σ 0.15), stays near C = ${capacity} nearly all the time`, () => {
			for (const seed of [1, 2, 3]) {
				const controller = new AdaptiveLimit(SETTINGS);
				const calls = 60 * capacity;
				const run = simulate(controller, { capacity: () => capacity, baseMs: BASE, jitter: lognormal(0.15, seed) }, calls);
				const limits = steady(run);
				expect(share(limits, capacity - 1, capacity + 3), `seed ${seed}: ${limits.join(',')}`).toBeGreaterThanOrEqual(0.85);
				expect(run.makespanMs).toBeLessThan(1.25 * (calls / capacity) * BASE);
			}
		});
	}

	it('follows C when it drops from 8 to 2 and rises back', () => {
		const controller = new AdaptiveLimit(SETTINGS);
		const capacity = (at: number) => (at < 20_000 || at >= 40_000 ? 8 : 2);
		const run = simulate(controller, { capacity, changesAt: [20_000, 40_000], baseMs: BASE }, 600);
		const during = (from: number, to: number) => run.limits.filter(entry => entry.at >= from && entry.at < to).map(entry => entry.limit);
		expect(Math.min(...during(12_000, 20_000))).toBeGreaterThanOrEqual(8);
		// Within a few seconds (windows are slow at 4× latency), it is down near 2 and stays there, probing 4 now and then.
		const low = during(32_000, 40_000);
		expect(Math.max(...low)).toBeLessThanOrEqual(4);
		expect(share(low, 2, 3)).toBeGreaterThanOrEqual(0.75);
		expect(Math.max(...during(48_000, 60_000))).toBeGreaterThanOrEqual(8);
	});

	it('backs off within one window when latency rises', () => {
		const controller = new AdaptiveLimit(SETTINGS);
		const run = simulate(controller, { capacity: (at: number) => (at < 20_000 ? 8 : 2), changesAt: [20_000], baseMs: BASE }, 300);
		const before = run.limits.filter(entry => entry.at < 20_000).at(-1)!.limit;
		// The calls in flight at the drop finish first; the next window (at most `before` calls, each 4× slower) decides.
		const firstCut = run.limits.find(entry => entry.at > 20_000 && entry.limit < before)!;
		expect(firstCut.at - 20_000).toBeLessThan(2 * before * BASE * (before / 2));
	});

	it('a slow patch from outside the lane (clients starting: every call 6× slower at any limit) holds it at 2 or more', () => {
		const controller = new AdaptiveLimit(SETTINGS);
		// Settled near 6 after 120 calls; the next 30 are slow whatever the limit; then the daemon is itself again.
		const slow = (call: number) => call >= 120 && call < 150;
		const run = simulate(controller, { capacity: () => 6, baseMs: BASE, jitter: call => (slow(call) ? 6 : 1) }, 480);
		const limits = run.limits.map(entry => entry.limit);
		expect(Math.min(...limits.slice(100, 120))).toBeGreaterThanOrEqual(6);
		const during = limits.slice(120, 160);
		// It backs off (fewer calls would not make these faster, but it cannot know that at once)…
		expect(Math.min(...during), during.join(',')).toBeLessThan(6);
		// …yet never to 1, which would halve throughput for nothing; and once it passes, it is back by doubling
		// (one step per two windows would take some fifty calls from 2 to 6).
		expect(Math.min(...limits.slice(100))).toBeGreaterThanOrEqual(2);
		expect(Math.max(...limits.slice(150, 200)), limits.slice(150, 200).join(',')).toBeGreaterThanOrEqual(6);
		expect(Math.max(...limits.slice(300))).toBeGreaterThanOrEqual(6);
		expect(controller.snapshot().classes['run']!.baselineMs).toBe(BASE);
	});

	it('a lucky-fast first call does not collapse the limit', () => {
		const controller = new AdaptiveLimit(SETTINGS);
		const run = simulate(controller, { capacity: () => 6, baseMs: BASE, jitter: call => (call === 0 ? 0.05 : 1) }, 360);
		expect(Math.min(...run.limits.slice(10).map(entry => entry.limit))).toBeGreaterThanOrEqual(5);
		expect(controller.snapshot().classes['run']!.baselineMs).toBe(BASE);
	});

	it('measures a baseline it lacks one call at a time, then starts from the initial limit', () => {
		const controller = new AdaptiveLimit(SETTINGS);
		const sample = (inflight: number, at: number): LatencySample => ({ commandClass: 'create', durationMs: 200, kind: 'ok', at, inflight });
		controller.record(sample(3, 1000));
		expect(controller.limit()).toBe(1);
		expect(controller.snapshot().reason).toMatch(/measuring the create baseline/);
		controller.record(sample(1, 1200));
		controller.record(sample(1, 1400));
		expect(controller.limit()).toBe(1);
		controller.record(sample(1, 1600));
		expect(controller.limit()).toBe(3);
		expect(controller.snapshot().classes['create']!.baselineMs).toBe(200);
	});
});

describe('adaptive limit: failures, bounds and restarts', () => {
	const warm = (settings: AdaptiveSettings = SETTINGS) => {
		const controller = new AdaptiveLimit(settings);
		simulate(controller, { capacity: () => 8, baseMs: BASE }, 200);
		return controller;
	};
	const failure = (at: number, durationMs = 100): LatencySample => ({
		commandClass: 'run',
		durationMs,
		kind: 'daemon',
		at,
		inflight: 4,
		detail: 'EOF',
	});

	it('a daemon failure halves the limit, once for the calls that were already running', () => {
		const controller = warm();
		const before = controller.limit();
		controller.record(failure(100_000));
		expect(controller.limit()).toBe(Math.floor(before / 2));
		expect(controller.snapshot().reason).toBe('daemon failure: EOF');
		controller.record(failure(100_050, 500)); // started before the cut: the same trouble
		expect(controller.limit()).toBe(Math.floor(before / 2));
		controller.record(failure(100_300, 100)); // started after it: halves again
		expect(controller.limit()).toBe(Math.max(1, Math.floor(before / 4)));
	});

	it('a failed ping or a stalled daemon halves it, once per round of calls', () => {
		const controller = warm();
		const before = controller.limit();
		controller.congestion({ kind: 'stalled', detail: 'no answer to a ping for 10 s' }, 100_000);
		expect(controller.limit()).toBe(Math.floor(before / 2));
		expect(controller.snapshot().reason).toBe('daemon stalled: no answer to a ping for 10 s');
		controller.congestion({ kind: 'ping-failed', detail: 'ECONNREFUSED' }, 100_100);
		expect(controller.limit()).toBe(Math.floor(before / 2));
		controller.congestion({ kind: 'ping-failed', detail: 'ECONNREFUSED' }, 102_000);
		expect(controller.limit()).toBe(Math.floor(before / 4));
	});

	it('never goes below the minimum or above the ceiling', () => {
		const bounded = { ...SETTINGS, minimum: 2, ceiling: 5 };
		const controller = new AdaptiveLimit(bounded);
		const run = simulate(controller, { capacity: () => 12, baseMs: BASE }, 300);
		expect(Math.max(...run.limits.map(entry => entry.limit))).toBe(5);
		expect(run.maxInflight).toBeLessThanOrEqual(5);
		for (let at = 200_000; at < 210_000; at += 1000) controller.record(failure(at));
		expect(controller.limit()).toBe(2);
	});

	it('stuck at the minimum with a healthy daemon, it measures its baseline again', () => {
		// Baseline 100 ms from long ago; the daemon now takes 300 ms for a call alone, and the minimum is 2.
		const settings = { ...SETTINGS, minimum: 2 };
		const stale = new AdaptiveLimit(settings, {
			limit: 2,
			reason: 'restored',
			changedAt: 0,
			measuring: null,
			slowStart: false,
			classes: { run: { baselineMs: 100, recentMs: 100, solo: [100, 100, 100], recent: [100] } },
		});
		const run = simulate(stale, { capacity: () => 2, baseMs: 300 }, 200);
		expect(run.limits.some(entry => entry.limit === 1)).toBe(true); // the measurement, one call at a time
		expect(stale.snapshot().classes['run']!.baselineMs).toBe(300);
		expect(Math.min(...steady(run))).toBeGreaterThanOrEqual(2);
	});

	it('calls outliving their lease at 2 (a burst of clients starting) neither take it to 1 nor start a measurement', () => {
		const controller = new AdaptiveLimit(SETTINGS, {
			limit: 3,
			reason: 'restored',
			changedAt: 0,
			measuring: null,
			slowStart: false,
			classes: { run: { baselineMs: 250, recentMs: 250, solo: [250, 250, 250], recent: [250] } },
		});
		// Ten windows of foreground runs counted at their 2 s lease's end, two at once: 8× the baseline at least.
		for (let call = 0, at = 10_000; call < 60; call++, at += 1000) {
			controller.record({ commandClass: 'run', durationMs: 2000, kind: 'ok', at, inflight: 2, load: 2, censored: true });
		}
		expect(controller.limit()).toBe(2);
		expect(controller.snapshot().measuring).toBeNull();
		expect(controller.snapshot().reason).toMatch(/calls outlive their lease/);
	});

	it('survives a restart: the snapshot restores limit, baselines and reason', () => {
		const controller = warm();
		const saved = JSON.parse(JSON.stringify(controller.snapshot()));
		const restored = new AdaptiveLimit(SETTINGS, saved);
		expect(restored.limit()).toBe(controller.limit());
		expect(restored.snapshot()).toEqual(controller.snapshot());
		// A smaller ceiling in the new config wins over the saved limit.
		expect(new AdaptiveLimit({ ...SETTINGS, ceiling: 2 }, saved).limit()).toBe(2);
	});
});

describe('adaptive limit: spacing', () => {
	it('never delays a start into an empty lane, spreads a baseline over the limit otherwise', () => {
		const controller = new AdaptiveLimit(SETTINGS);
		expect(controller.spacingMs(0)).toBe(0);
		expect(controller.spacingMs(1)).toBe(500); // nothing measured yet: the largest
		simulate(controller, { capacity: () => 8, baseMs: BASE }, 200);
		expect(controller.spacingMs(0, 'run')).toBe(0);
		expect(controller.spacingMs(3, 'run')).toBe(Math.round(BASE / controller.limit()));
		controller.record({ commandClass: 'run', durationMs: 10, kind: 'daemon', at: 100_000, inflight: 3 });
		expect(controller.spacingMs(3, 'run')).toBe(500); // after a failure, the largest until a healthy window
	});

	it('a sequential caller is never spaced, and never raises the limit', () => {
		const controller = new AdaptiveLimit(SETTINGS);
		for (let call = 0, at = 0; call < 50; call++) {
			expect(controller.spacingMs(0, 'image')).toBe(0);
			at += 20;
			controller.record({ commandClass: 'image', durationMs: 20, kind: 'ok', at, inflight: 1 });
		}
		expect(controller.limit()).toBe(3);
	});
});
