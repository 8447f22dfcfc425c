import { holdOf, laneOf } from '../docker-grammar/lanes.js';
import { parseDockerArgv } from '../docker-grammar/parse.js';
import { REJECTED_EXIT_CODE } from '../errors.js';
import { explainForce } from '../guard/explain.js';
import { judge } from '../guard/judge.js';
import { displayCommand } from '../system/display-command.js';
import type { CommandContext } from './context.js';

/**
 * `safe-docker guard check [--json] -- <docker argv…>`: the guard's verdict without running anything.
 * Exit 0 when the call would run (allowed, warned, rewritten), 77 when it would be rejected.
 */
export async function checkCommand(
	argv: readonly string[],
	{ json = false }: { json?: boolean },
	{ env, stdout, loaded }: CommandContext,
): Promise<number> {
	const { config } = await loaded();
	const call = parseDockerArgv(argv);
	const verdict = judge(call, config.force, env);
	const shown = displayCommand(['docker', ...argv]);
	const exitCode = verdict.decision === 'reject' ? REJECTED_EXIT_CODE : 0;
	if (json) {
		stdout.write(
			`${JSON.stringify(
				{
					argv,
					command: call.command ?? null,
					lane: laneOf(call),
					hold: holdOf(call),
					decision: verdict.decision,
					policy: config.force.policy,
					flag: verdict.decision === 'allow' ? null : verdict.use.token,
					reason: verdict.decision === 'allow' ? null : verdict.use.rule.risk,
					alternative: verdict.decision === 'allow' ? null : displayCommand([...verdict.alternative]),
				},
				null,
				2,
			)}\n`,
		);
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
	stdout.write(`${lines.join('\n')}\n`);
	return exitCode;
}
