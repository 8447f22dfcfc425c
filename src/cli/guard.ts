import { Command, CommanderError } from 'commander';
import { exitCodeOf, formatError } from '../errors.js';
import { VERSION } from '../version.js';
import { configCommand } from '../commands/config.js';

export interface GuardContext {
	readonly env: NodeJS.ProcessEnv;
	readonly cwd: string;
	/** Path of the running safe-docker entry point. */
	readonly self: string;
	readonly stdout: Pick<NodeJS.WriteStream, 'write'>;
	readonly stderr: Pick<NodeJS.WriteStream, 'write'>;
}

/** `safe-docker guard …`: safe-docker's own commands. Resolves to the exit code. */
export async function runGuard(argv: readonly string[], context: GuardContext): Promise<number> {
	let exitCode = 0;
	const program = new Command('safe-docker guard')
		.description('safe-docker\'s own commands. Any other `safe-docker <args>` runs docker with those args.')
		.version(VERSION, '-V, --version', 'print safe-docker\'s version')
		.configureOutput({
			writeOut: text => context.stdout.write(text),
			writeErr: text => context.stderr.write(text),
			// One line, like every other safe-docker error.
			outputError: (text, write) => write(`safe-docker: ${text.replace(/^error: /, '').trim()} (see safe-docker guard --help)\n`),
		})
		.exitOverride();

	program
		.command('config')
		.description('print the effective configuration and where each value came from')
		.option('--json', 'print it as JSON')
		.action(async (options: { json?: boolean }) => {
			exitCode = await configCommand(options, context);
		});

	try {
		await program.parseAsync([...argv], { from: 'user' });
		return exitCode;
	} catch (error) {
		if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 64;
		context.stderr.write(`${formatError(error)}\n`);
		return exitCodeOf(error);
	}
}
