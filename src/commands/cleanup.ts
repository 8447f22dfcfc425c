import { resolve } from 'node:path';
import { appendAudit, completeAudit } from '../audit/audit-log.js';
import { backupVolume } from '../backup/backup-volume.js';
import { executePlan, type ItemResult } from '../cleanup/execute.js';
import { buildPlan, type Plan, type PlanItem } from '../cleanup/plan.js';
import { applyVolumePolicy, type VolumeRemoval } from '../cleanup/volume-policy.js';
import type { Config } from '../config/defaults.js';
import type { DockerClient } from '../docker/client.js';
import { diskUsage, listContainers, listImages, listNetworks, listVolumes } from '../docker/listings.js';
import { formatBytes } from '../docker/sizes.js';
import { UsageError } from '../errors.js';
import { lockedEnvironments } from '../lock/backend.js';
import { parseDuration } from '../system/duration.js';
import { VERSION } from '../version.js';
import type { CommandContext } from './context.js';
import { dockerFor, engineOf } from './volume-backup.js';

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
	/** Volumes the data-loss policy refuses are backed up here first, and removed only after a verified backup. */
	readonly backupTo?: string;
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
	const locked = await lockedEnvironments({ config, stateDir: context.stateDir, stderr: context.stderr });
	const planned = buildPlan(
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
			isLocked: env => locked.has(env),
		},
	);
	// Our own removals never bypass the guard: volumes go through the data-loss policy like any docker volume rm.
	const backupTo = options.backupTo === undefined ? undefined : resolve(context.cwd, options.backupTo);
	const { plan, removals } = applyVolumePolicy(planned, volumeList, config.dataLoss, context.env, backupTo);

	if (options.dryRun) {
		context.stdout.write(options.json ? `${JSON.stringify({ dryRun: true, ...plan }, null, 2)}\n` : renderPlan(plan));
		return 0;
	}
	const backedUp = await backUpFirst(removals, backupTo, context);
	const toRemove = plan.items.filter(
		item => !backedUp.failed.some(({ item: failed }) => failed.kind === item.kind && failed.id === item.id),
	);
	const audited = auditRemovals(toRemove, removals, backedUp.archives, context, config);
	const executed = await executePlan(audited.items, config.cleanup.buildCacheBudgetBytes, docker);
	audited.complete(executed);
	const results = [...backedUp.failed, ...audited.failed, ...executed];
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

/** Backs up the volumes the policy refuses (with --backup-to); a volume whose backup fails is not removed. */
async function backUpFirst(removals: readonly VolumeRemoval[], backupTo: string | undefined, context: CommandContext) {
	const failed: ItemResult[] = [];
	const archives = new Map<string, string>();
	const first = removals.filter(removal => removal.backupFirst);
	if (first.length === 0 || backupTo === undefined) return { failed, archives };
	const docker = await dockerFor(context);
	const engine = await engineOf(docker, context);
	for (const { item } of first) {
		try {
			const backup = await backupVolume(item.name, { dir: backupTo, engine, version: VERSION }, docker);
			archives.set(item.name, backup.archivePath);
		} catch (error) {
			failed.push({ item, removed: false, error: `not removed: ${(error as Error).message}` });
		}
	}
	return { failed, archives };
}

/**
 * Every volume removal the data-loss guard let through other than silently is audited (and flushed) before it
 * runs, with its way through; a volume whose entry cannot be written is not removed. Returns the items that
 * may go, and a function that records how each went.
 */
function auditRemovals(
	items: readonly PlanItem[],
	removals: readonly VolumeRemoval[],
	archives: ReadonlyMap<string, string>,
	context: CommandContext,
	config: Pick<Config, 'dataLoss' | 'audit'>,
): { items: PlanItem[]; failed: ItemResult[]; complete: (results: readonly ItemResult[]) => void } {
	const entries = new Map<string, string>();
	const failed: ItemResult[] = [];
	const blocked = new Set<string>();
	for (const { item, verdict, backupFirst } of removals) {
		const archive = archives.get(item.name);
		if (backupFirst && archive === undefined) continue; // its backup failed: it is not removed
		const cls = verdict.loss.class;
		if (verdict.decision === 'warn')
			context.stderr.write(`safe-docker: warning: cleanup removes the ${cls} volume ${item.name} (dataLoss.${cls} = warn)\n`);
		if (verdict.decision === 'escape-hatch') {
			context.stderr.write(
				`safe-docker: the ${cls} volume ${item.name} is removed by SAFE_DOCKER_ALLOW_DATA_LOSS (reason: ${verdict.reason}); this is audited\n`,
			);
		}
		try {
			const time = appendAudit(
				context.stateDir(),
				{
					cwd: context.cwd,
					argv: ['volume', 'rm', item.name],
					command: 'volume rm',
					flag: null,
					decision: backupFirst
						? 'backed-up'
						: verdict.decision === 'warn'
							? 'warned'
							: verdict.decision === 'reject'
								? 'rejected'
								: verdict.decision,
					policy: `dataLoss.${cls} = ${config.dataLoss[cls]}`,
					exitCode: null,
					guard: 'data-loss',
					loss: cls,
					volumes: [item.name],
					apiVersion: null,
					reason: archive !== undefined ? `guard cleanup, after a verified backup: ${archive}` : (verdict.reason ?? 'guard cleanup'),
				},
				config.audit.maxBytes,
			);
			entries.set(item.id, time);
		} catch (error) {
			blocked.add(item.id);
			failed.push({ item, removed: false, error: `not removed: ${(error as Error).message}` });
		}
	}
	return {
		items: items.filter(item => !(item.kind === 'volume' && blocked.has(item.id))),
		failed,
		complete: results => {
			for (const result of results) {
				const time = result.item.kind === 'volume' ? entries.get(result.item.id) : undefined;
				if (time !== undefined) completeAudit(context.stateDir(), time, result.removed ? 0 : 1, config.audit.maxBytes);
			}
		},
	};
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
