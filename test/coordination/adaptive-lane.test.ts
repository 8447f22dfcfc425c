// The adaptive lane's bookkeeping around the controller, with a fake clock and a fake list of running calls.
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/defaults.js';
import { AdaptiveLane } from '../../src/coordination/adaptive-lane.js';
import type { AdaptiveSnapshot } from '../../src/coordination/adaptive-types.js';
import type { Ticket } from '../../src/coordination/lane-scheduler.js';
import type { Hold } from '../../src/docker-grammar/lanes.js';

const LEASE_MS = 2000;
const mutate = { ...DEFAULTS.lanes.mutate, mode: 'adaptive' as const };
/** A lane that has measured its `run` baseline (200 ms: well within the lease) and sits at a limit of 3. */
const saved: AdaptiveSnapshot = {
	limit: 3,
	reason: 'restored',
	changedAt: 0,
	measuring: null,
	slowStart: false,
	classes: { run: { baselineMs: 200, recentMs: 200, solo: [200, 200, 200], recent: [200] } },
};
const foreground = { command: 'container run', hold: 'lease' as const };
const ok = { exitCode: 0, durationMs: 2500, waitedMs: 0, kind: 'ok' as const };

function setup(snapshot: AdaptiveSnapshot = saved) {
	let now = 1_000_000;
	const running = new Set<Ticket>();
	const lane = new AdaptiveLane(
		mutate,
		16,
		() => [...running],
		LEASE_MS,
		snapshot,
		undefined,
		() => now,
	);
	const grant = (call: { command: string; hold: Hold; reannounce?: boolean } = foreground) => {
		const granted: Ticket = { lane: 'mutate', scope: '', label: call.command, queuedAt: now, release: () => undefined };
		running.add(granted);
		lane.granted(granted, call);
		return granted;
	};
	return { lane, running, grant, advance: (ms: number) => (now += ms) };
}

describe('adaptive lane: foreground runs past their lease', () => {
	it('a short-class run still running after its lease counts against the limit until it finishes', () => {
		const { lane, running, grant, advance } = setup();
		expect(lane.limit()).toBe(3);
		const slow = grant();
		grant();
		advance(LEASE_MS);
		running.delete(slow); // the scheduler freed its slot at the lease's end; docker still runs
		expect(lane.limit()).toBe(2);
		lane.finished(slow, foreground, ok);
		expect(lane.limit()).toBe(3);
	});

	it('stops counting it a few leases on (a long job in a container), and never goes below 1', () => {
		const { lane, running, grant, advance } = setup();
		const jobs = [grant(), grant(), grant(), grant()];
		advance(LEASE_MS);
		for (const job of jobs) running.delete(job);
		expect(lane.limit()).toBe(1);
		advance(4 * LEASE_MS - 1);
		expect(lane.limit()).toBe(1);
		advance(2);
		expect(lane.limit()).toBe(3);
	});

	it('counts neither a held call, nor a re-announced run, nor a run of a class with no short baseline', () => {
		const held = setup();
		const create = held.grant({ command: 'container create', hold: 'call' });
		held.advance(LEASE_MS);
		held.running.delete(create);
		expect(held.lane.limit()).toBe(3);

		const reannounced = setup();
		const survivor = reannounced.grant({ ...foreground, reannounce: true });
		reannounced.advance(LEASE_MS);
		reannounced.running.delete(survivor);
		expect(reannounced.lane.limit()).toBe(3);

		// A `run` baseline as long as the lease: foreground runs are streams here, not quick daemon work.
		const long = setup({ ...saved, classes: { run: { baselineMs: 3000, recentMs: 3000, solo: [3000, 3000, 3000], recent: [3000] } } });
		const stream = long.grant();
		long.advance(LEASE_MS);
		long.running.delete(stream);
		expect(long.lane.limit()).toBe(3);
	});
});
