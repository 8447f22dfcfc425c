import { shellAlternative } from '../code-scan/alternative.js';
import { type CallLossContext, lossFinding, safeWayFor } from '../code-scan/call-loss.js';
import { shellCalls } from '../code-scan/shell-walk.js';
import { type Config, DEFAULTS } from '../config/defaults.js';
import { parseDockerArgv } from '../docker-grammar/parse.js';
import { ScanLimitExceeded } from '../errors.js';
import { judge } from '../guard/judge.js';

/** What the hook answers for one shell command line. */
export type HookVerdict =
	| { readonly decision: 'allow' }
	/** Forced calls and refused data loss: each with the guard's rule, its risk and the safe command to run instead. */
	| { readonly decision: 'deny'; readonly reason: string }
	/** A docker call whose argv cannot be known before it runs (`docker $CMD`). */
	| { readonly decision: 'unknown'; readonly reason: string };

/** Every docker-like program an agent might run; podman and nerdctl share docker's force flags. */
const PROGRAMS: ReadonlySet<string> = new Set(['docker', 'docker-compose', 'safe-docker', 'podman', 'podman-compose', 'nerdctl']);
/** A command line is small; nesting and work past these are refused, not guessed. */
const BUDGET = { maxDepth: 32, work: 2_000_000 };

/** Data loss judged by default: the default policy, no API version known (prunes count as named), compose files from here. */
const DEFAULT_LOSS: Omit<CallLossContext, 'env'> = { policy: DEFAULTS.dataLoss, cwd: process.cwd(), stateDir: undefined };

/**
 * The guards' verdict on every docker, podman, docker-compose and nerdctl call in a command line an agent
 * is about to run, found through compound commands, substitutions, wrappers and `sh -c` scripts. A call is
 * refused when the force guard would reject it, or rewrite it (the agent runs docker itself, not safe-docker),
 * or when the data-loss guard would reject it (named volumes, by default: the reason offers a backup first);
 * loss the policy only warns about is allowed.
 */
export function judgeShell(
	command: string,
	force: Config['force'],
	env: Readonly<Record<string, string | undefined>>,
	loss: Omit<CallLossContext, 'env'> = DEFAULT_LOSS,
): HookVerdict {
	let calls: ReturnType<typeof shellCalls>;
	try {
		calls = shellCalls(command, { budget: { maxDepth: BUDGET.maxDepth, remaining: BUDGET.work }, programs: PROGRAMS });
	} catch (error) {
		if (error instanceof ScanLimitExceeded)
			return { decision: 'deny', reason: `safe-docker cannot read this command line: ${error.limit}` };
		throw error;
	}
	const refused: string[] = [];
	const unknown: string[] = [];
	for (const call of calls) {
		const parsed = parseDockerArgv(call.argv);
		const shown = [call.programRaw, ...call.raw.filter(word => word !== undefined)].join(' ');
		const firstWord = call.argv.findIndex(word => !word.startsWith('-'));
		if (parsed.command === undefined && firstWord !== -1 && call.opaque[firstWord]) {
			unknown.push(`\`${shown}\`: which ${call.program} command this runs is only known when it runs`);
			continue;
		}
		const verdict = judge(parsed, force, env);
		const use = verdict.decision === 'reject' || verdict.decision === 'rewrite' ? verdict.use : undefined;
		const lossy = lossFinding(call, parsed, { ...loss, env, honourWrittenHatch: false });
		const lost = lossy?.decision === 'reject' ? lossy : undefined;
		if (!use && !lost) continue;
		const { alternative, afterBackup } = safeWayFor(call, parsed, use, lost);
		const why = [
			use && `uses ${use.token} (--force) on ${call.program} ${use.typed}: ${use.rule.risk}`,
			lost &&
				`destroys ${lost.loss.class} volumes${lost.loss.flag === null ? '' : ` (${lost.loss.flag})`}${lost.loss.volumes?.length ? `: ${lost.loss.volumes.join(', ')}` : ''}: ${lost.loss.reason}`,
		].filter(Boolean);
		// The hatch is the user's to set: an agent that sets it on its own call is refused all the same.
		const instead = `${shellAlternative(call, alternative)}${afterBackup === null ? '' : `, then ask the user to run (audited): ${afterBackup}`}`;
		refused.push(`\`${shown}\` ${why.join('; and ')}. Run instead: ${instead}`);
	}
	if (refused.length > 0) return { decision: 'deny', reason: `safe-docker refused: ${[...refused, ...unknown].join('; ')}` };
	if (unknown.length > 0)
		return { decision: 'unknown', reason: `safe-docker cannot check ${unknown.join('; ')}. Write the docker command out in full.` };
	return { decision: 'allow' };
}
