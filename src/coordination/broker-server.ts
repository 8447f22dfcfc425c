import type { Socket } from 'node:net';
import { maxConcurrentOf } from '../config/lane-profile.js';
import { pingDaemon } from '../docker/ping.js';
import { LANES, type Lane } from '../docker-grammar/lanes.js';
import { type FleetMembership, joinFleet } from '../fleet/join-fleet.js';
import { AdaptiveLane } from './adaptive-lane.js';
import type { CongestionSignal } from './adaptive-types.js';
import { BreakerAdmission } from './admission.js';
import { type BrokerCore, serveConnection } from './broker-connection.js';
import type { BrokerOptions } from './broker-options.js';
import { type BrokerSocket, listenPrivately } from './broker-socket.js';
import { EndpointBreakers } from './endpoint-breakers.js';
import { fixedPolicy, type LanePolicy, LaneScheduler } from './lane-scheduler.js';
import type { StatsSnapshot } from './protocol.js';
import { StatsStore } from './stats-store.js';

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
						// In a fleet, the fleet hears it now: the strictest limit its hosts say is everyone's.
						fleet?.permits.limitChanged('mutate');
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

	const core: BrokerCore = {
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
		snapshot,
		stopping: () => stopping,
		retireFor: version => {
			if (accepting) retire(`version ${version} asked for`);
		},
		shutdown,
	};

	const handle = (socket: Socket) => {
		sockets.add(socket);
		touch();
		serveConnection(socket, core);
		socket.on('close', () => {
			sockets.delete(socket);
			touch();
			if (!accepting && sockets.size === 0) shutdown('drained');
		});
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
