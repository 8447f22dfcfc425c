import type { LanePolicy } from '../coordination/lane-scheduler.js';
import type { Lane } from '../docker-grammar/lanes.js';
import type { FleetLink } from './fleet-link.js';
import { permitKeys } from './permit-scripts.js';

/** How long this host keeps saying its limits for a daemon and lane it no longer calls. */
const SAID_FOR_MS = 600_000;

interface FleetLimitSettings {
	/** This broker in the fleet. */
	readonly hostId: string;
	readonly leaseMs: number;
	/** This host's limit and spacing of each lane: as configured, or as its adaptive controller set them last. */
	readonly policies: Readonly<Record<Lane, LanePolicy>>;
	/** Lanes whose limit is learned (adaptive). */
	readonly adaptiveLanes: ReadonlySet<Lane>;
	readonly log?: (line: string) => void;
}

/** A daemon endpoint and lane this host called (`base`: their permit keys' prefix). */
interface Use {
	readonly lane: Lane;
	readonly endpoint: string;
	at: number;
}

/**
 * What this host says of its limits to the fleet, and what the fleet's limits are (see FLEET_LIMIT in
 * permit-scripts.ts: the strictest of its hosts'). While a host has called a daemon in the last 10 minutes its word
 * is said again every lease / 3, so it lapses with a dead host's lease; a stopping broker withdraws it at once.
 */
export class FleetLimits {
	private readonly used = new Map<string, Use>();
	/** The fleet's limit of each base, as its last answer said. */
	private readonly heard = new Map<string, number>();

	constructor(
		private readonly link: FleetLink,
		private readonly settings: FleetLimitSettings,
	) {}

	/** A call to this daemon and lane: this host's limits count there from now on. */
	use(base: string, lane: Lane, endpoint: string): void {
		const use = this.used.get(base);
		if (use) use.at = Date.now();
		else this.used.set(base, { lane, endpoint, at: Date.now() });
	}

	/** The daemon endpoints and lanes this host called lately, by base. */
	endpoints(): ReadonlyMap<string, { readonly lane: Lane; readonly endpoint: string }> {
		return new Map(this.recent().map(base => [base, this.used.get(base)!]));
	}

	/** What this host says of a lane's limits: "3 500" (at once, ms apart), "2 500 learned" when its controller set it. */
	said(lane: Lane): string {
		const policy = this.settings.policies[lane];
		return `${Math.max(1, policy.limit())} ${policy.spacingMs()}${this.settings.adaptiveLanes.has(lane) ? ' learned' : ''}`;
	}

	/** The fleet answered with its limit for a base; said in the log whenever it changes to below this host's own. */
	hear(base: string, lane: Lane, limit: number): void {
		if (limit <= 0 || this.heard.get(base) === limit) return;
		this.heard.set(base, limit);
		const own = Math.max(1, this.settings.policies[lane].limit());
		if (limit < own)
			this.settings.log?.(
				`fleet ${lane}: ${limit} at once fleet-wide, the strictest limit of the hosts that use this daemon (this host's own: ${own})`,
			);
	}

	/** The fleet's limit for a base, once it answered. */
	limitOf(base: string): number | undefined {
		return this.heard.get(base);
	}

	/** This host's limit of a lane changed (its controller learned another): the fleet hears it now, not at the renewal. */
	changed(lane: Lane): void {
		void this.say(this.recent(lane));
	}

	/** Says this host's limits again, for every daemon and lane it called lately. */
	renew(): Promise<void> {
		return this.say(this.recent());
	}

	/** Stops saying anything: the other hosts' limits hold again at once. */
	async withdraw(): Promise<void> {
		const bases = [...this.used.keys()];
		this.used.clear();
		await Promise.all(
			bases.map(base => {
				const { said, saidx } = permitKeys(base);
				return this.link.run('fleetWithdraw', said, saidx, this.settings.hostId, this.link.channel, base);
			}),
		).catch(() => undefined);
	}

	private async say(bases: readonly string[]): Promise<void> {
		await Promise.all(
			bases.map(base => {
				const { said, saidx } = permitKeys(base);
				const { hostId, leaseMs } = this.settings;
				return this.link.run('fleetSay', said, saidx, hostId, this.said(this.used.get(base)!.lane), leaseMs, this.link.channel, base);
			}),
		).catch(() => undefined);
	}

	/** Bases called in the last 10 minutes (of one lane); older ones are forgotten. */
	private recent(lane?: Lane): string[] {
		const since = Date.now() - SAID_FOR_MS;
		for (const [base, use] of this.used) if (use.at < since) this.used.delete(base);
		return [...this.used].filter(([, use]) => lane === undefined || use.lane === lane).map(([base]) => base);
	}
}
