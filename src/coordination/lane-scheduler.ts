import type { Lane } from '../docker-grammar/lanes.js';
import { type Clock, systemClock } from '../system/clock.js';

/**
 * What a lane allows right now. A fixed lane returns its configured numbers; an adaptive controller (or a fleet
 * permit) answers from its own state, and the scheduler asks again before every grant.
 */
export interface LanePolicy {
	/** Slots that may be held at once. */
	limit(): number;
	/** Least milliseconds between two starts, on the wall clock. */
	spacingMs(): number;
}

export const fixedPolicy = ({ maxConcurrent, minTimeMs }: { maxConcurrent: number; minTimeMs: number }): LanePolicy => ({
	limit: () => maxConcurrent,
	spacingMs: () => minTimeMs,
});

/**
 * A second say, after this host's limits, in whether the head of a lane's queue may start: fleet mode's permits,
 * which hold across hosts. The scheduler keeps its own order and limits; the gate sees every ticket arrive (so that
 * it can keep arrival order across hosts), is asked about the head only once this host's limit and spacing allow
 * it, and hears when a ticket leaves.
 */
export interface PermitGate {
	/** A ticket joined the queue. */
	queued(ticket: Ticket): void;
	/** The head may start as far as this host is concerned: answer once, now or later. */
	admit(ticket: Ticket, answer: (verdict: GateVerdict) => void): void;
	/** A re-announced ticket counts at once. */
	reannounced(ticket: Ticket): void;
	/** Released, or gave up waiting. */
	left(ticket: Ticket): void;
}

/** `note`: said to the caller with its grant (e.g. that only this host's limits held); `refuse`: the call fails. */
export type GateVerdict = { readonly grant: true; readonly note?: string } | { readonly grant: false; readonly reason: string };

/** A call's place in a lane: waiting, then holding a slot, until released. */
export interface Ticket {
	readonly lane: Lane;
	readonly label: string;
	/** What the slot is for beyond its lane: the daemon endpoint, which keys fleet permits. */
	readonly scope: string;
	readonly queuedAt: number;
	/** Frees the slot, or leaves the queue if it was not granted yet; idempotent. */
	release(): void;
}

export interface RequestOptions {
	readonly scope?: string;
	/** Runs once, when the slot is granted, with the time spent waiting (possibly before `request` returns). */
	readonly onGrant: (waitedMs: number, ticket: Ticket, note?: string) => void;
	/** Runs instead of `onGrant` when the permit gate refuses the call; the ticket has left the queue. */
	readonly onRefused?: (reason: string) => void;
	/** Free the slot this long after the grant (a call attached to a stream keeps running without it). */
	readonly leaseMs?: number;
	/** The call already runs (its broker died): count it at once, ahead of the queue and over the limit if need be. */
	readonly reannounce?: boolean;
}

interface Entry extends Ticket {
	readonly options: RequestOptions;
	cancelLease?: () => void;
}

/** One queue: a lane (with a permit gate, a lane and a daemon endpoint: each daemon has its own fleet permits). */
interface LaneState {
	readonly lane: Lane;
	readonly waiting: Entry[];
	readonly running: Set<Entry>;
	lastStartAt: number;
	/** The head, while the permit gate decides about it (the queue waits behind it: first come, first served). */
	atGate?: Entry;
	/** Cancels the timer that will look at this lane again (spacing, or the start-up grace). */
	cancelWake?: () => void;
}

/**
 * First come, first served slots per lane, with a concurrency limit and a start-to-start spacing that hold on the
 * wall clock. This is the one place that knows who waits and who runs.
 *
 * It owns its queue instead of wrapping Bottleneck (which the first broker used): Bottleneck reserves start times
 * ahead on its own schedule, so a late timer let two starts come closer than minTime and the broker had to keep a
 * second, wall-clock floor beside it; a queued job cannot be withdrawn when its client disconnects, so the broker
 * kept its own waiting list as well; re-announced slots must count at once, over the limit; and the adaptive
 * controller and fleet permits need the limit and spacing asked for at each grant. With all of that outside
 * Bottleneck, what remained inside it was a FIFO array.
 */
export class LaneScheduler {
	private readonly queues = new Map<string, LaneState>();
	private closed = false;

	constructor(
		private readonly policies: Readonly<Record<Lane, LanePolicy>>,
		private readonly options: {
			/** No grants before this time (a restarted broker lets survivors re-announce their slots first). */
			readonly holdUntil?: number;
			readonly clock?: Clock;
			readonly gate?: PermitGate;
		} = {},
	) {}

	/** Queues a call for a slot of `lane`. */
	request(lane: Lane, label: string, options: RequestOptions): Ticket {
		const state = this.queueOf(lane, options.scope ?? '');
		if (this.closed) throw new Error('the lane scheduler is closed');
		const entry: Entry = {
			lane,
			label,
			scope: options.scope ?? '',
			queuedAt: this.now(),
			options,
			release: () => this.release(entry),
		};
		if (options.reannounce) {
			this.start(state, entry, false);
			this.options.gate?.reannounced(entry);
		} else {
			state.waiting.push(entry);
			this.options.gate?.queued(entry);
			this.pumpQueue(state);
		}
		return entry;
	}

