import { chmodSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Bottleneck from 'bottleneck';
import type { Config } from '../config/defaults.js';
import { pingDaemon } from '../docker/ping.js';
import type { Hold, Lane } from '../docker-grammar/lanes.js';
import { Breaker, type BreakerSnapshot } from './breaker.js';
import { type BrokerMessage, type ClientMessage, encode, lineReader, type ReportedOutcome, type StatsSnapshot } from './protocol.js';

export interface BrokerOptions {
	readonly socketPath: string;
	readonly stateDir: string;
	readonly version: string;
	readonly lanes: Config['lanes'];
	readonly breaker: Config['breaker'];
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
}

const LANES: readonly Lane[] = ['mutate', 'read', 'attached'];
export const STATS_FILE = 'stats.json';

interface Entry {
	readonly lane: Lane;
	readonly hold: Hold;
	readonly label: string;
	readonly queuedAt: number;
	finish?: () => void;
}

/** Persisted counters: they survive broker restarts. */
interface Counters {
	since: string;
	totalCalls: number;
	failures: { failed: number; daemon: number };
	waitedCalls: number;
	/** The most recent waits, for percentiles. */
	waits: number[];
	/** Breaker state per daemon endpoint, so that it survives restarts. */
	breakers?: Record<string, BreakerSnapshot>;
}

/**
 * The per-user broker: one Bottleneck limiter per lane (maxConcurrent, minTime start-to-start, FIFO within
 * a lane), granting slots to clients over a Unix socket. A slot is held until its client releases it or its
 * connection closes; an `attached` call holds its slot only for the start-up lease. Statistics are kept here
 * and written atomically to the state directory. The broker exits after an idle period.
 */
export function runBroker(options: BrokerOptions): Promise<void> {
	const log = options.log ?? (() => undefined);
	const limiters = Object.fromEntries(
		LANES.map(lane => [
			lane,
			fastYield(new Bottleneck({ maxConcurrent: options.lanes[lane].maxConcurrent, minTime: options.lanes[lane].minTimeMs })),
		]),
	) as Record<Lane, Bottleneck>;
	const waiting = Object.fromEntries(LANES.map(lane => [lane, [] as Entry[]])) as Record<Lane, Entry[]>;
	const running = Object.fromEntries(LANES.map(lane => [lane, new Set<Entry>()])) as Record<Lane, Set<Entry>>;
	// Bottleneck spaces its own reservations minTime apart; a job run late by event-loop lag can then start
	// closer than minTime to the next one. This floor keeps the spacing true on the wall clock as well (checked
	// again after each sleep: a timer is due relative to the event loop's cached time and can fire early).
	const lastGrantAt = Object.fromEntries(LANES.map(lane => [lane, -Infinity])) as Record<Lane, number>;
	const spaced = async (lane: Lane) => {
		const remaining = () => lastGrantAt[lane] + options.lanes[lane].minTimeMs - Date.now();
		while (remaining() > 0) await sleep(remaining());
	};
	const sockets = new Set<Socket>();
	const breakers = new Map<string, Breaker>();
	const breakerOf = (url: string) =>
		breakers.get(url) ?? breakers.set(url, new Breaker(options.breaker, Date.now, counters.breakers?.[url])).get(url)!;
	const counters = loadCounters(options.stateDir);
	let accepting = true;
	const graceUntil = Date.now() + (options.reannounceGraceMs ?? 300);
	let idleTimer: NodeJS.Timeout | undefined;
	let persistTimer: NodeJS.Timeout | undefined;

	const persist = () => {
		persistTimer ??= setTimeout(() => {
			persistTimer = undefined;
			saveCounters(options.stateDir, withBreakers());
		}, 200);
	};

	const withBreakers = (): Counters => ({
		...counters,
		breakers: { ...counters.breakers, ...Object.fromEntries([...breakers].map(([url, breaker]) => [url, breaker.snapshot()])) },
	});

	const snapshot = (): StatsSnapshot => {
		const sorted = [...counters.waits].sort((a, b) => a - b);
		const at = (q: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
		return {
			since: counters.since,
			brokerPid: process.pid,
			totalCalls: counters.totalCalls,
			failures: { ...counters.failures },
			waitedCalls: counters.waitedCalls,
			waitMs: { p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? 0 },
			lanes: Object.fromEntries(
				LANES.map(lane => [lane, { running: running[lane].size, queued: waiting[lane].length }]),
			) as StatsSnapshot['lanes'],
			rejections: 0,
			breakers: withBreakers().breakers ?? {},
		};
	};

	const busy = () => sockets.size > 0 || LANES.some(lane => running[lane].size > 0 || waiting[lane].length > 0);
	const touch = () => {
		if (idleTimer) clearTimeout(idleTimer);
		idleTimer = undefined;
		if (!busy()) idleTimer = setTimeout(() => void shutdown('idle'), options.idleTimeoutMs);
	};

	let server: Server;
	/** The inode of the socket file this broker listens on: it removes that file only while it is still its own. */
	let socketInode: number | undefined;
	const releaseSocket = () => {
		if (socketInode === undefined || process.platform === 'win32') return;
		try {
			// A broker that failed to listen, or retired, must never remove the socket of the broker after it.
			if (statSync(options.socketPath).ino === socketInode) rmSync(options.socketPath, { force: true });
		} catch {
			// already gone
		}
		socketInode = undefined;
	};
	let done: () => void;
	const finished = new Promise<void>(resolve => (done = resolve));

	async function shutdown(why: string): Promise<void> {
		log(`stopping: ${why}`);
		accepting = false;
		server.close();
		releaseSocket();
		if (persistTimer) clearTimeout(persistTimer);
		saveCounters(options.stateDir, withBreakers());
		for (const socket of sockets) socket.destroy();
		await Promise.all(LANES.map(lane => limiters[lane].stop({ dropWaitingJobs: true }).catch(() => undefined)));
		done();
	}

	const handle = (socket: Socket) => {
		sockets.add(socket);
		touch();
		const send = (message: BrokerMessage) => {
			if (!socket.destroyed) socket.write(encode(message));
		};
		let entry: Entry | undefined;
		let endpointUrl: string | undefined;
		const release = (outcome?: ReportedOutcome) => {
			if (!entry) return;
			const current = entry;
			entry = undefined;
			if (outcome) record(outcome);
			if (outcome && endpointUrl) breakerOf(endpointUrl).record(outcome.kind, outcome.detail);
			const queuedAt = waiting[current.lane].indexOf(current);
			if (queuedAt !== -1) waiting[current.lane].splice(queuedAt, 1);
			current.finish?.();
		};
		const record = (outcome: ReportedOutcome) => {
			counters.totalCalls++;
			if (outcome.kind !== 'ok') counters.failures[outcome.kind]++;
			if (outcome.waitedMs >= 50) counters.waitedCalls++;
			counters.waits.push(Math.round(outcome.waitedMs));
			if (counters.waits.length > 10_000) counters.waits.splice(0, counters.waits.length - 10_000);
			persist();
		};
		const queue = (message: Extract<ClientMessage, { type: 'acquire' }>) => {
			const current: Entry = { lane: message.lane, hold: message.hold, label: message.label, queuedAt: Date.now() };
			entry = current;
			waiting[current.lane].push(current);
			if (options.trace) log(`queued ${current.lane} ${current.label}${message.reannounce ? ' (re-announced)' : ''}`);
			send({
				type: 'queued',
				lane: current.lane,
				running: [...running[current.lane]].map(other => other.label),
				ahead: waiting[current.lane].slice(0, -1).map(other => other.label),
			});
			const wait = message.reannounce ? 0 : Math.max(0, graceUntil - Date.now());
			const schedule = () =>
				void limiters[current.lane]
					.schedule({ priority: message.reannounce ? 0 : 5 }, () =>
						(message.reannounce ? Promise.resolve() : spaced(current.lane)).then(
							() =>
								new Promise<void>(resolve => {
									const index = waiting[current.lane].indexOf(current);
									if (index === -1) return resolve(); // gone while queued
									waiting[current.lane].splice(index, 1);
									running[current.lane].add(current);
									let lease: NodeJS.Timeout | undefined;
									current.finish = () => {
										if (lease) clearTimeout(lease);
										if (running[current.lane].delete(current)) resolve();
										touch();
									};
									// A call attached to a stream (logs -f, a foreground run) gives its slot back after the start-up lease.
									if (current.hold === 'lease') lease = setTimeout(() => current.finish?.(), options.lanes.attached.leaseMs);
									lastGrantAt[current.lane] = Date.now();
									if (options.trace) log(`granted ${current.lane} ${current.label}`);
									send({ type: 'granted', waitedMs: lastGrantAt[current.lane] - current.queuedAt });
								}),
						),
					)
					.catch(() => undefined);
			if (wait === 0) schedule();
			else setTimeout(schedule, wait);
		};
		socket.on(
			'data',
			lineReader<ClientMessage>(message => {
				switch (message.type) {
					case 'hello':
						if (message.version !== null && message.version !== options.version) {
							send({ type: 'mismatch', version: options.version });
							// Retire: a broker of the client's version takes over; ours serves only who it has.
							if (accepting) void shutdownWhenDrained(`version ${message.version} asked for`);
						} else {
							send({ type: 'welcome', version: options.version, pid: process.pid });
						}
						return;
					case 'acquire': {
						if (entry) return;
						endpointUrl = message.endpoint.url;
						const breaker = breakerOf(endpointUrl);
						const admission = message.reannounce ? 'pass' : breaker.admit();
						if (admission === 'reject') {
							send({ type: 'open', endpoint: endpointUrl, breaker: breaker.snapshot() });
							return;
						}
						if (admission === 'probe') {
							// The one half-open probe across all processes: our own ping, then the call goes on or fails fast.
							void pingDaemon(message.endpoint, options.probeTimeoutMs).then(result => {
								breaker.record(result.ok ? 'ok' : 'daemon', result.ok ? undefined : result.detail);
								persist();
								log(`probe of ${endpointUrl}: ${result.ok ? 'ok, breaker closed' : `${result.detail}, breaker open`}`);
								if (!result.ok) send({ type: 'open', endpoint: endpointUrl!, breaker: breaker.snapshot() });
								else queue(message);
							});
							return;
						}
						queue(message);
						return;
					}
					case 'release':
						release(message.outcome);
						send({ type: 'ok' });
						return;
					case 'stats':
						send({ type: 'stats', stats: snapshot() });
						return;
					case 'reset':
						Object.assign(counters, emptyCounters());
						persist();
						send({ type: 'ok' });
						return;
					case 'stop':
						send({ type: 'ok' });
						void shutdown('asked to stop');
						return;
				}
			}),
		);
		socket.on('close', () => {
			release();
			sockets.delete(socket);
			touch();
			if (!accepting && sockets.size === 0) void shutdown('drained');
		});
		socket.on('error', () => undefined);
	};

	async function shutdownWhenDrained(why: string): Promise<void> {
		accepting = false;
		server.close();
		releaseSocket();
		log(`retiring: ${why}`);
		if (sockets.size === 0) await shutdown(why);
	}

	server = createServer(handle);
	server.on('error', error => {
		log(`server error: ${error.message}`);
		void shutdown(error.message);
	});
	const previousMask = process.umask(0o177);
	server.listen(options.socketPath, () => {
		process.umask(previousMask);
		if (process.platform !== 'win32') {
			chmodSync(options.socketPath, 0o600);
			socketInode = statSync(options.socketPath).ino;
		}
		log(`listening on ${options.socketPath} (pid ${process.pid}, version ${options.version})`);
		touch();
	});
	return finished;
}

/**
 * Bottleneck's local store yields to the event loop with `setTimeout(0)` on every operation, and Node clamps
 * that to 1 ms: three or four of them on every grant, paid by every docker call. `setImmediate` yields just
 * the same without the clamp. (LocalDatastore.yieldLoop, bottleneck 2.19.5: the package is unmaintained,
 * so this internal will not move.)
 */
function fastYield(limiter: Bottleneck): Bottleneck {
	const store = (limiter as unknown as { _store?: { yieldLoop?: unknown } })._store;
	if (store && typeof store.yieldLoop === 'function') store.yieldLoop = () => new Promise(resolve => setImmediate(resolve));
	return limiter;
}

function emptyCounters(): Counters {
	return { since: new Date().toISOString(), totalCalls: 0, failures: { failed: 0, daemon: 0 }, waitedCalls: 0, waits: [] };
}

function loadCounters(stateDir: string): Counters {
	try {
		return { ...emptyCounters(), ...JSON.parse(readFileSync(join(stateDir, STATS_FILE), 'utf8')) };
	} catch {
		return emptyCounters();
	}
}

/** Written to a temporary file and renamed over the old one: a crash never leaves half a file. */
function saveCounters(stateDir: string, counters: Counters): void {
	const file = join(stateDir, STATS_FILE);
	const temporary = `${file}.${process.pid}.tmp`;
	writeFileSync(temporary, `${JSON.stringify(counters)}\n`, { mode: 0o600 });
	renameSync(temporary, file);
}
