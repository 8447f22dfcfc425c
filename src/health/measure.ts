import { statfsSync } from 'node:fs';
import type { Config } from '../config/defaults.js';
import type { DockerClient } from '../docker/client.js';
import type { Endpoint } from '../docker/endpoint.js';
import { diskUsage } from '../docker/listings.js';
import type { PingResult } from '../docker/ping.js';
import { parseDockerSize } from '../docker/sizes.js';
import { firstLine } from '../system/first-line.js';
import { HEALTH_EXIT, type Level, levelOf, worstLevel } from './levels.js';

/** What a measurement measures; `disk:<type>` are the parts of `disk` as `docker system df` reports them. */
type MeasurementId = 'disk' | `disk:${string}` | 'data-root' | 'containers' | 'memory' | 'networks' | 'volumes';

/** One measured resource. */
export interface Measurement {
	readonly id: MeasurementId;
	/** What people read: `disk used by docker`, `images`. */
	readonly name: string;
	/** A part of another measurement (its level is that measurement's, and does not count on its own). */
	readonly partOf?: MeasurementId;
	readonly value: number | null;
	readonly limit: number | null;
	readonly unit: 'bytes' | 'count';
	readonly percent: number | null;
	readonly level: Level;
	/** Why it is UNKNOWN, or where its limit came from. */
	readonly note?: string;
}

export interface HealthReport {
	readonly time: string;
	readonly daemon: {
		readonly endpoint: string;
		readonly reachable: boolean;
		readonly latencyMs: number | null;
		readonly serverVersion: string | null;
		readonly apiVersion: string | null;
		readonly problem?: string;
	};
	readonly breaker: { readonly state: string; readonly nextProbeAt: number | null } | null;
	readonly measurements: readonly Measurement[];
	readonly level: Level | 'UNREACHABLE';
	readonly exitCode: number;
}

export interface MeasureOptions {
	readonly config: Config;
	readonly endpoint: Endpoint;
	readonly docker: DockerClient;
	readonly ping: (endpoint: Endpoint, timeoutMs: number) => Promise<PingResult>;
	readonly breaker?: () => Promise<HealthReport['breaker']>;
	// For testing
	readonly statfs?: (path: string) => { blocks: number; bfree: number; bsize: number };
	readonly now?: () => Date;
}

/**
 * Measures the daemon and its resources. A measurement that fails is UNKNOWN, with the reason, never SAFE
 * (the seed's monitor read every error as SAFE). An unreachable daemon ends it at once: nothing else can be
 * measured, and the ping's deadline bounds how long that takes.
 */
