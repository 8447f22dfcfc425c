import type { Config } from '../config/defaults.js';
import type { VolumeInfo } from '../docker/listings.js';
import { parseDockerArgv } from '../docker-grammar/parse.js';
import { judgeLoss, type LossVerdict } from '../guard/judge-loss.js';
import type { Plan, PlanItem } from './plan.js';

/** A planned volume removal and the data-loss guard's verdict on it. */
export interface VolumeRemoval {
	readonly item: PlanItem;
	readonly verdict: Exclude<LossVerdict, { decision: 'allow' }>;
	/** Refused by the policy, but allowed after a verified backup to `--backup-to`. */
	readonly backupFirst: boolean;
}

/**
 * Cleanup's own volume removals go through the same data-loss policy as anyone's `docker volume rm`: a
 * volume the policy refuses (a named one, by default) is spared — or, with `--backup-to`, backed up first
 * and removed only once its backup is verified. Returns the plan as it stands and the removals to audit.
 */
export function applyVolumePolicy(
	plan: Plan,
	volumes: readonly VolumeInfo[],
	policy: Config['dataLoss'],
	env: Readonly<Record<string, string | undefined>>,
	backupTo: string | undefined,
): { plan: Plan; removals: VolumeRemoval[] } {
	const anonymous = new Set(volumes.filter(volume => volume.anonymous).map(volume => volume.name));
	const items: PlanItem[] = [];
	const spared = [...plan.spared];
	const removals: VolumeRemoval[] = [];
	for (const item of plan.items) {
		if (item.kind !== 'volume') {
			items.push(item);
			continue;
		}
		const call = parseDockerArgv(['volume', 'rm', item.name]);
		const cls = anonymous.has(item.name) ? 'anonymous' : 'named';
		const reason = cls === 'named' ? 'removes the named volume and all its data' : 'removes an anonymous volume and its data';
		const verdict = judgeLoss(call, { class: cls, flag: null, volumes: [item.name], apiVersion: null, reason }, policy, env);
		if (verdict.decision === 'allow') {
			items.push(item);
		} else if (verdict.decision !== 'reject') {
			items.push(item);
			removals.push({ item, verdict, backupFirst: false });
		} else if (backupTo !== undefined) {
			items.push({ ...item, reason: `${item.reason}, after a verified backup to ${backupTo}` });
			removals.push({ item, verdict, backupFirst: true });
		} else {
			spared.push({
				kind: 'volume',
				id: item.id,
				name: item.name,
				reason: `${cls} volume: dataLoss.${cls} = reject (back it up first: --backup-to DIR, or SAFE_DOCKER_ALLOW_DATA_LOSS=<reason>)`,
			});
		}
	}
	return { plan: { items, spared }, removals };
}
