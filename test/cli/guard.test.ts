import { describe, expect, it } from 'vitest';
import { isolatedEnv, runCli } from '../fixtures/cli.js';

describe('safe-docker guard', () => {
	it('--help lists the commands and exits 0', async () => {
		const result = await runCli(['guard', '--help'], { env: isolatedEnv() });
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toMatch(/^Usage: safe-docker guard \[options\] \[command\]/);
		expect(result.stdout).toMatch(/\n {2}config \[options\]/);
	});

	it('every command it lists has --help, with its own usage line', async () => {
		const env = isolatedEnv();
		const help = await runCli(['guard', '--help'], { env });
		const commands = [...help.stdout.split('Commands:')[1]!.matchAll(/^ {2}([a-z]+)\b/gm)]
			.map(match => match[1]!)
			.filter(name => name !== 'help');
		expect(commands).toEqual(
			expect.arrayContaining(['check', 'scan', 'remove', 'audit', 'lock', 'unlock', 'cleanup', 'health', 'stats', 'broker', 'config']),
		);
		for (const command of commands) {
			const result = await runCli(['guard', command, '--help'], { env });
			expect(result.exitCode, command).toBe(0);
			expect(result.stdout, command).toMatch(new RegExp(`^Usage: safe-docker guard ${command} `));
		}
	});

	it.each([
		[['guard', 'nosuch'], "safe-docker: unknown command 'nosuch' (see safe-docker guard --help)\n"],
		[['guard', 'config', '--bogus'], "safe-docker: unknown option '--bogus' (see safe-docker guard --help)\n"],
	])('%j is one line on stderr and exit 64', async (args, line) => {
		const result = await runCli(args, { env: isolatedEnv() });
		expect(result.exitCode).toBe(64);
		expect(result.stderr).toBe(line);
	});
});