export async function measureHealth(options: MeasureOptions): Promise<HealthReport> {
	const { config, endpoint, docker } = options;
	const time = (options.now ?? (() => new Date()))().toISOString();
	const ping = await options.ping(endpoint, config.health.pingTimeoutMs);
	const breaker = options.breaker ? await options.breaker().catch(() => null) : null;
	if (!ping.ok && ping.reason !== 'unknown') {
		return {
			time,
			daemon: { endpoint: endpoint.url, reachable: false, latencyMs: null, serverVersion: null, apiVersion: null, problem: ping.detail },
			breaker,
			measurements: [],
			level: 'UNREACHABLE',
			exitCode: HEALTH_EXIT.UNREACHABLE,
		};
	}
	const info = await docker(['info', '--format', '{{json .}}']);
	const infoJson = info.exitCode === 0 ? safeJson(info.stdout) : undefined;
	const measurements: Measurement[] = [];
	const levels = config.health;
	const measure = (
		id: MeasurementId,
		name: string,
		unit: Measurement['unit'],
		limitNote: string | undefined,
		read: () => Promise<{ value: number; limit: number | null }>,
	) =>
		read().then(
			({ value, limit }) => {
				const percent = limit === null || limit === 0 ? null : (value / limit) * 100;
				measurements.push({
					id,
					name,
					value,
					limit,
					unit,
					percent,
					level: percent === null ? 'UNKNOWN' : levelOf(percent, levels),
					...(percent === null ? { note: 'no limit to compare with' } : limitNote ? { note: limitNote } : {}),
				});
			},
			(error: Error) => {
				measurements.push({ id, name, value: null, limit: null, unit, percent: null, level: 'UNKNOWN', note: error.message });
			},
		);

	const local = endpoint.kind === 'unix';
	const rootDir = typeof infoJson?.['DockerRootDir'] === 'string' ? infoJson['DockerRootDir'] : undefined;
	const statfs = options.statfs ?? ((path: string) => statfsSync(path));
	const fsSize = () => {
		if (!local) throw new Error('the engine is remote: set health.diskBudgetBytes');
		if (!rootDir) throw new Error(`docker info failed: ${firstLine(info.stderr) || 'no DockerRootDir'}`);
		const stats = statfs(rootDir);
		return stats.blocks * stats.bsize;
	};

	let usage: Record<string, number> = {};
	await measure(
		'disk',
		'disk used by docker',
		'bytes',
		config.health.diskBudgetBytes === null ? 'of the data root file system' : 'of health.diskBudgetBytes',
		async () => {
			usage = await diskUsage(docker);
			return { value: Object.values(usage).reduce((sum, bytes) => sum + bytes, 0), limit: config.health.diskBudgetBytes ?? fsSize() };
		},
	);
	// The parts of the total, as `docker system df` reports them (their level is the total's).
	const disk = measurements.at(-1)!;
	for (const [type, bytes] of Object.entries(usage)) {
		measurements.push({
			id: `disk:${type.toLowerCase()}`,
			name: type.toLowerCase(),
			partOf: 'disk',
			value: bytes,
			limit: disk.limit,
			unit: 'bytes',
			percent: disk.limit ? (bytes / disk.limit) * 100 : null,
			level: disk.level,
		});
	}
	if (local) {
		await measure('data-root', 'data root file system', 'bytes', rootDir, async () => {
			if (!rootDir) throw new Error(`docker info failed: ${firstLine(info.stderr) || 'no DockerRootDir'}`);
			const stats = statfs(rootDir);
			return { value: (stats.blocks - stats.bfree) * stats.bsize, limit: stats.blocks * stats.bsize };
		});
	}
	await measure('containers', 'containers', 'count', 'of health.maxContainers', async () => ({
		value: await count(docker, ['container', 'ls', '--all', '--quiet']),
		limit: config.health.maxContainers,
	}));
	await measure('memory', 'memory of running containers', 'bytes', "of the engine's memory", async () => {
		const total = typeof infoJson?.['MemTotal'] === 'number' ? infoJson['MemTotal'] : undefined;
		if (total === undefined) throw new Error(`docker info failed: ${firstLine(info.stderr) || 'no MemTotal'}`);
		const stats = await docker(['container', 'stats', '--no-stream', '--format', '{{.MemUsage}}']);
		if (stats.exitCode !== 0) throw new Error(`docker stats failed: ${firstLine(stats.stderr)}`);
		const used = stats.stdout
			.split('\n')
			.filter(Boolean)
			.map(line => parseDockerSize(line.split('/')[0]!.trim()));
		if (used.some(bytes => bytes === undefined)) throw new Error('docker stats printed a memory use it could not read');
		return { value: used.reduce((sum: number, bytes) => sum + bytes!, 0), limit: total };
	});
	await measure('networks', 'networks', 'count', 'of health.maxNetworks', async () => ({
		value: await count(docker, ['network', 'ls', '--quiet']),
		limit: config.health.maxNetworks,
	}));
	await measure('volumes', 'volumes', 'count', 'of health.maxVolumes', async () => ({
		value: await count(docker, ['volume', 'ls', '--quiet']),
		limit: config.health.maxVolumes,
	}));

	const serverVersion = typeof infoJson?.['ServerVersion'] === 'string' ? infoJson['ServerVersion'] : null;
	// An endpoint we cannot ping (TLS, named pipe) is reachable only when docker info answered, never by assumption.
	const reachable = ping.ok || info.exitCode === 0;
	const problem = ping.ok
		? undefined
		: reachable
			? ping.detail
			: `${ping.detail}; docker info failed: ${firstLine(info.stderr) || `exit ${info.exitCode}`}`;
	const level = worstLevel([
		...measurements.filter(measurement => measurement.partOf === undefined).map(measurement => measurement.level),
		...(reachable ? [] : ['UNKNOWN' as const]),
	]);
	return {
		time,
		daemon: {
			endpoint: endpoint.url,
			reachable,
			latencyMs: ping.ok ? Math.round(ping.latencyMs * 10) / 10 : null,
			serverVersion,
			apiVersion: ping.ok ? ping.apiVersion : null,
			...(problem === undefined ? {} : { problem }),
		},
		breaker,
		measurements,
		level,
		exitCode: HEALTH_EXIT[level],
	};
}

async function count(docker: DockerClient, args: string[]): Promise<number> {
	const result = await docker(args);
	if (result.exitCode !== 0) throw new Error(`docker ${args.slice(0, 2).join(' ')} failed: ${firstLine(result.stderr)}`);
	return result.stdout.split('\n').filter(line => line.trim() !== '').length;
}

function safeJson(text: string): Record<string, unknown> | undefined {
	try {
		return JSON.parse(text) as Record<string, unknown>;
	} catch {
		return undefined;
	}
}
