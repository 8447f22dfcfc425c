import { describeOutcome, removeGracefully } from '../guard/graceful-remove.js';
import { statusLine } from '../system/status-line.js';
import type { CommandContext } from './context.js';

export interface RemoveCommandOptions {
	readonly time?: number;
	readonly volumes?: boolean;
	readonly json?: boolean;
}

/**
 * `safe-docker guard remove <container…> [--time N] [--volumes] [--json]`: the safe alternative to
 * `docker rm -f`. One line per container (and, on a terminal, a live line while a container stops); exit 1 if any could not be removed (a missing one is reported,
 * not a failure).
 */
export async function removeCommand(names: readonly string[], options: RemoveCommandOptions, context: CommandContext): Promise<number> {
	const { config } = await context.loaded();
	const outcomes = await removeGracefully(
		names,
		{
			timeSeconds: options.time ?? config.remove.stopTimeoutSeconds,
			volumes: options.volumes ?? false,
			...(context.stderr.isTTY && !options.json ? { progress: statusLine(context.stderr, context.env) } : {}),
		},
		await context.docker(),
	);
	context.stdout.write(
		options.json ? `${JSON.stringify(outcomes, null, 2)}\n` : outcomes.map(outcome => `${describeOutcome(outcome)}\n`).join(''),
	);
	return outcomes.some(outcome => outcome.status === 'failed') ? 1 : 0;
}
