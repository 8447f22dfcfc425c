import { realpathSync } from 'node:fs';
import { DEFAULTS } from './config/defaults.js';
import { type LoadedConfig, loadConfig } from './config/load.js';
import { ensureStateDir, stateDir } from './config/paths.js';
import { locateDocker } from './docker/locate.js';
import { dockerEnvOf, isRerun, passThrough } from './docker/rerun.js';
import { isDaemonless } from './docker-grammar/daemonless.js';
import { holdOf, laneOf } from './docker-grammar/lanes.js';
import { parseDockerArgv } from './docker-grammar/parse.js';
import { ConfigError, exitCodeOf, formatError } from './errors.js';
import { daemonCheckStep } from './pipeline/daemon-check-step.js';
import { daemonWatchStep } from './pipeline/daemon-watch-step.js';
import { dataLossStep } from './pipeline/data-loss-step.js';
import { guardStep } from './pipeline/guard-step.js';
import { runPipeline } from './pipeline/index.js';
import { limiterStep } from './pipeline/limiter-step.js';
import { lockStep } from './pipeline/lock-step.js';
import type { Step } from './pipeline/types.js';
import { exactBytes } from './system/exact-bytes.js';
import { once } from './system/once.js';
import { VERSION } from './version.js';

export { exitWhenFlushed } from './system/exit.js';

export interface MainOptions {
	readonly env?: NodeJS.ProcessEnv;
	readonly cwd?: string;
	/** Path of the running safe-docker entry point (argv[1]). */
	readonly self?: string;
	readonly stdout?: Pick<NodeJS.WriteStream, 'write'>;
	readonly stderr?: Pick<NodeJS.WriteStream, 'write'> & { readonly isTTY?: boolean };
}

/**
 * The proxy's steps, in order:
 * 1. the guards, data loss then force — a refused call never waits for a lock or a slot; the data-loss guard
 *    comes first so that a call both lossy and forced is refused with both reasons;
 * 2. the environment lock — taken before the slot, so that a call queued for a slot never holds a lock others wait behind;
 * 3. the limiter — a slot from the broker, which also answers at once when the endpoint's breaker is open;
 * 4. the daemon check — inside the slot: tells daemon failures (what the breaker counts) from others, and retries;
 * 5. the daemon watch — around each run of docker (retries included): a daemon that stops answering is reported, and
 *    a read call on it ended;
 * then docker itself. A call docker answers without the daemon (help, --version, context ls, a usage error) is
 * only guarded: never locked, limited, held back or refused by an open breaker.
 */
function steps(options: {
	env: NodeJS.ProcessEnv;
	cwd: string;
	stdout: MainOptions['stdout'] & {};
	stderr: MainOptions['stderr'] & {};
	daemonless: boolean;
}): Step[] {
	// Created and checked once, and only by a step that needs it (an audit entry, a lock, the broker's socket).
	const state = once(() => ensureStateDir(stateDir(options.env)));
	const guard = guardStep({ stateDir: state, cwd: options.cwd, stdout: options.stdout, stderr: options.stderr });
	if (options.daemonless) return [guard];
	return [
		dataLossStep({ stateDir: state, cwd: options.cwd, stderr: options.stderr }),
		guard,
		lockStep({ stateDir: state, stderr: options.stderr }),
		limiterStep({ stateDir: state, version: VERSION, stderr: options.stderr }),
		daemonCheckStep({ stderr: options.stderr }),
		daemonWatchStep({ stderr: options.stderr }),
	];
}

/**
 * safe-docker's entry: `guard …` goes to our own commands, everything else is a docker argv that runs
 * through the pipeline. Resolves to the exit code; never throws.
 */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
	const {
		env = process.env,
		cwd = process.cwd(),
		self = process.argv[1] ?? '',
		stdout = process.stdout,
		stderr = process.stderr,
	} = options;
	try {
		// docker has no cleanup or health command: `safe-docker cleanup` is `safe-docker guard cleanup`.
		if (argv[0] === 'guard' || argv[0] === 'cleanup' || argv[0] === 'health') {
			const { runGuard } = await import('./cli/guard.js');
			return await runGuard(argv[0] === 'guard' ? argv.slice(1) : argv, { env, cwd, self, stdout, stderr });
		}
		if (isRerun(env)) return await passThrough(argv, { env, cwd, self: realSelf(self), exact: exactBytes(argv, env) });
		const parsed = parseDockerArgv(argv);
		const { config, origins, warnings } = await loadConfig({ cwd, env }).catch(error =>
			goOnWithDefaults(error, laneOf(parsed) === 'read' || isDaemonless(parsed), { cwd, env, stderr }),
		);
		for (const line of warnings) stderr.write(`${line}\n`);
		const docker = locateDocker({ configured: config.docker.path, configuredFrom: origins.get('docker.path'), self: realSelf(self), env });
		const dockerEnv = dockerEnvOf(env, docker);

		const outcome = await runPipeline(
			{ argv, parsed, lane: laneOf(parsed), hold: holdOf(parsed), docker, config, env: dockerEnv },
			steps({ env, cwd, stdout, stderr, daemonless: isDaemonless(parsed) }),
			// Parsed and guarded in the decoded form; run with the exact bytes.
			{ cwd, exact: exactBytes(argv, env) },
		);
		return outcome.exitCode;
	} catch (error) {
		stderr.write(`${formatError(error)}\n`);
		return exitCodeOf(error);
	}
}

/**
 * A broken config stops only what it protects: a read call (or one docker answers without the daemon) goes
 * on with the built-in defaults (and the environment, if that is sound) after the one-line error; any other
 * call fails closed.
 */
async function goOnWithDefaults(
	error: unknown,
	readOnly: boolean,
	{ cwd, env, stderr }: { cwd: string; env: NodeJS.ProcessEnv; stderr: Pick<NodeJS.WriteStream, 'write'> },
): Promise<LoadedConfig> {
	if (!(error instanceof ConfigError) || !readOnly) throw error;
	stderr.write(`${formatError(error)} (going on with the built-in defaults: a read-only call)\n`);
	return loadConfig({ cwd, env, skipFiles: true }).catch(() => ({ config: DEFAULTS, origins: new Map(), files: [], warnings: [] }));
}

function realSelf(self: string): string {
	try {
		return realpathSync(self);
	} catch {
		return self;
	}
}
