import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { GateVerdict, LanePolicy, PermitGate, Ticket } from '../coordination/lane-scheduler.js';
import type { Lane } from '../docker-grammar/lanes.js';
import { FleetLimits } from './fleet-limits.js';
import type { FleetLink } from './fleet-link.js';
import { permitKeys as keys } from './permit-scripts.js';

export interface FleetPermitSettings {
	readonly prefix: string;
	readonly leaseMs: number;
	readonly onUnavailable: 'local' | 'fail';
	/** This host's limit and spacing of each lane (the fleet's are the strictest of its hosts'). */
	readonly policies: Readonly<Record<Lane, LanePolicy>>;
	/** This broker in the fleet: tickets are named after it. */
	readonly hostId: string;
	/** Lanes whose limit is learned (adaptive): what this host says of them is its controller's limit now. */
	readonly adaptiveLanes: ReadonlySet<Lane>;
	/** Logs each ticket's arrival in the fleet's queue (SAFE_DOCKER_BROKER_TRACE=1), to check the order across hosts. */
	readonly trace?: (line: string) => void;
	/** broker.log: says when the fleet's limit is stricter than this host's. */
	readonly log?: (line: string) => void;
}

interface Entry {
	readonly id: string;
	readonly base: string;
	readonly ticket: Ticket;
	readonly info: string;
	/** Arrival in the fleet's queue (Redis µs), once it joined. */
	score?: string;
	joining?: Promise<void>;
	state: 'queued' | 'admitting' | 'held';
	answer?: (verdict: GateVerdict) => void;
	timer?: NodeJS.Timeout;
	/** The fleet answered: wait (what the caller's waiting line says). */
	told?: boolean;
	/** An acquire is on its way; `again`: another was asked for meanwhile. */
	busy?: boolean;
	again?: boolean;
}

/**
 * Fleet permits as the lane scheduler's gate: a ticket joins the fleet's queue when it arrives, and the head of this
 * host's queue starts only with a fleet permit (see permit-scripts.ts). The broker renews every lease it holds or
 * waits on every `leaseMs / 3`, and re-announces all of it as soon as Redis is back after a loss. When Redis cannot
 * be reached, a call runs under this host's limits with a note saying so (`local`) or is refused (`fail`); a call
 * already running is never touched.
 */
export class FleetPermits implements PermitGate {
	private readonly entries = new Map<Ticket, Entry>();
	private next = 0;
	/** The last release sent: commands on one connection complete in order, so this one settles last. */
	private lastSent: Promise<void> = Promise.resolve();
	private readonly renewer: NodeJS.Timeout;
	private readonly limits: FleetLimits;

	constructor(
		private readonly link: FleetLink,
		private readonly settings: FleetPermitSettings,
	) {
		this.limits = new FleetLimits(link, settings);
		link.onEvent(base => {
			for (const entry of this.entries.values()) if (entry.base === base && entry.state === 'admitting') void this.acquire(entry);
		});
		link.onRejoin(() => void this.renew().then(() => this.retryAll()));
		this.renewer = setInterval(() => void this.renew(), Math.max(250, Math.floor(settings.leaseMs / 3)));
		this.renewer.unref();
	}

	/** `<prefix>:{<endpoint hash>:<lane>}`: hosts that use different daemons never share limits. */
	baseOf(scope: string, lane: Lane): string {
		return `${this.settings.prefix}:{${createHash('sha1').update(scope).digest('hex').slice(0, 16)}:${lane}}`;
	}

	queued(ticket: Ticket): void {
		const entry: Entry = {
			id: `${this.settings.hostId}:${++this.next}`,
			base: this.baseOf(ticket.scope, ticket.lane),
			ticket,
			info: JSON.stringify({ host: hostname(), pid: process.pid, label: ticket.label }),
			state: 'queued',
		};
		this.entries.set(ticket, entry);
		this.limits.use(entry.base, ticket.lane, ticket.scope);
		this.join(entry);
	}

	admit(ticket: Ticket, answer: (verdict: GateVerdict) => void): void {
		const entry = this.entries.get(ticket);
		if (!entry) {
			answer({ grant: true });
			return;
		}
		entry.state = 'admitting';
		entry.answer = answer;
		void this.acquire(entry);
	}

	reannounced(ticket: Ticket): void {
		this.queued(ticket);
		const entry = this.entries.get(ticket)!;
		entry.state = 'held';
		void this.renew();
	}

	left(ticket: Ticket): void {
		const entry = this.entries.get(ticket);
		if (!entry) return;
		this.entries.delete(ticket);
		clearTimeout(entry.timer);
		const { q, qx, h, info } = keys(entry.base);
		// Best effort: what Redis does not hear of now ends with its lease.
		this.lastSent = this.link
			.run('fleetRelease', q, qx, h, info, entry.id, this.link.channel, entry.base)
			.then(() => undefined)
			.catch(() => undefined);
	}

	/** The daemon endpoints and lanes this host called lately, by their permit keys' base. */
	endpoints(): ReadonlyMap<string, { readonly lane: Lane; readonly endpoint: string }> {
		return this.limits.endpoints();
	}

