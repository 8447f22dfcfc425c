import { describe, expect, it } from 'vitest';
import {
	fixedPolicy,
	type GateVerdict,
	type LanePolicy,
	LaneScheduler,
	type PermitGate,
	type RequestOptions,
	type Ticket,
} from '../../src/coordination/lane-scheduler.js';
import type { Lane } from '../../src/docker-grammar/lanes.js';
import { FakeClock } from '../fixtures/fake-clock.js';

const T0 = 1_000_000;

interface Grant {
	readonly label: string;
	readonly at: number;
	readonly waitedMs: number;
	readonly running: number;
}

function setup(
	mutate: LanePolicy = fixedPolicy({ maxConcurrent: 1, minTimeMs: 0 }),
	options: { holdUntil?: number; read?: LanePolicy; gate?: PermitGate } = {},
) {
	const clock = new FakeClock(T0);
	const policies: Record<Lane, LanePolicy> = {
		mutate,
		read: options.read ?? fixedPolicy({ maxConcurrent: 1, minTimeMs: 0 }),
		attached: fixedPolicy({ maxConcurrent: 1, minTimeMs: 0 }),
	};
	const scheduler = new LaneScheduler(policies, {
		clock,
		...(options.holdUntil === undefined ? {} : { holdUntil: options.holdUntil }),
		...(options.gate ? { gate: options.gate } : {}),
	});
	const grants: Grant[] = [];
	const request = (label: string, extra: Omit<RequestOptions, 'onGrant'> = {}, lane: Lane = 'mutate'): Ticket =>
		scheduler.request(lane, label, {
			...extra,
			onGrant: waitedMs => grants.push({ label, at: clock.now() - T0, waitedMs, running: scheduler.running(lane).length }),
		});
	const labels = () => grants.map(grant => grant.label);
	const names = (tickets: readonly Ticket[]) => tickets.map(ticket => ticket.label);
	return { clock, scheduler, grants, request, labels, names };
}

