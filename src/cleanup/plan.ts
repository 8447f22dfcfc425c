import type { ContainerInfo, ImageInfo, NetworkInfo, VolumeInfo } from '../docker/listings.js';
import { formatBytes } from '../docker/sizes.js';

type ResourceKind = 'container' | 'image' | 'network' | 'volume' | 'build-cache';

/** Something cleanup will remove, and why. */
export interface PlanItem {
	readonly kind: ResourceKind;
	readonly id: string;
	readonly name: string;
	readonly reason: string;
	/** Its size as docker reports it (shared image layers counted in full), when known. */
	readonly sizeBytes: number | null;
	/** For a tagged image: every tag, all removed so that the image goes without force. */
	readonly tags?: readonly string[];
}

/** Something cleanup would otherwise have removed, and why it is spared. */
interface Spared {
	readonly kind: ResourceKind;
	readonly id: string;
	readonly name: string;
	readonly reason: string;
}

export interface Listings {
	readonly containers: readonly ContainerInfo[];
	readonly images: readonly ImageInfo[];
	readonly networks: readonly NetworkInfo[];
	readonly volumes: readonly VolumeInfo[];
	/** `docker system df` bytes per type. */
	readonly usage: Readonly<Record<string, number>>;
}

export interface PlanOptions {
	readonly now: number;
	/** Stopped containers older than this go. */
	readonly olderThanMs: number;
	/** Also unused tagged images, least recently used first, until images fit in `imageBudgetBytes`. */
	readonly images: boolean;
	readonly imageBudgetBytes: number;
	readonly buildCacheBudgetBytes: number;
	/** Unused volumes: none, anonymous ones only, or named ones too. */
	readonly volumes: 'none' | 'anonymous' | 'named';
	readonly keepLabels: readonly string[];
	readonly environmentLabel: string;
	/** Whether an environment's lock is held now. */
	readonly isLocked: (env: string) => boolean;
	/** Only resources carrying this label (`key` or `key=value`); the build cache, which has none, is left alone. */
	readonly label?: string;
}

export interface Plan {
	readonly items: PlanItem[];
	readonly spared: Spared[];
}

const COMPOSE_PROJECT = 'com.docker.compose.project';
const ACTIVE = new Set(['running', 'paused', 'restarting', 'removing']);

/**
 * The cleanup plan, from the engine's own listings: stopped containers older than the cutoff, dangling
 * images (with `images`, unused ones too, LRU, children first, down to a budget), unused networks, unused
 * anonymous volumes when asked (named ones only with `named`), and build cache above its budget. Never a
 * running or paused container, never anything labelled to keep, never anything of a locked environment.
 */
