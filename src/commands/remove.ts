import { realpathSync } from 'node:fs';
import type { GuardContext } from '../cli/guard.js';
import { loadConfig } from '../config/load.js';
import { dockerClient } from '../docker/client.js';
import { locateDocker } from '../docker/locate.js';
import { describeOutcome, removeGracefully } from '../guard/graceful-remove.js';

export interface RemoveCommandOptions {
	readonly time?: number;
	readonly volumes?: boolean;
	readonly json?: boolean;
}

/**
 * `safe-docker guard remove <container…> [--time N] [--volumes] [--json]`: the safe alternative to
 * `docker rm -f`. One line per container; exit 1 if any could not be removed (a missing one is reported,
 * not a failure).
 */
export async function removeCommand(
	names: readonly string[],
	options: RemoveCommandOptions,
	{ env, cwd, self, stdout }: GuardContext,
): Promise<number> {
	const { config, origins } = await loadConfig({ cwd, env });
	const docker = locateDocker({
		configured: config.docker.path,
		configuredFrom: origins.get('docker.path'),
		self: realpathSync(self),
		env,
	});
	const outcomes = await removeGracefully(
		names,
		{ timeSeconds: options.time ?? config.remove.stopTimeoutSeconds, volumes: options.volumes ?? false },
		dockerClient(docker, env),
	);
	stdout.write(options.json ? `${JSON.stringify(outcomes, null, 2)}\n` : outcomes.map(outcome => `${describeOutcome(outcome)}\n`).join(''));
	return outcomes.some(outcome => outcome.status === 'failed') ? 1 : 0;
}
