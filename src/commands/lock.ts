import { appendAudit } from '../audit/audit-log.js';
import { redactText } from '../audit/redact.js';
import { CommandNotFound, LockTimeout, UsageError } from '../errors.js';
import { openLockBackend } from '../lock/backend.js';
import { describeHolder } from '../lock/describe-holder.js';
import type { LockBackend } from '../lock/lock-backend.js';
import { checkEnvName } from '../lock/paths.js';
import type { LockState } from '../lock/status.js';
import { type LockEvent, withLock } from '../lock/with-lock.js';
import { displayCommand } from '../system/display-command.js';
import { parseDuration } from '../system/duration.js';
import { runWithTerminal } from '../system/run-with-terminal.js';
import type { CommandContext } from './context.js';

export interface LockCommandOptions {
	readonly timeout?: string;
	readonly reason?: string;
	/** The lock's events as JSON lines on stderr (stdout stays the command's). */
	readonly json?: boolean;
}

/**
 * `safe-docker guard lock <env> [--timeout DUR] [--reason TEXT] -- <command…>`, like flock(1): wait for the
 * environment's lock, run the command with the terminal and signals passed through, release the lock on
 * every way out, and exit with the command's code. With `--json`, what happens to the lock (waiting,
 * acquired, released, timeout) is reported as JSON lines on stderr instead of human lines.
 */
export async function lockCommand(
	env: string,
	command: readonly string[],
	options: LockCommandOptions,
	context: CommandContext,
): Promise<number> {
	checkEnvName(env);
	if (command.length === 0)
		throw new UsageError(`no command to run under the lock of '${env}': safe-docker guard lock ${env} -- <command…>`);
	const timeoutMs = options.timeout === undefined ? undefined : parseDuration(options.timeout);
	if (options.timeout !== undefined && timeoutMs === undefined)
		throw new UsageError(`--timeout ${JSON.stringify(options.timeout)} is not a duration (90s, 10m, 1h)`);
	const { config } = await context.loaded();
	const report = options.json ? (event: LockEvent) => void context.stderr.write(`${JSON.stringify(event)}\n`) : undefined;
	const locked = withLock(
		{
			locks: () => openLockBackend({ config, stateDir: context.stateDir, stderr: context.stderr }),
			env,
			command: displayCommand([...command]),
			reason: options.reason ?? null,
			timeoutMs,
			processEnv: context.env,
			stderr: context.stderr,
			...(report ? { report } : {}),
		},
		async (held, childEnv) => {
			const exit = await runWithTerminal(command[0]!, command.slice(1), {
				env: { ...context.env, ...childEnv },
				cwd: context.cwd,
				onSpawn: pid => held?.setChild(pid),
				notFound: (file, code, cause) => new CommandNotFound(file, code === 'ENOENT' ? 'no such command' : 'permission denied', { cause }),
			});
			return exit.exitCode;
		},
	);
	if (!report) return locked;
	return locked.catch(error => {
		if (!(error instanceof LockTimeout)) throw error;
		report({ event: 'timeout', env, waitedMs: error.waitedMs, holder: error.holder ?? null });
		return error.exitCode;
	});
}

/** `safe-docker guard lock status [env] [--json]`: each lock with its holder and age (in fleet mode: on every host, with its lease). */
export async function lockStatusCommand(
	env: string | undefined,
	{ json = false }: { json?: boolean },
	context: CommandContext,
): Promise<number> {
	if (env !== undefined) checkEnvName(env);
	return withBackend(context, async locks => {
		const states = env === undefined ? await locks.list() : [await locks.state(env)];
		if (json) {
			context.stdout.write(`${JSON.stringify(states, null, 2)}\n`);
			return 0;
		}
		context.stdout.write(states.length === 0 ? `no locks in ${locks.where}\n` : states.map(state => `${describeState(state)}\n`).join(''));
		return 0;
	});
}

function describeState(state: LockState): string {
	if (state.state === 'free') return `${state.env}: free`;
	const lease = state.leaseRemainingMs === undefined ? '' : `; lease ${(state.leaseRemainingMs / 1000).toFixed(1)} s left`;
	return `${state.env}: ${state.state === 'stale' ? 'stale (its holder is gone; the next contender takes it over), ' : ''}${describeHolder(state.holder)}${lease}`;
}

/** `safe-docker guard unlock <env> --force [--reason TEXT]`: releases a stuck lock, says what it released, audited. */
export async function unlockCommand(env: string, options: { force?: boolean; reason?: string }, context: CommandContext): Promise<number> {
	checkEnvName(env);
	const { config } = await context.loaded();
	return withBackend(context, async locks => {
		const state = await locks.state(env);
		if (state.state === 'free') {
			context.stdout.write(`the lock of '${env}' is not held; nothing to release\n`);
			return 0;
		}
		if (!options.force)
			throw new UsageError(`refusing to release the lock of '${env}' without --force: it is ${describeHolder(state.holder)}`);
		appendAudit(
			context.stateDir(),
			{
				cwd: context.cwd,
				argv: ['guard', 'unlock', env, '--force', ...(options.reason ? ['--reason', options.reason] : [])],
				command: 'guard unlock',
				flag: '--force',
				decision: 'unlocked',
				policy: config.force.policy,
				exitCode: 0,
				...(options.reason ? { reason: redactText(options.reason) } : {}),
			},
			config.audit.maxBytes,
		);
		await locks.remove(env);
		context.stdout.write(
			`released the lock of '${env}', which was ${state.state === 'stale' ? 'stale and ' : ''}${describeHolder(state.holder)}\n`,
		);
		return 0;
	});
}

async function withBackend(context: CommandContext, work: (locks: LockBackend) => Promise<number>): Promise<number> {
	const { config } = await context.loaded();
	const locks = await openLockBackend({ config, stateDir: context.stateDir, stderr: context.stderr });
	try {
		return await work(locks);
	} finally {
		locks.close();
	}
}
