import { executePlan, type ItemResult } from '../cleanup/execute.js';
import { buildPlan, type Plan } from '../cleanup/plan.js';
import type { DockerClient } from '../docker/client.js';
import { diskUsage, listContainers, listImages, listNetworks, listVolumes } from '../docker/listings.js';
import { formatBytes } from '../docker/sizes.js';
import { UsageError } from '../errors.js';
import { ENV_NAME } from '../lock/paths.js';
import { environmentLock } from '../lock/status.js';
import { parseDuration } from '../system/duration.js';
import type { CommandContext } from './context.js';

export interface CleanupOptions {
	readonly dryRun?: boolean;
	/** Run only when docker's disk use is at or above this percentage of its budget. */
	readonly ifAbove?: number;
	readonly olderThan?: string;
	readonly images?: boolean;
	/** `true` or `anonymous`: unused anonymous volumes; `named`: named ones too. */
	readonly volumes?: boolean | string;
	/** Only resources with this label (`key` or `key=value`). */
	readonly label?: string;
	readonly json?: boolean;
}

/** Docker's disk use as a percentage of its budget, for --if-above (the health measurement). */
export type DiskPercent = (docker: DockerClient, context: CommandContext) => Promise<number>;

/**
 * `safe-docker guard cleanup`: plan from the engine's listings, then remove what is safe, without force.
 * Exit 0 when everything planned was done (or nothing was needed), 1 when an item could not be removed.
 */
export async function cleanupCommand(options: CleanupOptions, context: CommandContext, diskPercent?: DiskPercent): Promise<number> {
	const { config } = await context.loaded();
	const olderThanMs = options.olderThan === undefined ? config.cleanup.olderThanMs : parseDuration(options.olderThan);
	if (olderThanMs === undefined) throw new UsageError(`--older-than ${JSON.stringify(options.olderThan)} is not a duration (12h, 7d, 30m)`);
	const volumes =
		options.volumes === undefined || options.volumes === false
			? 'none'
			: options.volumes === true || options.volumes === 'anonymous'
				? 'anonymous'
				: options.volumes === 'named'
					? 'named'
					: undefined;
	if (volumes === undefined)
		throw new UsageError(`--volumes=${String(options.volumes)} is not allowed: use --volumes (anonymous) or --volumes=named`);
	const docker = await context.docker();

	if (options.ifAbove !== undefined) {
		if (!diskPercent) throw new UsageError('--if-above needs the disk measurement of guard health');
		const percent = await diskPercent(docker, context);
		if (percent < options.ifAbove) {
			context.stdout.write(
				options.json
					? `${JSON.stringify({ skipped: true, diskPercent: percent, ifAbove: options.ifAbove })}\n`
					: `disk use ${percent.toFixed(1)} % is below ${options.ifAbove} %: nothing to do\n`,
			);
			return 0;
		}
	}

	const [containers, images, networks, volumeList, usage] = await Promise.all([
		listContainers(docker),
		listImages(docker),
		listNetworks(docker),
		listVolumes(docker),
		diskUsage(docker),
	]);
	const plan = buildPlan(
		{ containers, images, networks, volumes: volumeList, usage },
		{
			now: Date.now(),
			olderThanMs,
			images: options.images ?? false,
			imageBudgetBytes: config.cleanup.imageBudgetBytes,
			buildCacheBudgetBytes: config.cleanup.buildCacheBudgetBytes,
			volumes,
			keepLabels: config.cleanup.keepLabels,
			environmentLabel: config.cleanup.environmentLabel,
			...(options.label === undefined ? {} : { label: options.label }),
			isLocked: env => ENV_NAME.test(env) && environmentLock(config, env, context.stateDir).state === 'held',
		},
	);

	if (options.dryRun) {
		context.stdout.write(options.json ? `${JSON.stringify({ dryRun: true, ...plan }, null, 2)}\n` : renderPlan(plan));
		return 0;
	}
	const results = await executePlan(plan.items, config.cleanup.buildCacheBudgetBytes, docker);
	const after = await diskUsage(docker);
	const total = (bytes: Record<string, number>) => Object.values(bytes).reduce((sum, value) => sum + value, 0);
	const reclaimedBytes = Math.max(0, total(usage) - total(after));
	const failed = results.filter(result => !result.removed).length;
	context.stdout.write(
		options.json
			? `${JSON.stringify({ dryRun: false, ...plan, results, reclaimedBytes, usageBefore: usage, usageAfter: after }, null, 2)}\n`
			: renderResults(results, plan, reclaimedBytes, total(usage), total(after)),
	);
	return failed > 0 ? 1 : 0;
}

function renderPlan(plan: Plan): string {
	const lines = [
		`cleanup plan (dry run, nothing removed): ${plan.items.length === 0 ? 'nothing to remove' : `${plan.items.length} item${plan.items.length === 1 ? '' : 's'}`}`,
	];
	for (const item of plan.items)
		lines.push(
			`  remove  ${item.kind.padEnd(11)} ${shorten(item.name || item.id).padEnd(32)} ${item.reason}${item.sizeBytes === null ? '' : `  (${formatBytes(item.sizeBytes)})`}`,
		);
	for (const spared of plan.spared)
		lines.push(`  keep    ${spared.kind.padEnd(11)} ${shorten(spared.name || spared.id).padEnd(32)} ${spared.reason}`);
	return `${lines.join('\n')}\n`;
}

function renderResults(results: readonly ItemResult[], plan: Plan, reclaimed: number, before: number, after: number): string {
	const lines = results.map(result =>
		result.removed
			? `removed  ${result.item.kind.padEnd(11)} ${shorten(result.item.name || result.item.id)}${result.reclaimedBytes === undefined ? '' : ` (${formatBytes(result.reclaimedBytes)})`}`
			: `FAILED   ${result.item.kind.padEnd(11)} ${shorten(result.item.name || result.item.id)}: ${result.error}`,
	);
	const failed = results.filter(result => !result.removed).length;
	lines.push(
		`reclaimed ${formatBytes(reclaimed)} (docker system df: ${formatBytes(before)} → ${formatBytes(after)}); ${results.length - failed} of ${results.length} removed${failed > 0 ? `, ${failed} failed` : ''}; ${plan.spared.length} spared`,
	);
	return `${lines.join('\n')}\n`;
}

function shorten(name: string): string {
	return /^sha256:[0-9a-f]{64}$/.test(name) ? name.slice(0, 19) : /^[0-9a-f]{64}$/.test(name) ? name.slice(0, 12) : name;
}
