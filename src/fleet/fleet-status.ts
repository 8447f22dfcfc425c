import type { FleetLink } from './fleet-link.js';
import { permitKeys } from './permit-scripts.js';

/** One host of the fleet whose broker renewed its membership within the lease. */
interface FleetHost {
	readonly id: string;
	readonly host: string;
	readonly pid: number;
	readonly version: string;
	readonly since: string;
}

/** A permit held somewhere in the fleet. */
interface FleetHolder {
	readonly lane: string;
	readonly host: string;
	readonly pid: number;
	readonly label: string;
	/** Until its broker renews it again (a dead host's permit ends then). */
	readonly leaseLeftMs: number;
}

/** The fleet's limits on a daemon and lane this host calls: the strictest its hosts said, and what each said. */
interface FleetLimit {
	readonly lane: string;
	readonly endpoint: string;
	readonly limit: number;
	readonly spacingMs: number;
	/** `learned`: set by the host's adaptive controller. */
	readonly said: ReadonlyArray<{ readonly id: string; readonly limit: number; readonly spacingMs: number; readonly learned: boolean }>;
}

/** Fleet membership, as `guard broker status` and `guard stats` show it (the URL without credentials). */
export interface FleetStatus {
	readonly redis: string;
	readonly state: 'joined' | 'away';
	/** Why it is away. */
	readonly problem?: string;
	readonly hostId: string;
	readonly hosts: readonly FleetHost[];
	readonly holders: readonly FleetHolder[];
	/** Calls waiting fleet-wide, by lane. */
	readonly waiting: Readonly<Record<string, number>>;
	/** The fleet's limits on each daemon and lane this host called lately (see FLEET_LIMIT in permit-scripts.ts). */
	readonly limits: readonly FleetLimit[];
}

/** Keys scanned for fleet-wide holders at most: a status query must stay cheap on a shared Redis. */
const MAX_SCANS = 20;

/**
 * Reads the fleet's hosts, holders and limits from Redis (each command within its deadline); `endpoints`: the
 * daemons and lanes this host called, by base, whose limits are shown.
 */
export async function readFleetStatus(
	link: FleetLink,
	prefix: string,
	hostId: string,
	endpoints: ReadonlyMap<string, { readonly lane: string; readonly endpoint: string }>,
): Promise<FleetStatus> {
	const away = (problem: string): FleetStatus => ({
		redis: link.shownUrl,
		state: 'away',
		problem,
		hostId,
		hosts: [],
		holders: [],
		waiting: {},
		limits: [],
	});
	if (!(await link.available())) return away(link.problemNow);
	try {
		const hosts = pairs((await link.run('fleetHosts', `${prefix}:hosts`, `${prefix}:host-info`, hostId, 0, '?')) as string[]).map(
			([id, json]) => ({ id, ...(JSON.parse(json) as Omit<FleetHost, 'id'>) }),
		);
		const holders: FleetHolder[] = [];
		const waiting: Record<string, number> = {};
		const limits: FleetLimit[] = [];
		// Keys of what is held (h) or waited for (q, qx) anywhere in the fleet, and the daemons this host calls.
		const scanned = await link.scanBases(`${prefix}:{*}:[hq]*`, MAX_SCANS);
		for (const base of [...new Set([...scanned, ...endpoints.keys()])].sort()) {
			const lane = /:([a-z]+)\}$/.exec(base)?.[1] ?? '?';
			const { q, qx, h, info: infoKey, said, saidx } = permitKeys(base);
			const [now, held, queued, info, limit, spacingMs, saidBy] = (await link.run('fleetInspect', q, qx, h, infoKey, said, saidx)) as [
				number,
				string[],
				number,
				string[],
				number,
				number,
				string[],
			];
			const used = endpoints.get(base);
			if (used && limit > 0)
				limits.push({
					lane,
					endpoint: used.endpoint,
					limit,
					spacingMs,
					said: pairs(saidBy).map(([id, value]) => {
						const [at, apart, learned] = value.split(' ');
						return { id, limit: Number(at), spacingMs: Number(apart), learned: learned === 'learned' };
					}),
				});
			const about = new Map(pairs(info));
			for (const [id, expiry] of pairs(held)) {
				const who = JSON.parse(about.get(id) ?? '{}') as { host?: string; pid?: number; label?: string };
				holders.push({ lane, host: who.host ?? '?', pid: who.pid ?? 0, label: who.label ?? '?', leaseLeftMs: Number(expiry) - now });
			}
			waiting[lane] = (waiting[lane] ?? 0) + queued;
		}
		return { redis: link.shownUrl, state: 'joined', hostId, hosts, holders, waiting, limits };
	} catch (error) {
		return away((error as Error).message);
	}
}

/** [k1, v1, k2, v2] → [[k1, v1], [k2, v2]]. */
function pairs(flat: readonly string[]): Array<[string, string]> {
	const out: Array<[string, string]> = [];
	for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
	return out;
}
