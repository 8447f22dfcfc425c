import type { FleetStatus } from './fleet-status.js';

/** Fleet membership in words, for `guard broker status` and `guard stats` (each line starts with `fleet`). */
export function describeFleet(status: FleetStatus): string[] {
	if (status.state === 'away')
		return [`fleet          ${status.redis} cannot be reached (${status.problem}): this host's limits only until it is back`];
	const nameOf = (id: string) => {
		const host = status.hosts.find(host => host.id === id);
		return host ? `${host.host} (pid ${host.pid}${host.id === status.hostId ? ', this broker' : ''})` : id;
	};
	return [
		`fleet          joined through ${status.redis}; ${status.hosts.length} host${status.hosts.length === 1 ? '' : 's'}: ${status.hosts.map(host => nameOf(host.id)).join(', ')}`,
		...status.limits.map(limit => {
			// What each host said, when they differ: which one holds the fleet to its limit.
			const words = new Set(limit.said.map(said => `${said.limit} ${said.spacingMs}`));
			const each = limit.said.map(
				said => `${nameOf(said.id)} ${said.limit}${said.learned ? ' (learned)' : ''} at once, ${said.spacingMs} ms`,
			);
			return `fleet limit    ${limit.lane} on ${limit.endpoint}: ${limit.limit} at once, ${limit.spacingMs} ms apart${words.size > 1 ? `, the strictest of: ${each.join('; ')}` : ''}`;
		}),
		...lanesOf(status).map(lane => {
			const held = status.holders.filter(holder => holder.lane === lane);
			const who = held.map(holder => `${holder.host}: ${holder.label} (lease ${(holder.leaseLeftMs / 1000).toFixed(1)} s)`);
			return `fleet ${lane.padEnd(8)} ${held.length} held fleet-wide, ${status.waiting[lane] ?? 0} waiting${who.length === 0 ? '' : `: ${who.join('; ')}`}`;
		}),
	];
}

/** Lanes with permits held or waited for, fleet-wide. */
function lanesOf(status: FleetStatus): string[] {
	return [...new Set([...status.holders.map(holder => holder.lane), ...Object.keys(status.waiting)])].sort();
}

/** Prometheus samples of fleet membership: [name, type, help, samples]. */
export function fleetMetrics(status: FleetStatus): Array<[string, string, string, Array<[string, number]>]> {
	const lanes = lanesOf(status);
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
		[
			'safe_docker_fleet_limit',
			'gauge',
			"Slots at once fleet-wide, per lane and daemon this host calls: the strictest of the hosts' limits.",
			status.limits.map(limit => [`{lane="${limit.lane}",endpoint="${limit.endpoint}"}`, limit.limit]),
		],
	];
}
