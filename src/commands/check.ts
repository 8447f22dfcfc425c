import { stateDir } from '../config/paths.js';
import { holdOf, laneOf } from '../docker-grammar/lanes.js';
import { parseDockerArgv } from '../docker-grammar/parse.js';
import { REJECTED_EXIT_CODE } from '../errors.js';
import { lossOf } from '../guard/assess-loss.js';
import { explainForce, explainLoss } from '../guard/explain.js';
import { judge } from '../guard/judge.js';
import { judgeLoss } from '../guard/judge-loss.js';
import { displayCommand } from '../system/display-command.js';
import type { CommandContext } from './context.js';

/** From the mildest to the strictest: a call both forced and lossy gets the stricter of its two verdicts. */
const STRICTNESS = ['allow', 'allowed-by-config', 'escape-hatch', 'warn', 'rewrite', 'reject'] as const;
const stricter = <A extends string, B extends string>(a: A, b: B): A | B =>
	STRICTNESS.indexOf(b as never) > STRICTNESS.indexOf(a as never) ? b : a;

/**
 * `safe-docker guard check [--json] -- <docker argv…>`: the verdicts of the force guard and the data-loss guard
 * without running anything, and without asking a daemon (the API version is DOCKER_API_VERSION or the cached
 * negotiated one, else unknown). Exit 0 when the call would run (allowed, warned, rewritten), 77 when it
 * would be rejected.
 */
export async function checkCommand(
	argv: readonly string[],
	{ json = false }: { json?: boolean },
	{ env, cwd, stdout, loaded }: CommandContext,
): Promise<number> {
	const { config } = await loaded();
	const call = parseDockerArgv(argv);
	const verdict = judge(call, config.force, env);
	const { loss } = lossOf(call, { env, cwd, stateDir: stateDir(env) });
	const lossVerdict = judgeLoss(call, loss, config.dataLoss, env);
	const decision = stricter(verdict.decision, lossVerdict.decision);
	const shown = displayCommand(['docker', ...argv]);
	const exitCode = decision === 'reject' ? REJECTED_EXIT_CODE : 0;
	if (json) {
		stdout.write(
			`${JSON.stringify(
				{
					argv,
					command: call.command ?? null,
					lane: laneOf(call),
					hold: holdOf(call),
					decision,
					force: verdict.decision,
					policy: config.force.policy,
					flag: verdict.decision === 'allow' ? null : verdict.use.token,
					reason: verdict.decision === 'allow' ? null : verdict.use.rule.risk,
					alternative: verdict.decision === 'allow' ? null : displayCommand([...verdict.alternative]),
					loss: {
						class: loss.class,
						flag: loss.flag,
						volumes: loss.volumes,
						apiVersion: loss.apiVersion,
						decision: lossVerdict.decision,
						policy: loss.class === 'none' ? null : config.dataLoss[loss.class],
						reason: loss.class === 'none' ? null : loss.reason,
						alternative: lossVerdict.decision === 'allow' ? null : displayCommand([...lossVerdict.alternative]),
					},
				},
				null,
				2,
			)}\n`,
		);
		return exitCode;
	}
	const lossLines =
		lossVerdict.decision === 'allow'
			? []
			: explainLoss(
					`${lossVerdict.decision === 'reject' ? 'reject' : lossVerdict.decision === 'warn' ? 'run with a warning' : `run (${lossVerdict.decision})`}: ${shown} destroys ${loss.class} volumes${loss.flag === null ? '' : ` (${loss.flag})`}${loss.volumes?.length ? `: ${loss.volumes.join(', ')}` : ''}`,
					loss.reason,
					displayCommand([...lossVerdict.alternative]),
					lossVerdict.keeps,
					lossVerdict.backupFirst,
					shown,
					lossVerdict.decision === 'reject',
				);
	if (verdict.decision === 'allow' && lossLines.length > 0) {
		stdout.write(`${lossLines.join('\n')}\n`);
		return exitCode;
	}
	if (verdict.decision === 'allow') {
		stdout.write(
			`allow: ${shown} (${call.command ?? (call.typed.length > 0 ? `unknown command ${call.typed.join(' ')}` : 'no command')}, lane ${laneOf(call)}${holdOf(call) === 'lease' ? ', slot held for the start-up lease' : ''})\n`,
		);
		return exitCode;
	}
	const { use } = verdict;
	const what =
		verdict.decision === 'reject'
			? 'reject'
			: verdict.decision === 'rewrite'
				? 'rewrite as a graceful removal'
				: verdict.decision === 'warn'
					? 'run with a warning'
					: `run (${verdict.decision})`;
	const lines = explainForce(
		`${what}: ${shown} uses ${use.token} (--force) on ${use.command}`,
		use.rule.risk,
		displayCommand([...verdict.alternative]),
	);
	stdout.write(`${[...lines, ...lossLines].join('\n')}\n`);
	return exitCode;
}
