import type { Socket } from 'node:net';
import type { Config } from '../config/defaults.js';
import { maxConcurrentOf } from '../config/lane-profile.js';
import { pingDaemon } from '../docker/ping.js';
import { LANES, type Lane } from '../docker-grammar/lanes.js';
import { type FleetMembership, joinFleet } from '../fleet/join-fleet.js';
import { AdaptiveLane } from './adaptive-lane.js';
import type { CongestionSignal } from './adaptive-types.js';
import { BreakerAdmission } from './admission.js';
import { type BrokerSocket, listenPrivately } from './broker-socket.js';
import { EndpointBreakers } from './endpoint-breakers.js';
import { fixedPolicy, type LanePolicy, LaneScheduler, type Ticket } from './lane-scheduler.js';
import { type BrokerMessage, type ClientMessage, encode, lineReader, type StatsSnapshot } from './protocol.js';
import { StatsStore } from './stats-store.js';

export interface BrokerOptions {
	readonly socketPath: string;
	readonly stateDir: string;
	readonly version: string;
	readonly lanes: Config['lanes'];
	readonly breaker: Config['breaker'];
	/** Fleet mode (`redis` set): lane permits shared through Redis with every host that uses the same daemon. */
	readonly fleet?: Config['fleet'];
	/** Deadline of the half-open probe's ping. */
	readonly probeTimeoutMs: number;
	/** Exit after this long with no client and nothing queued. */
	readonly idleTimeoutMs: number;
	/**
	 * After a start, new calls wait this long so that calls still running under a broker that died can
	 * re-announce their slots first, and the limits stay true.
	 * @default 300
	 */
	readonly reannounceGraceMs?: number;
	/** Log every queued and granted call (SAFE_DOCKER_BROKER_TRACE=1), to see the order calls are served in. */
	readonly trace?: boolean;
	readonly log?: (line: string) => void;
	// For testing
	readonly ping?: typeof pingDaemon;
}

/** A waiting client hears from the broker this often (its place in the queue), so that it can tell a stopped broker. */
const HEARTBEAT_MS = 1000;
/** Statistics are written this long after a change, so that a burst of calls is one write. */
const PERSIST_DELAY_MS = 200;

/**
 * The per-user broker's server: the socket, the protocol and the lifecycle. Slots come from the lane scheduler,
 * fail-fast from the endpoint breakers, counts from the stats store. A slot is held until its client releases
 * it or its connection closes. The broker exits after an idle period, when asked, or — retired by a client of
 * another version — once its last client is gone.
 */