	/** Looks at a lane again: call it when its policy may allow more than before. */
	pump(lane: Lane): void {
		for (const state of this.queues.values()) if (state.lane === lane) this.pumpQueue(state);
	}

	private pumpQueue(state: LaneState): void {
		const { lane } = state;
		state.cancelWake?.();
		state.cancelWake = undefined;
		if (this.closed) return;
		const policy = this.policies[lane];
		const holdFor = (this.options.holdUntil ?? 0) - this.now();
		if (holdFor > 0) {
			if (state.waiting.length > 0) this.wake(state, holdFor);
			return;
		}
		while (state.waiting.length > 0 && state.running.size < Math.max(1, policy.limit())) {
			// Measured at each grant: a timer can fire early against the event loop's cached time, or late after a stall.
			const wait = state.lastStartAt + policy.spacingMs() - this.now();
			if (wait > 0) {
				this.wake(state, wait);
				return;
			}
			if (this.options.gate) {
				this.admit(state, this.options.gate);
				return;
			}
			this.start(state, state.waiting.shift()!, true);
		}
	}

	/** Asks the gate about the head; the lane moves on when it answers. */
	private admit(state: LaneState, gate: PermitGate): void {
		const head = state.waiting[0]!;
		if (state.atGate === head) return;
		state.atGate = head;
		gate.admit(head, verdict => {
			if (state.atGate !== head || this.closed) return;
			state.atGate = undefined;
			state.waiting.splice(state.waiting.indexOf(head), 1);
			if (verdict.grant) this.start(state, head, true, verdict.note);
			else {
				gate.left(head);
				head.options.onRefused?.(verdict.reason);
			}
			this.pumpQueue(state);
		});
	}

	running(lane: Lane): readonly Ticket[] {
		return this.ofLane(lane).flatMap(state => [...state.running]);
	}

	waiting(lane: Lane): readonly Ticket[] {
		return this.ofLane(lane).flatMap(state => state.waiting);
	}

	/** How many wait ahead of `ticket` in its queue (all of its queue's waiters once it is no longer waiting). */
	ahead(ticket: Ticket): number {
		const state = this.queueOf(ticket.lane, ticket.scope);
		const position = state.waiting.indexOf(ticket as Entry);
		return position === -1 ? state.waiting.length : position;
	}

	/** Anyone waiting or holding a slot in any lane. */
	busy(): boolean {
		return [...this.queues.values()].some(state => state.waiting.length > 0 || state.running.size > 0);
	}

	/** Cancels every timer; the scheduler grants nothing more. */
	close(): void {
		this.closed = true;
		for (const state of this.queues.values()) {
			state.cancelWake?.();
			for (const entry of state.running) entry.cancelLease?.();
			state.waiting.length = 0;
			state.running.clear();
		}
	}

	private start(state: LaneState, entry: Entry, spaced: boolean, note?: string): void {
		const now = this.now();
		state.running.add(entry);
		if (spaced) state.lastStartAt = now;
		if (entry.options.leaseMs !== undefined) entry.cancelLease = this.clock.setTimer(entry.release, entry.options.leaseMs);
		entry.options.onGrant(now - entry.queuedAt, entry, note);
	}

	private release(entry: Entry): void {
		const state = this.queueOf(entry.lane, entry.scope);
		entry.cancelLease?.();
		const queued = state.waiting.indexOf(entry);
		const wasRunning = state.running.delete(entry);
		if (queued === -1 && !wasRunning) return;
		if (queued !== -1) state.waiting.splice(queued, 1);
		this.options.gate?.left(entry);
		if (state.atGate === entry) state.atGate = undefined;
		if (wasRunning || queued === 0) this.pumpQueue(state);
	}

	private wake(state: LaneState, ms: number): void {
		state.cancelWake = this.clock.setTimer(() => {
			state.cancelWake = undefined;
			this.pumpQueue(state);
		}, ms);
	}

	/**
	 * A lane's queue: one per lane; with a permit gate, one per lane and daemon endpoint, so that a call held back
	 * for one daemon never holds up a call to another in the fleet's queue of its own daemon.
	 */
	private queueOf(lane: Lane, scope: string): LaneState {
		const key = this.options.gate ? `${lane} ${scope}` : lane;
		const state = this.queues.get(key) ?? { lane, waiting: [], running: new Set(), lastStartAt: Number.NEGATIVE_INFINITY };
		this.queues.set(key, state);
		return state;
	}

	private ofLane(lane: Lane): LaneState[] {
		return [...this.queues.values()].filter(state => state.lane === lane);
	}

	private get clock(): Clock {
		return this.options.clock ?? systemClock;
	}

	private now(): number {
		return this.clock.now();
	}
}
