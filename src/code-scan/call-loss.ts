import type { Config } from '../config/defaults.js';
import { type ParsedCall, parseDockerArgv } from '../docker-grammar/parse.js';
import { classifyVolumeLoss, mayLoseData } from '../docker-grammar/volume-loss.js';
import { lossOf } from '../guard/assess-loss.js';
import { detectForce, type ForceUse, safeAlternative } from '../guard/detect-force.js';
import { judgeLoss, LOSS_HATCH, type LossVerdict } from '../guard/judge-loss.js';
import { type Alternative, alternativeFor, lossAlternative, withHatch } from './alternative.js';
import type { ShellCall } from './shell-walk.js';

/** What `guard scan` and `guard hook` judge data loss with; never a daemon (the API version is what `lossOf` knows). */
export interface CallLossContext {
	readonly policy: Config['dataLoss'];
	/** DOCKER_API_VERSION and COMPOSE_FILE are read from it; so is the escape hatch, for the hook. */
	readonly env: Readonly<Record<string, string | undefined>>;
	/** Where compose files are looked for. */
	readonly cwd: string;
	/** Where the negotiated API versions are cached; undefined: none known. */
	readonly stateDir: string | undefined;
	/**
	 * Whether a hatch written on the call itself (`SAFE_DOCKER_ALLOW_DATA_LOSS=why docker …`) lets it pass: yes in a
	 * script someone wrote and will run (it is audited when it runs), no for an agent, which must not allow itself.
	 * @default true
	 */
	readonly honourWrittenHatch?: boolean;
}

/** Data loss the guard refuses, or runs with a warning: what a scan lists and the hook judges. */
export type LossFinding = Exclude<LossVerdict, { decision: 'allow' }> & { readonly decision: 'reject' | 'warn' };

/**
 * The data-loss guard's verdict on a call found in code or in an agent's command line, as the proxy would
 * give it: undefined when it would run unwarned (no loss, `allow` policy, `dataLoss.allowVolumes`, or the
 * escape hatch — set for the whole run, or written on the call itself, `SAFE_DOCKER_ALLOW_DATA_LOSS=why docker …`).
 */
export function lossFinding(call: ShellCall, parsed: ParsedCall, context: CallLossContext): LossFinding | undefined {
	if (!mayLoseData(parsed)) return undefined;
	const hatch = context.honourWrittenHatch === false ? undefined : writtenHatch(call.before);
	const env = hatch === undefined ? context.env : { ...context.env, [LOSS_HATCH]: hatch };
	const { loss } = lossOf(parsed, { env, cwd: context.cwd, stateDir: context.stateDir });
	const verdict = judgeLoss(parsed, loss, context.policy, env);
	return verdict.decision === 'reject' || verdict.decision === 'warn' ? (verdict as LossFinding) : undefined;
}

/**
 * The safe command for a call that is forced, lossy or both, written in the call's place, with (for a loss
 * only a backup makes safe) the call itself with the hatch to run after it. A call both forced and lossy
 * gets the first of the two alternatives that is neither: the graceful removal, else the data-loss one.
 */
export function safeWayFor(
	call: ShellCall,
	parsed: ParsedCall,
	use: ForceUse | undefined,
	loss: LossFinding | undefined,
): { alternative: Alternative; afterBackup: string | null } {
	const afterBackup = loss?.backupFirst ? withHatch(call, LOSS_HATCH) : null;
	const forceless = use && safeAlternative(parsed, use);
	if (use && (!loss || passesBoth(forceless!))) return { alternative: alternativeFor(call, parsed, use), afterBackup: null };
	if (!loss) throw new Error('safeWayFor: neither forced nor lossy');
	if (forceless?.[0] === 'docker' && !passesBoth(loss.alternative)) {
		// Each way alone keeps the other's flag (`compose rm -fsv`): the data-loss way of the call without force.
		const unforced = parseDockerArgv(forceless.slice(1));
		const strict = { named: 'reject', anonymous: 'reject', allowVolumes: [] } as const;
		const both = judgeLoss(unforced, classifyVolumeLoss(unforced, loss.loss.apiVersion ?? undefined), strict, {});
		if (both.decision !== 'allow') return { alternative: lossAlternative(call, parsed, both.alternative), afterBackup };
	}
	return { alternative: lossAlternative(call, parsed, loss.alternative), afterBackup };
}

/** An alternative argv (program first) that neither guard would stop. */
function passesBoth([program, ...argv]: readonly string[]): boolean {
	if (program !== 'docker') return true;
	const parsed = parseDockerArgv(argv);
	return detectForce(parsed) === undefined && classifyVolumeLoss(parsed, undefined).class === 'none';
}

/** The escape hatch's reason when the call sets it itself (`VAR=why docker …`, `env VAR=why docker …`). */
function writtenHatch(before: string): string | undefined {
	const match = new RegExp(`(?:^|\\s)${LOSS_HATCH}=(?:"([^"]*)"|'([^']*)'|(\\S*))`).exec(before);
	const reason = (match?.[1] ?? match?.[2] ?? match?.[3])?.trim();
	return reason ? reason : undefined;
}
