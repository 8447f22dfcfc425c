import type { Config } from '../config/defaults.js';
import type { ParsedCall } from '../docker-grammar/parse.js';
import type { VolumeLoss } from '../docker-grammar/volume-loss.js';
import { withoutFlags } from './detect-force.js';

/** The data-loss escape hatch: set for one call, with a reason as its value; every use is audited. */
export const LOSS_HATCH = 'SAFE_DOCKER_ALLOW_DATA_LOSS';

/** What the data-loss guard does with a call. */
export type LossVerdict =
	| { readonly decision: 'allow'; readonly loss: VolumeLoss }
	| {
			readonly decision: 'reject' | 'warn' | 'allowed-by-config' | 'escape-hatch';
			readonly loss: VolumeLoss & { readonly class: 'named' | 'anonymous' };
			/** The safe way, as an argv starting with the program name. */
			readonly alternative: readonly string[];
			/** What the alternative does, in a few words. */
			readonly keeps: string;
			/** The alternative is a backup, to be followed by the call itself with the escape hatch. */
			readonly backupFirst: boolean;
			/** The escape hatch's reason, when it was used. */
			readonly reason?: string;
	  };

/**
 * Decides a call's data loss without side effects, for the pipeline, `guard check` and `guard cleanup`.
 * In order: no loss, or `dataLoss.<class>` = allow → allow; every volume it names matches
 * `dataLoss.allowVolumes` → allowed (audited); the escape hatch → allowed once (audited); then the policy
 * of the class: `warn` runs it, `reject` refuses.
 */
export function judgeLoss(
	call: ParsedCall,
	loss: VolumeLoss,
	policy: Config['dataLoss'],
	env: Readonly<Record<string, string | undefined>>,
): LossVerdict {
	if (loss.class === 'none') return { decision: 'allow', loss };
	const classPolicy = policy[loss.class];
	if (classPolicy === 'allow') return { decision: 'allow', loss };
	const lossy = loss as VolumeLoss & { class: 'named' | 'anonymous' };
	const base = { loss: lossy, ...safeWay(call, lossy) };
	if (loss.volumes !== null && loss.volumes.length > 0 && loss.volumes.every(volume => matchesAny(volume, policy.allowVolumes))) {
		return { decision: 'allowed-by-config', ...base };
	}
	const reason = env[LOSS_HATCH]?.trim();
	if (reason) return { decision: 'escape-hatch', ...base, reason };
	return { decision: classPolicy, ...base };
}

/** The safe way to get the job done without losing the data. */
function safeWay(call: ParsedCall, loss: VolumeLoss): { alternative: string[]; keeps: string; backupFirst: boolean } {
	const way = (alternative: string[], keeps: string) => ({ alternative, keeps, backupFirst: false });
	switch (call.command) {
		case 'volume rm':
			return { alternative: ['safe-docker', 'guard', 'backup', ...call.positionals], keeps: 'a verified backup first', backupFirst: true };
		case 'system prune':
			if (loss.class === 'anonymous') return way(['docker', ...withoutFlags(call, { volumes: undefined })], 'keeps volumes');
			return way(['safe-docker', 'guard', 'cleanup', '--volumes'], 'spares named volumes');
		case 'volume prune':
			return way(['safe-docker', 'guard', 'cleanup', '--volumes'], 'spares named volumes');
		case 'compose up':
			return way(['docker', ...withoutFlags(call, { 'renew-anon-volumes': 'V' })], 'keeps the anonymous volumes');
		default:
			// rm -v, compose rm -v, compose down -v: the same call without the flag keeps the volumes.
			return way(['docker', ...withoutFlags(call, { volumes: 'v', volume: undefined })], 'keeps the volumes');
	}
}

/** Shell-style name globs (`*`, `?`, `[…]`) as docker volume names use them: no `/` to care about. */
function matchesAny(name: string, globs: readonly string[]): boolean {
	return globs.some(glob => globToRegExp(glob).test(name));
}

function globToRegExp(glob: string): RegExp {
	let source = '';
	for (let i = 0; i < glob.length; i++) {
		const char = glob[i]!;
		if (char === '*') source += '.*';
		else if (char === '?') source += '.';
		else if (char === '[' && glob.indexOf(']', i + 2) !== -1) {
			const end = glob.indexOf(']', i + 2);
			const body = glob
				.slice(i + 1, end)
				.replace(/^!/, '^')
				.replace(/\\/g, '\\\\');
			source += `[${body}]`;
			i = end;
		} else source += char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	}
	return new RegExp(`^${source}$`);
}
