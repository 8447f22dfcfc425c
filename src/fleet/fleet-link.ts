import type { Redis } from 'ioredis';
import { BREAKER_ADMIT, BREAKER_CLOSE, BREAKER_OPEN } from './breaker-scripts.js';
import { clusterProblem, connectFleet, describeRedisError, openFleetConnection } from './connection.js';
import { ACQUIRE, ENQUEUE, HOSTS, INSPECT, RELEASE, RENEW, SAY, WITHDRAW } from './permit-scripts.js';
import { redactRedisUrl } from './redis-url.js';

const SCRIPTS = {
	fleetEnqueue: { keys: 4, lua: ENQUEUE },
	fleetAcquire: { keys: 7, lua: ACQUIRE },
	fleetRelease: { keys: 4, lua: RELEASE },
	fleetRenew: { keys: 4, lua: RENEW },
	fleetInspect: { keys: 6, lua: INSPECT },
	fleetHosts: { keys: 2, lua: HOSTS },
	fleetSay: { keys: 2, lua: SAY },
	fleetWithdraw: { keys: 2, lua: WITHDRAW },
	fleetBreakerAdmit: { keys: 2, lua: BREAKER_ADMIT },
	fleetBreakerOpen: { keys: 2, lua: BREAKER_OPEN },
	fleetBreakerClose: { keys: 2, lua: BREAKER_CLOSE },
} as const;
export type FleetScript = keyof typeof SCRIPTS;

/** How long the first calls of a new broker wait for its first connection before falling back. */
const FIRST_CONNECT_MS = 2000;

/**
 * The broker's link to the fleet's Redis: one connection for commands, one subscribed to the fleet's events. It
 * reconnects on its own; meanwhile every command fails at once (see connection.ts), so the caller falls back.
 * `joined` is true while commands can go through; each change is logged once.
 */
export class FleetLink {
	readonly shownUrl: string;
	private joined = false;
	private everJoined = false;
	private saidAway = false;
	private problem = 'not connected yet';
	private readonly firstConnect: Promise<void>;
	private readonly rejoinListeners: Array<() => void> = [];

	private constructor(
		private readonly commands: Redis,
		private readonly events: Redis,
		url: string,
		readonly channel: string,
		private readonly log: (line: string) => void,
	) {
		this.shownUrl = redactRedisUrl(url);
		for (const [name, { keys, lua }] of Object.entries(SCRIPTS)) commands.defineCommand(name, { numberOfKeys: keys, lua });
		commands.on(
			'ready',
			() =>
				void clusterProblem(commands).then(problem => {
					if (problem !== undefined)
						this.problem = problem; // for good: connectFleet disconnects it
					// Still connected: a connection lost before the answer came must not count as joined.
					else if (commands.status === 'ready') this.up();
				}),
		);
		commands.on('close', () => this.down());
		commands.on('error', error => {
			this.problem = describeRedisError(error);
		});
		this.firstConnect = connectFleet(commands, url).then(
			() => this.up(),
			error => {
				this.problem = (error as Error).message.slice(this.shownUrl.length + 2);
				this.down();
			},
		);
		// Subscribed at every connect: ioredis re-subscribes only channels it had subscribed before a loss, so a broker
		// that started while Redis was away would otherwise never hear a release (and wait for leases instead).
		events.on('ready', () => void events.subscribe(channel).catch(() => undefined));
		void connectFleet(events, url).catch(() => undefined);
	}

	static async open(url: string, channel: string, log: (line: string) => void): Promise<FleetLink> {
		const [commands, events] = await Promise.all([
			openFleetConnection(url, { reconnect: true }),
			openFleetConnection(url, { reconnect: true, autoResubscribe: false }),
		]);
		return new FleetLink(commands, events, url, channel, log);
	}

	/** Whether commands go through now; a new broker first waits (briefly) for its first connection. */
	async available(): Promise<boolean> {
		if (!this.everJoined) await Promise.race([this.firstConnect, new Promise(resolve => setTimeout(resolve, FIRST_CONNECT_MS))]);
		return this.joined;
	}

	/** What went wrong with the connection last, in one line (without credentials). */
	get problemNow(): string {
		return this.problem;
	}

	/** Why the fleet is out of reach, in one line (without credentials). */
	whyAway(): string {
		return `the fleet's Redis at ${this.shownUrl} cannot be reached (${this.problem})`;
	}

	/** Events (a base key whose permits changed) as they are published by any host. */
	onEvent(listener: (base: string) => void): void {
		this.events.on('message', (_channel: string, base: string) => listener(base));
	}

	/** Runs after the link comes back from a loss (Redis restarted, or the network returned): re-announce. */
	onRejoin(listener: () => void): void {
		this.rejoinListeners.push(listener);
	}

	/** Runs one of the fleet's scripts; a failure on a live connection (a deadline passed) is remembered for `whyAway`. */
	run(script: FleetScript, ...args: Array<string | number>): Promise<unknown> {
		const call = (this.commands as unknown as Record<FleetScript, (...a: Array<string | number>) => Promise<unknown>>)[script];
		return call.apply(this.commands, args).catch((error: unknown) => {
			// While disconnected, the socket's own error (ECONNREFUSED…) says more than "stream isn't writeable".
			if (this.joined) this.problem = describeRedisError(error);
			throw error;
		});
	}

	/** Keys matching `pattern` (a few SCAN rounds at most), without their last `:part`. */
	async scanBases(pattern: string, rounds: number): Promise<string[]> {
		const found = new Set<string>();
		let cursor = '0';
		for (let round = 0; round < rounds; round++) {
			const [next, keys] = await this.commands.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
			for (const key of keys) found.add(key.slice(0, key.lastIndexOf(':')));
			cursor = next;
			if (cursor === '0') break;
		}
		return [...found].sort();
	}

	close(): void {
		this.commands.disconnect();
		this.events.disconnect();
	}

	private up(): void {
		if (this.joined) return;
		const rejoined = this.everJoined;
		this.joined = true;
		this.everJoined = true;
		this.saidAway = false;
		this.log(`fleet: ${rejoined ? 're-joined' : 'joined'} through ${this.shownUrl}`);
		if (rejoined) for (const listener of this.rejoinListeners) listener();
	}

	private down(): void {
		this.joined = false;
		if (this.saidAway) return;
		this.saidAway = true;
		this.log(`fleet: ${this.whyAway()}; this host's limits only until it is back`);
	}
}
