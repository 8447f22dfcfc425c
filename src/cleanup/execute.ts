import type { DockerClient } from '../docker/client.js';
import { parseDockerSize } from '../docker/sizes.js';
import type { PlanItem } from './plan.js';

/** What happened to one planned item. */
export interface ItemResult {
	readonly item: PlanItem;
	readonly removed: boolean;
	/** docker's error, when it was not removed. */
	readonly error?: string;
	/** Bytes docker says it reclaimed (the build cache prune reports it). */
	readonly reclaimedBytes?: number;
}

/**
 * Removes the planned items without force — `rm`, `image rm`, `network rm`, `volume rm` — and prunes the
 * build cache down to its budget. These calls are chosen by safe-docker, not typed by a user, so the guard
 * does not judge them; the prune's `--force` only skips its confirmation prompt. One failure is reported
 * and the rest go on.
 */
export async function executePlan(items: readonly PlanItem[], buildCacheBudgetBytes: number, docker: DockerClient): Promise<ItemResult[]> {
	const results: ItemResult[] = [];
	for (const item of items) {
		const result = await docker(commandFor(item, buildCacheBudgetBytes));
		if (result.exitCode !== 0) {
			results.push({ item, removed: false, error: result.stderr.trim().split('\n')[0] || `exit code ${result.exitCode}` });
			continue;
		}
		const reclaimed = /Total reclaimed space:\s*(\S+)/.exec(result.stdout)?.[1];
		const reclaimedBytes = reclaimed === undefined ? undefined : parseDockerSize(reclaimed);
		results.push({ item, removed: true, ...(reclaimedBytes === undefined ? {} : { reclaimedBytes }) });
	}
	return results;
}

function commandFor(item: PlanItem, buildCacheBudgetBytes: number): string[] {
	switch (item.kind) {
		case 'container':
			return ['container', 'rm', item.id];
		case 'image':
			return ['image', 'rm', ...(item.tags && item.tags.length > 0 ? item.tags : [item.id])];
		case 'network':
			return ['network', 'rm', item.id];
		case 'volume':
			return ['volume', 'rm', item.id];
		case 'build-cache':
			return ['builder', 'prune', '--force', '--keep-storage', String(buildCacheBudgetBytes)];
	}
}