export function buildPlan(listings: Listings, options: PlanOptions): Plan {
	const items: PlanItem[] = [];
	const spared: Spared[] = [];
	const [labelKey, labelValue] = options.label === undefined ? [] : splitLabel(options.label);
	const inScope = (resourceLabels: Record<string, string>) =>
		labelKey === undefined || (labelKey in resourceLabels && (labelValue === undefined || resourceLabels[labelKey] === labelValue));
	const protection = (resourceLabels: Record<string, string>): string | undefined => {
		const keep = options.keepLabels.find(label => resourceLabels[label] === 'true');
		if (keep) return `labelled ${keep}=true`;
		for (const label of [COMPOSE_PROJECT, options.environmentLabel]) {
			const env = resourceLabels[label];
			if (env && options.isLocked(env)) return `environment '${env}' is locked`;
		}
		return undefined;
	};

	const removedContainers = new Set<string>();
	for (const container of listings.containers) {
		if (!inScope(container.labels)) continue;
		const ref = { kind: 'container' as const, id: container.id, name: container.name };
		const protectedBy = protection(container.labels);
		if (protectedBy) spared.push({ ...ref, reason: protectedBy });
		else if (ACTIVE.has(container.status)) spared.push({ ...ref, reason: container.status });
		else if (options.now - container.stoppedAt < options.olderThanMs)
			spared.push({ ...ref, reason: `stopped ${age(options.now - container.stoppedAt)} ago, within ${age(options.olderThanMs)}` });
		else {
			items.push({ ...ref, reason: `${container.status} ${age(options.now - container.stoppedAt)} ago`, sizeBytes: container.sizeBytes });
			removedContainers.add(container.id);
		}
	}
	const remaining = listings.containers.filter(container => !removedContainers.has(container.id));

	const inUse = new Set(remaining.map(container => container.imageId));
	const imageCandidates: ImageInfo[] = [];
	for (const image of listings.images) {
		const ref = { kind: 'image' as const, id: image.id, name: image.tags[0] ?? '<none>' };
		const protectedBy = protection(image.labels);
		if (inUse.has(image.id) || !inScope(image.labels)) continue;
		if (protectedBy) spared.push({ ...ref, reason: protectedBy });
		else if (image.dangling) items.push({ ...ref, reason: 'dangling', sizeBytes: image.sizeBytes });
		else if (options.images) imageCandidates.push(image);
	}
	if (options.images) {
		let total =
			(listings.usage['Images'] ?? 0) - items.filter(item => item.kind === 'image').reduce((sum, item) => sum + (item.sizeBytes ?? 0), 0);
		for (const image of childrenFirst(imageCandidates.sort((a, b) => a.lastUsed - b.lastUsed))) {
			if (total <= options.imageBudgetBytes) break;
			items.push({
				kind: 'image',
				id: image.id,
				name: image.tags[0] ?? '<none>',
				tags: image.tags,
				reason: `unused, last tagged or built ${age(options.now - image.lastUsed)} ago; images above the ${formatBytes(options.imageBudgetBytes)} budget`,
				sizeBytes: image.sizeBytes,
			});
			total -= image.sizeBytes;
		}
	}

	const attached = new Set(remaining.flatMap(container => container.networks));
	for (const network of listings.networks) {
		if (network.builtin || attached.has(network.id) || !inScope(network.labels)) continue;
		const ref = { kind: 'network' as const, id: network.id, name: network.name };
		const protectedBy = protection(network.labels);
		if (protectedBy) spared.push({ ...ref, reason: protectedBy });
		else items.push({ ...ref, reason: 'unused', sizeBytes: null });
	}

	if (options.volumes !== 'none') {
		for (const volume of listings.volumes) {
			if (!volume.dangling || !inScope(volume.labels)) continue;
			const ref = { kind: 'volume' as const, id: volume.name, name: volume.name };
			const protectedBy = protection(volume.labels);
			if (protectedBy) spared.push({ ...ref, reason: protectedBy });
			else if (!volume.anonymous && options.volumes !== 'named')
				spared.push({ ...ref, reason: 'named volume (only with --volumes=named)' });
			else items.push({ ...ref, reason: volume.anonymous ? 'unused anonymous volume' : 'unused named volume', sizeBytes: null });
		}
	}

	const cache = listings.usage['Build Cache'] ?? 0;
	if (cache > options.buildCacheBudgetBytes && labelKey === undefined) {
		items.push({
			kind: 'build-cache',
			id: 'build-cache',
			name: 'build cache',
			reason: `${formatBytes(cache)}, above the ${formatBytes(options.buildCacheBudgetBytes)} budget`,
			sizeBytes: cache - options.buildCacheBudgetBytes,
		});
	}
	return { items, spared };
}

function splitLabel(label: string): [string, string | undefined] {
	const eq = label.indexOf('=');
	return eq === -1 ? [label, undefined] : [label.slice(0, eq), label.slice(eq + 1)];
}

/** Orders images so that a child comes before its parent (docker refuses to remove a parent first). */
function childrenFirst(images: ImageInfo[]): ImageInfo[] {
	const ordered: ImageInfo[] = [];
	const placed = new Set<string>();
	const place = (image: ImageInfo) => {
		if (placed.has(image.id)) return;
		placed.add(image.id);
		for (const child of images.filter(candidate => candidate.parent === image.id)) place(child);
		ordered.push(image);
	};
	for (const image of images) place(image);
	return ordered;
}

function age(ms: number): string {
	const units: Array<[number, string]> = [
		[86_400_000, 'd'],
		[3_600_000, 'h'],
		[60_000, 'min'],
		[1000, 's'],
	];
	for (const [size, unit] of units) if (ms >= size) return `${Math.floor(ms / size)} ${unit}`;
	return `${Math.max(0, Math.round(ms))} ms`;
}
