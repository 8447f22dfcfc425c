import type { Config } from '../config/defaults.js';
import type { LanePolicy } from '../coordination/lane-scheduler.js';
import type { Lane } from '../docker-grammar/lanes.js';
import { FleetBreakers } from './fleet-breakers.js';
import { FleetLink } from './fleet-link.js';
import { FleetPermits } from './fleet-permits.js';

/** A broker's membership of a fleet: the link to Redis and the permits it holds there. */
export interface FleetMembership {
	readonly link: FleetLink;
	readonly permits: FleetPermits;
	readonly breakers: FleetBreakers;
	close(): void;
}

/** Connects the broker to the fleet's Redis (in the background: calls fall back while it is out of reach). */
export async function joinFleet(
	settings: Config['fleet'],
	policies: Readonly<Record<Lane, LanePolicy>>,
	breaker: { readonly recoveryTimeoutMs: number; readonly probeTimeoutMs: number },
	log: (line: string) => void,
): Promise<FleetMembership> {
	const link = await FleetLink.open(settings.redis!, `${settings.prefix}:events`, log);
	const permits = new FleetPermits(link, {
		prefix: settings.prefix,
		leaseMs: settings.leaseMs,
		onUnavailable: settings.onUnavailable,
		policies,
	});
	return {
		link,
		permits,
		breakers: new FleetBreakers(link, settings.prefix, breaker),
		close() {
			permits.close();
			link.close();
		},
	};
}
