import { describe, expect, it } from 'vitest';
import { isolatedEnv, runCli } from '../fixtures/cli.js';

describe('safe-docker guard', () => {
	it('--help lists the commands and exits 0', async () => {
		const result = await runCli(['guard', '--help'], { env: isolatedEnv() });
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toMatch(/^Usage: safe-docker guard \[options\] \[command\]/);
		expect(result.stdout).toMatch(/\n {2}config \[options\]/);
	});

	it('every command has --help', async () => {
		const result = await runCli(['guard', 'config', '--help'], { env: isolatedEnv() });
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toMatch(/^Usage: safe-docker guard config \[options\]/);
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