export async function runBroker(options: BrokerOptions): Promise<void> {
	const log = options.log ?? (() => undefined);
	const ping = options.ping ?? pingDaemon;
	const stats = new StatsStore(options.stateDir, log);
	const breakers = new EndpointBreakers(options.breaker, stats.breakers);
	// The mutate lane in adaptive mode learns its limit (restored from what the last broker learned); the rest are fixed.
	const adaptive: AdaptiveLane | undefined =
		options.lanes.mutate.mode === 'adaptive'
			? new AdaptiveLane(
					options.lanes.mutate,
					maxConcurrentOf(options.lanes, 'mutate'),
					() => scheduler.running('mutate'),
					options.lanes.attached.leaseMs,
					stats.adaptive['mutate'],
					(before, after, reason) => {
						log(`mutate limit ${before} → ${after}: ${reason}`);
						// In a fleet, the limit this controller learned becomes everyone's.
						fleet?.permits.shareLimit('mutate', after);
					},
				)
			: undefined;
	const policies = Object.fromEntries(
		LANES.map(lane => [
			lane,
			lane === 'mutate' && adaptive
				? adaptive
				: fixedPolicy({ maxConcurrent: maxConcurrentOf(options.lanes, lane), minTimeMs: options.lanes[lane].minTimeMs }),
		]),
	) as Record<Lane, LanePolicy>;
	const fleet: FleetMembership | undefined = options.fleet?.redis
		? await joinFleet(
				options.fleet,
				policies,
				{ ...options.breaker, probeTimeoutMs: options.probeTimeoutMs },
				new Set(adaptive ? (['mutate'] as const) : []),
				options.version,
				log,
				options.trace,
			)
		: undefined;
	const admission = new BreakerAdmission(breakers, fleet?.breakers, log);
	const scheduler: LaneScheduler = new LaneScheduler(policies, {
		holdUntil: Date.now() + (options.reannounceGraceMs ?? 300),
		...(fleet ? { gate: fleet.permits } : {}),
	});
	const modeOf = (lane: Lane) => (lane === 'mutate' && adaptive ? 'adaptive' : 'fixed');
	const congestion = (signal: CongestionSignal) => {
		if (!adaptive) return;
		adaptive.congestion(signal);
		persist();
	};
	const sockets = new Set<Socket>();
	/** Calls waiting for a slot, by the endpoint they call: when its breaker opens they fail at once instead of queueing on. */
	const waiters = new Map<{ readonly url: string }, () => void>();
	const failWaiters = (url: string) => {
		for (const [waiter, fail] of [...waiters]) if (waiter.url === url) fail();
	};
	admission.onOpened = failWaiters;
	let accepting = true;
	let idleTimer: NodeJS.Timeout | undefined;
	let persistTimer: NodeJS.Timeout | undefined;

	const persist = () => {
		persistTimer ??= setTimeout(() => {
			persistTimer = undefined;
			save();
		}, PERSIST_DELAY_MS);
	};
	const save = () => {
		if (adaptive) stats.setAdaptive({ mutate: adaptive.snapshot() });
		stats.save(breakers.snapshots());
	};

	const snapshot = (): StatsSnapshot => ({
		...stats.summary(breakers.snapshots()),
		...(adaptive ? { adaptive: { ...stats.adaptive, mutate: adaptive.snapshot() } } : {}),
		brokerPid: process.pid,
		lanes: Object.fromEntries(
			LANES.map(lane => [
				lane,
				{
					running: scheduler.running(lane).length,
					queued: scheduler.waiting(lane).length,
					limit: policies[lane].limit(),
					mode: modeOf(lane),
				},
			]),
		) as StatsSnapshot['lanes'],
	});

	const touch = () => {
		if (idleTimer) clearTimeout(idleTimer);
		idleTimer = undefined;
		if (sockets.size === 0 && !scheduler.busy()) idleTimer = setTimeout(() => void shutdown('idle'), options.idleTimeoutMs);
	};

	let listening: BrokerSocket;
	let done: () => void;
	const finished = new Promise<void>(resolve => (done = resolve));
	let stopping = false;

	function shutdown(why: string): void {
		if (stopping) return;
		stopping = true;
		log(`stopping: ${why}`);
		accepting = false;
		listening.close();
		if (persistTimer) clearTimeout(persistTimer);
		if (idleTimer) clearTimeout(idleTimer);
		scheduler.close();
		save();
		for (const socket of sockets) socket.destroy();
		if (fleet) void fleet.close().finally(done);
		else done();
	}

	function retire(why: string): void {
		accepting = false;
		listening.close();
		log(`retiring: ${why}`);
		if (sockets.size === 0) shutdown(why);
	}

	const handle = (socket: Socket) => {
		sockets.add(socket);
		touch();
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
					limit: policies[lane].limit(),
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
					if (options.trace) log(`granted ${lane} ${label}`);
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
			if (asked || stopping) return;
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
			if (socket.destroyed || stopping) return;
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
						if (accepting) retire(`version ${message.version} asked for`);
						return;
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
						if (!fleet) return send({ type: 'stats', stats: snapshot() });
						return void fleet.status().then(status => send({ type: 'stats', stats: { ...snapshot(), fleet: status } }));
					case 'reset':
						stats.reset();
						persist();
						return send({ type: 'ok' });
					case 'stop':
						send({ type: 'ok' });
						return shutdown('asked to stop');
				}
			}),
		);
		socket.on('close', () => {
			release();
			sockets.delete(socket);
			touch();
			if (!accepting && sockets.size === 0) shutdown('drained');
		});
		socket.on('error', () => undefined);
	};

	listening = listenPrivately(options.socketPath, handle, {
		listening: () => {
			log(`listening on ${options.socketPath} (pid ${process.pid}, version ${options.version})`);
			touch();
		},
		failed: error => {
			log(`server error: ${error.message}`);
			shutdown(error.message);
		},
	});
	return finished;
}
