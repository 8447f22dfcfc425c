import { flagValues } from '../docker-grammar/parse.js';
import type { Call, Next, Outcome, Step } from './types.js';

export interface LockStepOptions {
	/** The state directory (created and checked on first use), where the locks live unless `lock.directory` (or fleet mode) says otherwise. */
	readonly stateDir: () => string;
	readonly stderr: Pick<NodeJS.WriteStream, 'write'> & { readonly isTTY?: boolean };
}

/**
 * Automatic environment locks: a call whose command path is in `lock.commands` (e.g. `compose up`) holds
 * the environment's lock while it runs. The environment is `lock.environment` (or SAFE_DOCKER_ENV), else
 * the compose project (`-p`, COMPOSE_PROJECT_NAME); with none of them the call runs unlocked.
 */
export function lockStep({ stateDir, stderr }: LockStepOptions): Step {
	return {
		async handle(call: Call, next: Next): Promise<Outcome> {
			const { command } = call.parsed;
			if (command === undefined || call.parsed.help || !call.config.lock.commands.includes(command)) return next(call);
			const env = call.config.lock.environment ?? composeProject(call);
			if (env === undefined) return next(call);
			// Loaded only for calls that lock: most docker calls never pay for the lock machinery.
			const [{ withLock }, { openLockBackend }, { displayCommand }] = await Promise.all([
				import('../lock/with-lock.js'),
				import('../lock/backend.js'),
				import('../system/display-command.js'),
			]);
			return withLock(
				{
					locks: () => openLockBackend({ config: call.config, stateDir, stderr }),
					env,
					command: displayCommand(['docker', ...call.argv]),
					reason: null,
					timeoutMs: call.config.lock.timeoutMs === 0 ? undefined : call.config.lock.timeoutMs,
					processEnv: call.env,
					stderr,
				},
				(_held, childEnv) => next({ ...call, env: { ...call.env, ...childEnv } }),
			);
		},
	};
}

function composeProject(call: Call): string | undefined {
	if (!call.parsed.command?.startsWith('compose ')) return undefined;
	const name = flagValues(call.parsed.parentFlags, 'project-name').at(-1) ?? call.env['COMPOSE_PROJECT_NAME'];
	return name === undefined || name === '' ? undefined : name;
}
