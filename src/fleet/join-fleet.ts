import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '../config/defaults.js';
import type { LanePolicy } from '../coordination/lane-scheduler.js';
import type { Lane } from '../docker-grammar/lanes.js';
import { FleetBreakers } from './fleet-breakers.js';
import { FleetLink } from './fleet-link.js';
import { FleetPermits } from './fleet-permits.js';
import { type FleetStatus, readFleetStatus } from './fleet-status.js';

/** A broker's membership of a fleet: the link to Redis, the permits it holds there, the shared breakers. */
export interface FleetMembership {
	readonly link: FleetLink;
	readonly permits: FleetPermits;
	readonly breakers: FleetBreakers;
	status(): Promise<FleetStatus>;
	/** Leaves the fleet: gives back what this broker holds and waits for, within a second, then disconnects. */
	close(): Promise<void>;
}

/**
 * Connects the broker to the fleet's Redis (in the background: calls fall back while it is out of reach) and keeps
 * this host listed among the fleet's hosts for as long as the broker runs (renewed every lease / 3).
 */
export async function joinFleet(
	settings: Config['fleet'],
	policies: Readonly<Record<Lane, LanePolicy>>,
	breaker: { readonly recoveryTimeoutMs: number; readonly probeTimeoutMs: number },
	adaptiveLanes: ReadonlySet<Lane>,
	version: string,
	log: (line: string) => void,
	trace = false,
): Promise<FleetMembership> {
	const { prefix, leaseMs } = settings;
	const hostId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
	const link = await FleetLink.open(settings.redis!, `${prefix}:events`, log);
	const permits = new FleetPermits(link, {
		prefix,
		leaseMs,
		onUnavailable: settings.onUnavailable,
		policies,
		hostId,
		adaptiveLanes,
		log,
		...(trace ? { trace: log } : {}),
	});
	const about = JSON.stringify({ host: hostname(), pid: process.pid, version, since: new Date().toISOString() });
	const hostKeys = [`${prefix}:hosts`, `${prefix}:host-info`] as const;
	const register = (info: string) => link.run('fleetHosts', ...hostKeys, hostId, leaseMs, info).catch(() => undefined);
	void link.available().then(joined => joined && register(about));
	link.onRejoin(() => void register(about));
	const renewal = setInterval(() => void register(about), Math.max(250, Math.floor(leaseMs / 3)));
	renewal.unref();
	return {
		link,
		permits,
		breakers: new FleetBreakers(link, prefix, breaker),
		status: () => readFleetStatus(link, prefix, hostId, permits.endpoints()),
		async close() {
			clearInterval(renewal);
			// Said, not just left to the leases, when Redis answers: other hosts' calls need not wait for them to end.
			const leaving = Promise.all([permits.close(), register('')]);
			await Promise.race([leaving, new Promise(resolve => setTimeout(resolve, 1000).unref())]);
			link.close();
		},
	};
}
