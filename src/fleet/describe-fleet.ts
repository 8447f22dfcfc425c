import type { FleetStatus } from './fleet-status.js';

/** Fleet membership in words, for `guard broker status` and `guard stats` (each line starts with `fleet`). */
export function describeFleet(status: FleetStatus): string[] {
	if (status.state === 'away')
		return [`fleet          ${status.redis} cannot be reached (${status.problem}): this host's limits only until it is back`];
	const hosts = status.hosts.map(host => `${host.host} (pid ${host.pid}${host.id === status.hostId ? ', this broker' : ''})`);
	return [
		`fleet          joined through ${status.redis}; ${hosts.length} host${hosts.length === 1 ? '' : 's'}: ${hosts.join(', ')}`,
		...lanesOf(status).map(lane => {
			const held = status.holders.filter(holder => holder.lane === lane);
			const who = held.map(holder => `${holder.host}: ${holder.label} (lease ${(holder.leaseLeftMs / 1000).toFixed(1)} s)`);
			return `fleet ${lane.padEnd(8)} ${describeLimits(status, lane)}${held.length} held fleet-wide, ${status.waiting[lane] ?? 0} waiting${who.length === 0 ? '' : `: ${who.join('; ')}`}`;
		}),
	];
}

/** "3 at once, 500 ms apart; ", and what each host said when they differ. */
function describeLimits(status: FleetStatus, lane: string): string {
	const limits = status.limits[lane];
	if (!limits) return '';
	const own = (limit: number | null) => (limit === null ? "each host's own" : `${limit}`);
	const words = new Set(limits.said.map(said => `${said.limit} ${said.spacingMs}`));
	const nameOf = (id: string) => {
		const host = status.hosts.find(host => host.id === id);
		return host ? `${host.host} (pid ${host.pid})` : id;
	};
	const each = limits.said.map(said => `${nameOf(said.id)} ${said.limit ?? 'adaptive'} at once, ${said.spacingMs} ms`).join('; ');
	return `${own(limits.limit)} at once, ${limits.spacingMs} ms apart${words.size > 1 ? ` (the strictest of: ${each})` : ''}; `;
}

/** Lanes with anything to say: held, waited for, or limits said. */
function lanesOf(status: FleetStatus): string[] {
	return [...new Set([...status.holders.map(holder => holder.lane), ...Object.keys(status.waiting), ...Object.keys(status.limits)])].sort();
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
			"Slots at once fleet-wide, per lane: the strictest of the hosts' limits.",
			lanes.flatMap(lane => {
				const limit = status.limits[lane]?.limit;
				return limit ? [[`{lane="${lane}"}`, limit] as [string, number]] : [];
			}),
		],
	];
}
