import type { Socket } from 'node:net';
import type { Lane } from '../docker-grammar/lanes.js';
import type { FleetMembership } from '../fleet/join-fleet.js';
import type { AdaptiveLane } from './adaptive-lane.js';
import type { CongestionSignal } from './adaptive-types.js';
import type { BreakerAdmission } from './admission.js';
import type { BrokerLog, BrokerOptions } from './broker-options.js';
import type { EndpointBreakers } from './endpoint-breakers.js';
import type { LanePolicy, LaneScheduler, Ticket } from './lane-scheduler.js';
import { type BrokerMessage, type ClientMessage, encode, lineReader, type StatsSnapshot } from './protocol.js';
import type { StatsStore } from './stats-store.js';

/** A waiting client hears from the broker this often (its place in the queue), so that it can tell a stopped broker. */
const HEARTBEAT_MS = 1000;

/** What a client connection is served from: the broker's lanes, breakers, statistics and lifecycle. */
export interface BrokerCore {
	readonly options: BrokerOptions;
	readonly log: BrokerLog;
	readonly ping: NonNullable<BrokerOptions['ping']>;
	readonly stats: StatsStore;
	readonly breakers: EndpointBreakers;
	readonly adaptive: AdaptiveLane | undefined;
	readonly policies: Readonly<Record<Lane, LanePolicy>>;
	readonly fleet: FleetMembership | undefined;
	readonly admission: BreakerAdmission;
	readonly scheduler: LaneScheduler;
	/** Calls waiting for a slot, by the endpoint they call: when its breaker opens they fail at once instead of queueing on. */
	readonly waiters: Map<{ readonly url: string }, () => void>;
	modeOf(lane: Lane): 'fixed' | 'adaptive';
	congestion(signal: CongestionSignal): void;
	/** Saves the statistics soon; `save` saves them now. */
	persist(): void;
	save(): void;
	snapshot(): StatsSnapshot;
	stopping(): boolean;
	/** A client of another version asked: take no new clients (a broker of its version takes over). */
	retireFor(version: string): void;
	shutdown(why: string): void;
}

/**
 * One client connection: its hello, its slot (admission by the breaker, a place in its lane's queue, the grant) and
 * its release, which comes with the call's outcome or when the connection closes (a client killed with SIGKILL).
 */