describe('LaneScheduler', () => {
	it('serves a lane first come, first served', () => {
		const { request, labels } = setup();
		const tickets = ['a', 'b', 'c', 'd'].map(label => request(label));
		expect(labels()).toEqual(['a']);
		for (const ticket of tickets) ticket.release();
		expect(labels()).toEqual(['a', 'b', 'c', 'd']);
	});

	it('never has more than limit() running', () => {
		const { request, grants, scheduler, names } = setup(fixedPolicy({ maxConcurrent: 2, minTimeMs: 0 }));
		const tickets = ['a', 'b', 'c', 'd', 'e'].map(label => request(label));
		expect(names(scheduler.running('mutate'))).toEqual(['a', 'b']);
		expect(names(scheduler.waiting('mutate'))).toEqual(['c', 'd', 'e']);
		tickets[1]!.release();
		expect(names(scheduler.running('mutate'))).toEqual(['a', 'c']);
		for (const ticket of tickets) ticket.release();
		expect(grants.map(grant => grant.label)).toEqual(['a', 'b', 'c', 'd', 'e']);
		expect(Math.max(...grants.map(grant => grant.running))).toBe(2);
	});

	it('treats a limit below one as one, so a lane never stalls', () => {
		const { request, labels } = setup(fixedPolicy({ maxConcurrent: 0, minTimeMs: 0 }));
		const a = request('a');
		request('b');
		expect(labels()).toEqual(['a']);
		a.release();
		expect(labels()).toEqual(['a', 'b']);
	});

	it('starts calls spacingMs() apart on the clock, with the waits reported', () => {
		const { request, grants, clock } = setup(fixedPolicy({ maxConcurrent: 10, minTimeMs: 100 }));
		for (const label of ['a', 'b', 'c']) request(label);
		expect(grants.map(grant => grant.at)).toEqual([0]);
		clock.advance(99);
		expect(grants).toHaveLength(1);
		clock.advance(1);
		expect(grants.map(grant => [grant.label, grant.at])).toEqual([
			['a', 0],
			['b', 100],
		]);
		clock.advance(100);
		expect(grants.map(grant => [grant.label, grant.at, grant.waitedMs])).toEqual([
			['a', 0, 0],
			['b', 100, 100],
			['c', 200, 200],
		]);
	});

	it('checks again when its timer fires early, and waits out the rest of the spacing', () => {
		const { request, grants, clock } = setup(fixedPolicy({ maxConcurrent: 10, minTimeMs: 100 }));
		request('a');
		clock.skewNext(-30); // b's wake-up fires at +70
		request('b');
		clock.advance(70);
		expect(grants.map(grant => grant.label)).toEqual(['a']);
		expect(clock.requested).toEqual([100, 30]);
		clock.advance(30);
		expect(grants.map(grant => [grant.label, grant.at])).toEqual([
			['a', 0],
			['b', 100],
		]);
	});

	it('after a late start (a stall), the next start still waits a full spacing after it', () => {
		const { request, grants, clock } = setup(fixedPolicy({ maxConcurrent: 10, minTimeMs: 100 }));
		request('a');
		request('b');
		clock.skewNext(50); // the wake-up for b, set again as c queues, fires at +150
		request('c');
		clock.advance(1000);
		expect(grants.map(grant => [grant.label, grant.at])).toEqual([
			['a', 0],
			['b', 150],
			['c', 250],
		]);
	});

	it('withdraws a waiting ticket that is released (its client went away)', () => {
		const { request, labels, scheduler, names } = setup();
		const a = request('a');
		const b = request('b');
		request('c');
		b.release();
		expect(names(scheduler.waiting('mutate'))).toEqual(['c']);
		a.release();
		expect(labels()).toEqual(['a', 'c']);
	});

	it('release is idempotent: a second release frees nothing more', () => {
		const { request, scheduler, names } = setup(fixedPolicy({ maxConcurrent: 2, minTimeMs: 0 }));
		const a = request('a');
		const b = request('b');
		for (const label of ['c', 'd', 'e']) request(label);
		a.release();
		a.release();
		b.release();
		b.release();
		expect(names(scheduler.running('mutate'))).toEqual(['c', 'd']);
		expect(names(scheduler.waiting('mutate'))).toEqual(['e']);
	});

	it('frees a leased slot after leaseMs; the holder releasing later changes nothing', () => {
		const { request, grants, clock, scheduler, names } = setup();
		const a = request('a', { leaseMs: 1000 });
		request('b');
		request('c');
		clock.advance(999);
		expect(grants.map(grant => grant.label)).toEqual(['a']);
		clock.advance(1);
		expect(grants.map(grant => [grant.label, grant.at])).toEqual([
			['a', 0],
			['b', 1000],
		]);
		a.release();
		expect(names(scheduler.running('mutate'))).toEqual(['b']);
		expect(names(scheduler.waiting('mutate'))).toEqual(['c']);
	});

	it('a released leased slot cancels its lease timer', () => {
		const { request, clock } = setup();
		const a = request('a', { leaseMs: 1000 });
		expect(clock.pending).toBe(1);
		a.release();
		expect(clock.pending).toBe(0);
	});

	it('counts a re-announced slot at once: over the limit, ahead of the queue', () => {
		const { request, grants, scheduler, names } = setup();
		request('a');
		request('b');
		request('survivor', { reannounce: true });
		expect(grants.map(grant => [grant.label, grant.waitedMs, grant.running])).toEqual([
			['a', 0, 1],
			['survivor', 0, 2],
		]);
		expect(names(scheduler.waiting('mutate'))).toEqual(['b']);
	});

	it('a re-announced slot bypasses the start-up hold', () => {
		const { request, grants, clock } = setup(fixedPolicy({ maxConcurrent: 5, minTimeMs: 0 }), { holdUntil: T0 + 300 });
		request('new');
		request('survivor', { reannounce: true });
		expect(grants.map(grant => [grant.label, grant.at])).toEqual([['survivor', 0]]);
		clock.advance(300);
		expect(grants.map(grant => grant.label)).toEqual(['survivor', 'new']);
	});

	it('a re-announced slot does not move the spacing clock', () => {
		const { request, grants, clock } = setup(fixedPolicy({ maxConcurrent: 5, minTimeMs: 100 }));
		request('a');
		clock.advance(50);
		request('survivor', { reannounce: true });
		request('b');
		clock.advance(1000);
		expect(grants.map(grant => [grant.label, grant.at])).toEqual([
			['a', 0],
			['survivor', 50],
			['b', 100],
		]);
	});

	it('grants nothing before holdUntil, then serves the queue in order', () => {
		const { request, grants, clock } = setup(fixedPolicy({ maxConcurrent: 5, minTimeMs: 0 }), { holdUntil: T0 + 300 });
		request('a');
		clock.advance(100);
		request('b');
		clock.advance(199);
		expect(grants).toEqual([]);
		clock.advance(1);
		expect(grants.map(grant => [grant.label, grant.at, grant.waitedMs])).toEqual([
			['a', 300, 300],
			['b', 300, 200],
		]);
	});

	it('takes a raised limit into account on pump(lane)', () => {
		let limit = 1;
		const { request, scheduler, labels } = setup({ limit: () => limit, spacingMs: () => 0 });
		for (const label of ['a', 'b', 'c', 'd']) request(label);
		limit = 3;
		expect(labels()).toEqual(['a']);
		scheduler.pump('mutate');
		expect(labels()).toEqual(['a', 'b', 'c']);
	});

	it('asks the policy for the spacing at each grant', () => {
		let spacing = 100;
		const { request, grants, clock } = setup({ limit: () => 5, spacingMs: () => spacing });
		for (const label of ['a', 'b', 'c']) request(label);
		clock.advance(100);
		spacing = 300;
		clock.advance(1000);
		expect(grants.map(grant => [grant.label, grant.at])).toEqual([
			['a', 0],
			['b', 100],
			['c', 400],
		]);
	});

	it('keeps lanes independent', () => {
		const { request, grants, scheduler, names } = setup(fixedPolicy({ maxConcurrent: 1, minTimeMs: 1000 }), {
			read: fixedPolicy({ maxConcurrent: 2, minTimeMs: 0 }),
		});
		request('m1');
		request('m2');
		request('r1', {}, 'read');
		request('r2', {}, 'read');
		expect(grants.map(grant => grant.label)).toEqual(['m1', 'r1', 'r2']);
		expect(names(scheduler.waiting('mutate'))).toEqual(['m2']);
		expect(names(scheduler.waiting('read'))).toEqual([]);
		expect(names(scheduler.running('attached'))).toEqual([]);
	});

	it('is busy while anyone waits or runs in any lane', () => {
		const { request, scheduler } = setup();
		expect(scheduler.busy()).toBe(false);
		const r = request('r', {}, 'read');
		expect(scheduler.busy()).toBe(true);
		r.release();
		expect(scheduler.busy()).toBe(false);
		const a = request('a');
		const b = request('b');
		a.release();
		expect(scheduler.busy()).toBe(true);
		b.release();
		expect(scheduler.busy()).toBe(false);
	});

	it('close() cancels every timer and grants nothing more', () => {
		const { request, grants, clock, scheduler } = setup(fixedPolicy({ maxConcurrent: 5, minTimeMs: 100 }));
		const a = request('a', { leaseMs: 500 });
		request('b');
		expect(clock.pending).toBe(2); // a's lease, b's wake-up
		scheduler.close();
		expect(clock.pending).toBe(0);
		clock.advance(10_000);
		a.release();
		expect(grants.map(grant => grant.label)).toEqual(['a']);
		expect(scheduler.busy()).toBe(false);
	});

	describe('with a permit gate (fleet mode)', () => {
		/** A gate that records what it hears and answers when the test says so. */
		function recordingGate() {
			const events: string[] = [];
			const pending: Array<{ ticket: Ticket; answer: (verdict: GateVerdict) => void }> = [];
			const gate: PermitGate = {
				queued: ticket => events.push(`queued ${ticket.label}`),
				admit: (ticket, answer) => {
					events.push(`admit ${ticket.label}`);
					pending.push({ ticket, answer });
				},
				reannounced: ticket => events.push(`reannounced ${ticket.label}`),
				left: ticket => events.push(`left ${ticket.label}`),
			};
			return { gate, events, pending };
		}

		it('sees every arrival, is asked only about the head once this host allows it, and the queue waits on its answer', () => {
			const { gate, events, pending } = recordingGate();
			const { request, labels } = setup(fixedPolicy({ maxConcurrent: 2, minTimeMs: 0 }), { gate });
			const [a] = ['a', 'b', 'c'].map(label => request(label));
			expect(events).toEqual(['queued a', 'admit a', 'queued b', 'queued c']);
			expect(labels()).toEqual([]);
			pending.shift()!.answer({ grant: true });
			expect(labels()).toEqual(['a']);
			expect(events.at(-1)).toBe('admit b');
			pending.shift()!.answer({ grant: true });
			// The local limit (2) is reached: c is not even asked about until a slot frees.
			expect(events.at(-1)).toBe('admit b');
			a!.release();
			expect(events.slice(-2)).toEqual(['left a', 'admit c']);
			pending.shift()!.answer({ grant: true });
			expect(labels()).toEqual(['a', 'b', 'c']);
		});

		it('keeps a queue per daemon endpoint: a call held back for one daemon never holds up a call to another', () => {
			const { gate, events, pending } = recordingGate();
			const { scheduler } = setup(fixedPolicy({ maxConcurrent: 1, minTimeMs: 0 }), { gate });
			const on = (label: string, scope: string) => scheduler.request('mutate', label, { scope, onGrant: () => undefined });
			on('y1', 'unix:///y.sock');
			pending.shift()!.answer({ grant: true });
			on('y2', 'unix:///y.sock'); // this host's limit for y is reached: y2 waits here, not at the gate
			on('x1', 'unix:///x.sock');
			expect(events.filter(event => event.startsWith('admit'))).toEqual(['admit y1', 'admit x1']);
			expect(scheduler.running('mutate').map(ticket => ticket.label)).toEqual(['y1']);
			expect(scheduler.waiting('mutate').map(ticket => ticket.label)).toEqual(['y2', 'x1']);
			expect(scheduler.ahead(scheduler.waiting('mutate')[1]!)).toBe(0);
		});

		it('a refusal fails that call only and the next one is asked; a call gone while at the gate leaves it', () => {
			const { gate, events, pending } = recordingGate();
			const refused: string[] = [];
			const { scheduler, request, labels } = setup(fixedPolicy({ maxConcurrent: 1, minTimeMs: 0 }), { gate });
			const a = scheduler.request('mutate', 'a', { onGrant: () => undefined, onRefused: reason => refused.push(reason) });
			request('b');
			pending.shift()!.answer({ grant: false, reason: 'redis is away' });
			expect(refused).toEqual(['redis is away']);
			expect(scheduler.waiting('mutate').map(ticket => ticket.label)).toEqual(['b']);
			expect(events).toContain('left a');
			a.release(); // already gone: nothing more happens
			const atGate = pending.shift()!;
			expect(atGate.ticket.label).toBe('b');
			atGate.ticket.release();
			expect(events.at(-1)).toBe('left b');
			atGate.answer({ grant: true }); // a late answer for a ticket that left changes nothing
			expect(labels()).toEqual([]);
			expect(scheduler.busy()).toBe(false);
		});

		it('a grant carries the note of the gate to the caller; a re-announced slot is told to the gate at once', () => {
			const { gate, events, pending } = recordingGate();
			const notes: Array<string | undefined> = [];
			const { scheduler } = setup(fixedPolicy({ maxConcurrent: 1, minTimeMs: 0 }), { gate });
			scheduler.request('mutate', 'held', { reannounce: true, onGrant: () => undefined });
			expect(events).toEqual(['reannounced held']);
			scheduler.request('mutate', 'x', { onGrant: (_waited, _ticket, note) => notes.push(note) });
			scheduler.running('mutate')[0]!.release();
			pending.shift()!.answer({ grant: true, note: 'this host only' });
			expect(notes).toEqual(['this host only']);
		});
	});
});
