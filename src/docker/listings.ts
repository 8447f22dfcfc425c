import { DockerCallFailed } from '../errors.js';
import { firstLine } from '../system/first-line.js';
import type { DockerClient } from './client.js';
import { parseDockerSize } from './sizes.js';

// biome-ignore lint/suspicious/noExplicitAny: docker's inspect JSON, read field by field where it is used
type DockerJson = Record<string, any>;

/**
 * `docker <kind> inspect` of what a listing returned. Something removed in between (by another process)
 * makes the batch fail with "No such …": then each is inspected alone and the missing ones are skipped.
 */
async function inspectAll(
	docker: DockerClient,
	kind: string,
	ids: readonly string[],
	extra: readonly string[] = [],
): Promise<Array<DockerJson>> {
	const batch = await docker([kind, 'inspect', ...extra, ...ids]);
	if (batch.exitCode === 0) return JSON.parse(batch.stdout) as Array<DockerJson>;
	if (!/no such/i.test(batch.stderr)) throw new DockerCallFailed([kind, 'inspect'], firstLine(batch.stderr, `exit code ${batch.exitCode}`));
	const found: Array<DockerJson> = [];
	for (const id of ids) {
		const one = await docker([kind, 'inspect', ...extra, id]);
		if (one.exitCode === 0) found.push(...(JSON.parse(one.stdout) as Array<DockerJson>));
		else if (!/no such/i.test(one.stderr))
			throw new DockerCallFailed([kind, 'inspect'], firstLine(one.stderr, `exit code ${one.exitCode}`));
	}
	return found;
}

async function call(docker: DockerClient, args: readonly string[]): Promise<string> {
	const result = await docker(args);
	if (result.exitCode !== 0) throw new DockerCallFailed(args, firstLine(result.stderr, `exit code ${result.exitCode}`));
	return result.stdout;
}

const ids = (text: string) =>
	text
		.split('\n')
		.map(line => line.trim())
		.filter(Boolean);
const labels = (value: unknown): Record<string, string> => (value && typeof value === 'object' ? (value as Record<string, string>) : {});

export interface ContainerInfo {
	readonly id: string;
	readonly name: string;
	/** created, running, paused, restarting, removing, exited, dead */
	readonly status: string;
	readonly imageId: string;
	readonly labels: Record<string, string>;
	/** When it stopped (or, never started, was created), ms since the epoch. */
	readonly stoppedAt: number;
	/** Its writable layer, as docker reports it. */
	readonly sizeBytes: number | null;
	readonly networks: readonly string[];
}

export async function listContainers(docker: DockerClient): Promise<ContainerInfo[]> {
	const all = ids(await call(docker, ['container', 'ls', '--all', '--quiet', '--no-trunc']));
	if (all.length === 0) return [];
	const raw = await inspectAll(docker, 'container', all, ['--size']);
	return raw.map(container => {
		const finished = Date.parse(container['State']?.['FinishedAt'] ?? '');
		const created = Date.parse(container['Created'] ?? '');
		return {
			id: container['Id'],
			name: String(container['Name'] ?? '').replace(/^\//, ''),
			status: container['State']?.['Status'] ?? 'unknown',
			imageId: container['Image'],
			labels: labels(container['Config']?.['Labels']),
			stoppedAt: Number.isFinite(finished) && finished > 0 ? finished : created,
			sizeBytes: typeof container['SizeRw'] === 'number' ? container['SizeRw'] : null,
			networks: Object.values(container['NetworkSettings']?.['Networks'] ?? {})
				.map(network => (network as Record<string, string>)['NetworkID']!)
				.filter(Boolean),
		};
	});
}

export interface ImageInfo {
	readonly id: string;
	readonly tags: readonly string[];
	readonly sizeBytes: number;
	readonly labels: Record<string, string>;
	readonly parent: string;
	/** Best available sign of last use: the last tag time, else creation. (Docker records no last use.) */
	readonly lastUsed: number;
	readonly dangling: boolean;
}

export async function listImages(docker: DockerClient): Promise<ImageInfo[]> {
	const all = [...new Set(ids(await call(docker, ['image', 'ls', '--all', '--quiet', '--no-trunc'])))];
	if (all.length === 0) return [];
	const raw = await inspectAll(docker, 'image', all);
	const danglingIds = new Set(ids(await call(docker, ['image', 'ls', '--quiet', '--no-trunc', '--filter', 'dangling=true'])));
	return raw.map(image => {
		const tagged = Date.parse(image['Metadata']?.['LastTagTime'] ?? '');
		return {
			id: image['Id'],
			tags: (image['RepoTags'] ?? []) as string[],
			sizeBytes: image['Size'] ?? 0,
			labels: labels(image['Config']?.['Labels']),
			parent: image['Parent'] ?? '',
			lastUsed: Number.isFinite(tagged) && tagged > 0 ? tagged : Date.parse(image['Created']),
			dangling: danglingIds.has(image['Id']),
		};
	});
}

export interface NetworkInfo {
	readonly id: string;
	readonly name: string;
	readonly labels: Record<string, string>;
	readonly builtin: boolean;
}

export async function listNetworks(docker: DockerClient): Promise<NetworkInfo[]> {
	const all = ids(await call(docker, ['network', 'ls', '--quiet', '--no-trunc']));
	if (all.length === 0) return [];
	const raw = await inspectAll(docker, 'network', all);
	return raw.map(network => ({
		id: network['Id'],
		name: network['Name'],
		labels: labels(network['Labels']),
		builtin: ['bridge', 'host', 'none'].includes(network['Name']) || network['Scope'] === 'swarm' || network['Ingress'] === true,
	}));
}

export interface VolumeInfo {
	readonly name: string;
	readonly labels: Record<string, string>;
	/** Created by `-v /path` or VOLUME without a name: docker marks them, older engines name them with 64 hex digits. */
	readonly anonymous: boolean;
	/** No container, running or not, uses it. */
	readonly dangling: boolean;
}

export async function listVolumes(docker: DockerClient): Promise<VolumeInfo[]> {
	const all = ids(await call(docker, ['volume', 'ls', '--quiet']));
	if (all.length === 0) return [];
	const unused = new Set(ids(await call(docker, ['volume', 'ls', '--quiet', '--filter', 'dangling=true'])));
	const raw = await inspectAll(docker, 'volume', all);
	return raw.map(volume => {
		const volumeLabels = labels(volume['Labels']);
		return {
			name: volume['Name'],
			labels: volumeLabels,
			anonymous: 'com.docker.volume.anonymous' in volumeLabels || /^[0-9a-f]{64}$/.test(volume['Name']),
			dangling: unused.has(volume['Name']),
		};
	});
}

/** `docker system df`: bytes per type (Images, Containers, Local Volumes, Build Cache), as docker reports them. */
export async function diskUsage(docker: DockerClient): Promise<Record<string, number>> {
	const lines = (await call(docker, ['system', 'df', '--format', '{{json .}}'])).split('\n').filter(Boolean);
	const usage: Record<string, number> = {};
	for (const line of lines) {
		const entry = JSON.parse(line) as { Type: string; Size: string };
		const bytes = parseDockerSize(entry.Size);
		if (bytes === undefined)
			throw new DockerCallFailed(['system', 'df'], `unreadable size ${JSON.stringify(entry.Size)} for ${entry.Type}`);
		usage[entry.Type] = bytes;
	}
	return usage;
}
