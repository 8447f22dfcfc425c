import type { FleetStatus } from './fleet-status.js';

/** Fleet membership in words, for `guard broker status` and `guard stats` (each line starts with `fleet`). */
export function describeFleet(status: FleetStatus): string[] {
	if (status.state === 'away')
		return [`fleet          ${status.redis} cannot be reached (${status.problem}): this host's limits only until it is back`];
	const hosts = status.hosts.map(host => `${host.host} (pid ${host.pid}${host.id === status.hostId ? ', this broker' : ''})`);
	const lanes = [...new Set([...status.holders.map(holder => holder.lane), ...Object.keys(status.waiting)])].sort();
	return [
		`fleet          joined through ${status.redis}; ${hosts.length} host${hosts.length === 1 ? '' : 's'}: ${hosts.join(', ')}`,
		...lanes.map(lane => {
			const held = status.holders.filter(holder => holder.lane === lane);
			const who = held.map(holder => `${holder.host}: ${holder.label} (lease ${(holder.leaseLeftMs / 1000).toFixed(1)} s)`);
			return `fleet ${lane.padEnd(8)} ${held.length} held fleet-wide, ${status.waiting[lane] ?? 0} waiting${who.length === 0 ? '' : `: ${who.join('; ')}`}`;
		}),
	];
}

/** Prometheus samples of fleet membership: [name, type, help, samples]. */
export function fleetMetrics(status: FleetStatus): Array<[string, string, string, Array<[string, number]>]> {
	const lanes = [...new Set([...status.holders.map(holder => holder.lane), ...Object.keys(status.waiting)])].sort();
	return [
		[
			'safe_docker_fleet_joined',
			'gauge',
			"1 while this host's broker reaches the fleet's Redis.",
			[['', status.state === 'joined' ? 1 : 0]],
		],
		['safe_docker_fleet_hosts', 'gauge', 'Hosts whose broker is in the fleet now.', [['', status.hosts.length]]],
		[
			'safe_docker_fleet_held',
			'gauge',
			'Permits held fleet-wide now, per lane.',
			lanes.map(lane => [`{lane="${lane}"}`, status.holders.filter(holder => holder.lane === lane).length]),
		],
		[
			'safe_docker_fleet_waiting',
			'gauge',
			'Calls waiting fleet-wide now, per lane.',
			lanes.map(lane => [`{lane="${lane}"}`, status.waiting[lane] ?? 0]),
		],
	];
}
