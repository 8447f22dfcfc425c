import { homedir } from 'node:os';
import { DEFAULTS } from '../config/defaults.js';
import { stateDir } from '../config/paths.js';
import { UsageError } from '../errors.js';
import { AGENTS, type AgentName, hookCommandLine } from '../hook/agents.js';
import { type HookScope, hookFile, installHook, lineDiff } from '../hook/install.js';
import { readInput } from '../hook/read-input.js';
import { runHook } from '../hook/run-hook.js';
import { selfTest } from '../hook/self-test.js';
import type { CommandContext, CommandIO } from './context.js';

export interface HookOptions {
	readonly install?: boolean;
	readonly test?: boolean;
	readonly project?: boolean;
	readonly user?: boolean;
}

/**
 * `safe-docker guard hook <agent>`: the agent's pre-execution hook (its JSON on stdin, its answer on
 * stdout), or with `--install` / `--test` the set-up and the proof that it blocks.
 */
export async function hookCommand(
	agent: string,
	options: HookOptions,
	context: CommandContext,
	// For testing
	stdin: AsyncIterable<Buffer | string> = process.stdin,
): Promise<number> {
	const contract = AGENTS[agent as AgentName];
	if (!contract) throw new UsageError(`unknown agent '${agent}' (one of: ${Object.keys(AGENTS).join(', ')})`);
	if (options.install || options.test) {
		if (options.install && options.test) throw new UsageError('--install and --test are separate steps: install first, then test');
		const scope: HookScope = options.user ? 'user' : 'project';
		const file = hookFile(contract, scope, { cwd: context.cwd, home: context.env.HOME ?? homedir() });
		if (file === undefined) throw new UsageError(`${contract.title} reads no ${scope}-wide hook file safe-docker knows; use --project`);
		return options.install ? install(contract, file, context) : test(contract, file, context);
	}
	const input = await readInput(stdin);
	let { force, dataLoss } = DEFAULTS;
	// Most commands an agent runs name no container engine: judged with the defaults, without reading config files.
	if ('tooLarge' in input || /docker|podman|nerdctl/.test(input.text))
		try {
			({ force, dataLoss } = (await context.loaded()).config);
		} catch {
			// A config that cannot be read must not open the gate: judge with the defaults (reject).
		}
	// Never a daemon: the API version is DOCKER_API_VERSION or the cached negotiated one, else unknown.
	const loss = { policy: dataLoss, cwd: context.cwd, stateDir: stateDir(context.env) };
	const answer = runHook(contract, input, force, context.env, loss);
	context.stdout.write(answer.stdout);
	return answer.exitCode;
}

function install(contract: (typeof AGENTS)[AgentName], file: string, { stdout }: CommandIO): number {
	const { before, after, changed } = installHook(contract, file, hookCommandLine(contract.name));
	if (!changed) {
		stdout.write(`${contract.title}: already installed in ${file}\n`);
		return 0;
	}
	stdout.write(`${file}\n${lineDiff(before, after).join('\n')}\n`);
	stdout.write(
		`${contract.title}: installed \`${hookCommandLine(contract.name)}\` (safe-docker must be on PATH). Check it with: safe-docker guard hook ${contract.name} --test\n`,
	);
	return 0;
}

function test(contract: (typeof AGENTS)[AgentName], file: string, { cwd, env, stdout }: CommandIO): number {
	const { commands, results } = selfTest(contract, file, cwd, env);
	if (commands.length === 0) {
		stdout.write(
			`${contract.title}: no command hook for shell commands in ${file}; install one with: safe-docker guard hook ${contract.name} --install\n`,
		);
		return 1;
	}
	stdout.write(
		`${contract.title}: ${commands.length} hook command${commands.length === 1 ? '' : 's'} in ${file}: ${commands.join(', ')}\n`,
	);
	for (const result of results)
		stdout.write(
			`${result.got === result.expected ? 'ok  ' : 'FAIL'}  ${result.command}  → ${result.got} (expected ${result.expected})${result.detail ? `  ${result.detail}` : ''}\n`,
		);
	const failed = results.filter(result => result.got !== result.expected).length;
	stdout.write(
		failed === 0
			? 'the hook blocks forced docker calls\n'
			: `${failed} of ${results.length} samples wrong: the hook does not protect this agent\n`,
	);
	return failed === 0 ? 0 : 1;
}