	/** This host's controller changed an adaptive lane's limit: the fleet hears it now (the strictest one holds). */
	limitChanged(lane: Lane): void {
		this.limits.changed(lane);
	}

	/** The fleet's limit for the ticket's daemon and lane, once the fleet answered (the strictest of its hosts'). */
	fleetLimit(ticket: Ticket): number | undefined {
		const entry = this.entries.get(ticket);
		return entry && this.limits.limitOf(entry.base);
	}

	/** Whether this host let the ticket go and the fleet told it to wait for a permit. */
	waitsForFleet(ticket: Ticket): boolean {
		const entry = this.entries.get(ticket);
		return entry?.state === 'admitting' && entry.told === true;
	}

	/** Stops renewing and gives back everything this broker holds or waits for (the broker stops). */
	close(): Promise<void> {
		clearInterval(this.renewer);
		const leaving = [...this.entries.keys()];
		for (const ticket of leaving) this.left(ticket);
		return Promise.all([this.lastSent, this.limits.withdraw()]).then(() => undefined);
	}

	/** Joins the fleet's queue (again, keeping its place, if Redis lost it). */
	private join(entry: Entry): Promise<void> {
		const { q, qx, h, info } = keys(entry.base);
		entry.joining = this.link
			.run('fleetEnqueue', q, qx, h, info, entry.id, this.settings.leaseMs, entry.score ?? '', entry.info)
			.then(score => {
				if (typeof score !== 'string' || score === '') return;
				if (entry.score === undefined) this.settings.trace?.(`fleet arrival ${score} ${entry.ticket.lane} ${entry.ticket.label}`);
				entry.score = score;
			})
			.catch(() => undefined);
		return entry.joining;
	}

	private async acquire(entry: Entry): Promise<void> {
		if (entry.busy) {
			entry.again = true;
			return;
		}
		entry.busy = true;
		clearTimeout(entry.timer);
		try {
			if (!(await this.link.available())) return this.fallBack(entry);
			await entry.joining;
			// Let go meanwhile (the call ended, the broker stops): a ticket that left says nothing more.
			if (!this.entries.has(entry.ticket) || entry.state !== 'admitting') return;
			const { lane } = entry.ticket;
			const { q, qx, h, info, last, said, saidx } = keys(entry.base);
			const [status, result, fleetLimit] = (await this.link.run(
				'fleetAcquire',
				q,
				qx,
				h,
				info,
				last,
				said,
				saidx,
				entry.id,
				this.settings.leaseMs,
				this.link.channel,
				entry.base,
				this.settings.hostId,
				this.limits.said(lane),
			)) as [number, number, number];
			this.limits.hear(entry.base, lane, fleetLimit);
			if (!this.entries.has(entry.ticket) || entry.state !== 'admitting') return;
			if (status === 1) {
				if (result > 0) this.settings.trace?.(`fleet grant ${result} ${lane} ${entry.ticket.label}`);
				return this.grant(entry, { grant: true });
			}
			if (status === -1) {
				await this.join(entry);
				entry.again = true;
				return;
			}
			entry.told = true;
			entry.timer = setTimeout(() => void this.acquire(entry), result);
		} catch {
			if (this.entries.has(entry.ticket) && entry.state === 'admitting') this.fallBack(entry);
		} finally {
			entry.busy = false;
			if (entry.again && entry.state === 'admitting') {
				entry.again = false;
				void this.acquire(entry);
			}
		}
	}

	private fallBack(entry: Entry): void {
		// A local grant counts as held: when Redis is back, the renewal re-announces it, so the fleet sees it running.
		this.grant(
			entry,
			this.settings.onUnavailable === 'fail'
				? { grant: false, reason: this.link.problemNow }
				: { grant: true, note: `${this.link.whyAway()}; running under this host's limits only (fleet.onUnavailable = local)` },
		);
	}

	private grant(entry: Entry, verdict: GateVerdict): void {
		entry.state = 'held';
		const answer = entry.answer;
		entry.answer = undefined;
		answer?.(verdict);
	}

	private retryAll(): void {
		for (const entry of this.entries.values()) if (entry.state === 'admitting') void this.acquire(entry);
	}

	/** Extends every lease this host has, per base key; puts back what Redis lost; says its limits again. */
	private async renew(): Promise<void> {
		void this.limits.renew();
		const bases = new Map<string, { held: Array<[string, string]>; waiting: Array<[string, string, string]> }>();
		for (const entry of this.entries.values()) {
			const lists = bases.get(entry.base) ?? { held: [], waiting: [] };
			bases.set(entry.base, lists);
			if (entry.state === 'held') lists.held.push([entry.id, entry.info]);
			else if (entry.score !== undefined) lists.waiting.push([entry.id, entry.score, entry.info]);
			else void this.join(entry);
		}
		await Promise.all(
			[...bases].map(([base, lists]) => {
				const { q, qx, h, info } = keys(base);
				// cjson turns an empty table into an object; an empty list is simply not sent.
				if (lists.held.length + lists.waiting.length === 0) return undefined;
				return this.link.run('fleetRenew', q, qx, h, info, this.settings.leaseMs, JSON.stringify(lists)).catch(() => undefined);
			}),
		);
	}
}