export function serveConnection(socket: Socket, core: BrokerCore): void {
	const {
		options,
		log,
		ping,
		stats,
		breakers,
		adaptive,
		policies,
		fleet,
		admission,
		scheduler,
		waiters,
		modeOf,
		congestion,
		persist,
		save,
	} = core;
	const send = (message: BrokerMessage) => {
		if (!socket.destroyed) socket.write(encode(message));
	};
	let ticket: Ticket | undefined;
	let request: Extract<ClientMessage, { type: 'acquire' }> | undefined;
	let endpointUrl: string | undefined;
	let asked = false;
	let heartbeat: NodeJS.Timeout | undefined;
	const waiter = { url: '' };
	const stopWaiting = () => {
		clearInterval(heartbeat);
		waiters.delete(waiter);
	};

	const queue = (message: Extract<ClientMessage, { type: 'acquire' }>) => {
		const { lane, label } = message;
		if (options.trace) log(`queued ${lane} ${label}${message.reannounce ? ' (re-announced)' : ''}`);
		const place = () => {
			send({
				type: 'queued',
				lane,
				// In a fleet, the fleet's limit once it answered: the strictest of its hosts'.
				limit: (ticket && fleet?.permits.fleetLimit(ticket)) ?? policies[lane].limit(),
				mode: modeOf(lane),
				running: scheduler.running(lane).map(other => other.label),
				ahead: ticket === undefined ? scheduler.waiting(lane).length : scheduler.ahead(ticket),
				...(ticket && fleet?.permits.waitsForFleet(ticket) ? { fleet: true as const } : {}),
			});
		};
		place();
		let granted = false;
		request = message;
		ticket = scheduler.request(lane, label, {
			scope: message.endpoint.url,
			reannounce: message.reannounce === true,
			...(message.hold === 'lease' ? { leaseMs: options.lanes.attached.leaseMs } : {}),
			onRefused: detail => {
				stopWaiting();
				ticket = undefined;
				if (options.trace) log(`refused ${lane} ${label}: ${detail}`);
				send({ type: 'fleet-unavailable', redis: fleet?.link.shownUrl ?? '', detail });
			},
			onGrant: (waitedMs, grantedTicket, note) => {
				granted = true;
				stopWaiting();
				// Stamped with the grant's own time, the one spacing is kept on.
				if (options.trace) log(`granted ${lane} ${label}`, grantedTicket.queuedAt + waitedMs);
				if (lane === 'mutate' && adaptive) {
					adaptive.granted(grantedTicket, message);
					if (message.hold === 'lease') {
						// Still holding the ticket at the lease's end: the call has not finished (a release clears it).
						const timer = setTimeout(() => {
							if (ticket) adaptive.leaseEnded(ticket, message);
						}, options.lanes.attached.leaseMs);
						socket.once('close', () => clearTimeout(timer));
					}
				}
				send({ type: 'granted', waitedMs, ...(note === undefined ? {} : { note }) });
			},
		});
		if (granted) return;
		heartbeat = setInterval(place, HEARTBEAT_MS);
		waiter.url = message.endpoint.url;
		waiters.set(waiter, () => {
			stopWaiting();
			ticket?.release();
			ticket = undefined;
			const breaker = breakers.of(waiter.url);
			if (options.trace) log(`failed fast ${lane} ${label}: breaker open`);
			send({ type: 'open', endpoint: waiter.url, breaker: breaker.snapshot() });
		});
	};

	const acquire = async (message: Extract<ClientMessage, { type: 'acquire' }>) => {
		if (asked || core.stopping()) return;
		asked = true;
		const url = message.endpoint.url;
		endpointUrl = url;
		if (message.reannounce) return queue(message);
		// Admission can take a while (the fleet's Redis, a probe's ping): the client hears from us meanwhile.
		const keepAlive = setInterval(
			() => send({ type: 'queued', lane: message.lane, limit: policies[message.lane].limit(), running: [], ahead: 0 }),
			HEARTBEAT_MS,
		);
		try {
			await admit(message, url);
		} finally {
			clearInterval(keepAlive);
		}
	};

	const admit = async (message: Extract<ClientMessage, { type: 'acquire' }>, url: string) => {
		const { verdict, breaker } = await admission.admit(url);
		// Work done for a client ends with its connection: a client gone meanwhile gets no slot.
		if (socket.destroyed || core.stopping()) return;
		if (verdict === 'reject') return send({ type: 'open', endpoint: url, breaker });
		if (verdict === 'pass') return queue(message);
		// The one half-open probe across all processes (and hosts): our own ping, then the call goes on or fails fast.
		const result = await ping(message.endpoint, options.probeTimeoutMs);
		admission.probed(url, result.ok, result.ok ? undefined : result.detail);
		if (!result.ok && result.reason !== 'unknown') congestion({ kind: 'ping-failed', detail: result.detail });
		persist();
		if (socket.destroyed) return;
		if (result.ok) queue(message);
		else send({ type: 'open', endpoint: url, breaker: breakers.of(url).snapshot() });
	};

	const release = (outcome?: Extract<ClientMessage, { type: 'release' }>['outcome']) => {
		stopWaiting();
		// Counted before the slot goes to the next call: a breaker this outcome opens fails the waiting calls instead.
		if (outcome) {
			stats.record(outcome);
			if (endpointUrl) {
				const breaker = breakers.of(endpointUrl);
				const wasOpen = breaker.snapshot().state === 'open';
				breaker.record(outcome.kind, outcome.detail);
				if (!wasOpen && breaker.snapshot().state === 'open') admission.opened(endpointUrl);
			}
			if (ticket && request?.lane === 'mutate' && adaptive && !request.reannounce) adaptive.finished(ticket, request, outcome);
			// Saved before the client hears `ok` and exits: a broker killed a moment later loses no call it counted.
			save();
		}
		ticket?.release();
		ticket = undefined;
		// The limit may have grown while no slot was freed (a call whose lease had already ended).
		if (adaptive) scheduler.pump('mutate');
	};

	socket.on(
		'data',
		lineReader<ClientMessage>(message => {
			switch (message.type) {
				case 'hello':
					if (message.version === null || message.version === options.version) {
						return send({ type: 'welcome', version: options.version, pid: process.pid });
					}
					send({ type: 'mismatch', version: options.version });
					// Retire: a broker of the client's version takes over; ours serves only who it has.
					return core.retireFor(message.version);
				case 'acquire':
					return void acquire(message);
				case 'release':
					release(message.outcome);
					return send({ type: 'ok' });
				case 'stall':
					if (endpointUrl === undefined) return;
					// A stalled daemon is congestion as well: the adaptive limit halves.
					congestion({ kind: 'stalled', detail: message.detail });
					breakers.of(endpointUrl).trip(message.detail);
					admission.opened(endpointUrl);
					return persist();
				case 'stats':
					if (!fleet) return send({ type: 'stats', stats: core.snapshot() });
					return void fleet.status().then(status => send({ type: 'stats', stats: { ...core.snapshot(), fleet: status } }));
				case 'reset':
					stats.reset();
					persist();
					return send({ type: 'ok' });
				case 'stop':
					send({ type: 'ok' });
					return core.shutdown('asked to stop');
			}
		}),
	);
	socket.on('close', () => release());
	socket.on('error', () => undefined);
}
