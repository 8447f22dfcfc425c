import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentName } from '../../src/hook/agents.js';
import { BIN, isolatedEnv, runCli, tempDir } from '../fixtures/cli.js';
import { decisionOf, PAYLOADS } from './payloads.js';

const AGENTS: AgentName[] = ['claude', 'codex', 'gemini', 'copilot', 'cursor'];
const FILES: Record<AgentName, string> = {
	claude: '.claude/settings.json',
	codex: '.codex/hooks.json',
	gemini: '.gemini/settings.json',
	copilot: '.github/hooks/safe-docker.json',
	cursor: '.cursor/hooks.json',
};

/** An environment whose PATH has `safe-docker` (the built CLI), as an installed hook needs. */
function envWithSafeDocker(): Record<string, string | undefined> {
	const bin = join(tempDir(), 'bin');
	mkdirSync(bin);
	writeFileSync(join(bin, 'safe-docker'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
	chmodSync(join(bin, 'safe-docker'), 0o755);
	const env = isolatedEnv();
	return { ...env, PATH: `${bin}${delimiter}${env.PATH}` };
}

describe.each(AGENTS)('safe-docker guard hook %s (the built CLI)', agent => {
	it('refuses named volume loss with a backup first; allows anonymous loss (warn by default) as any allowed call', async () => {
		const refused = await runCli(['guard', 'hook', agent], {
			env: isolatedEnv(),
			input: JSON.stringify(PAYLOADS[agent]('docker volume rm pgdata')),
		});
		expect(refused.exitCode).toBe(0);
		expect(decisionOf(refused.stdout)).toEqual({
			decision: 'deny',
			reason: expect.stringContaining(
				'Run instead: safe-docker guard backup pgdata, then ask the user to run (audited): SAFE_DOCKER_ALLOW_DATA_LOSS="<reason>" docker volume rm pgdata',
			),
		});
		const input = (command: string) => JSON.stringify(PAYLOADS[agent](command));
		const warned = await runCli(['guard', 'hook', agent], { env: isolatedEnv(), input: input('docker rm -v web') });
		const plain = await runCli(['guard', 'hook', agent], { env: isolatedEnv(), input: input('docker rm web') });
		expect({ stdout: warned.stdout, exitCode: warned.exitCode }).toEqual({ stdout: plain.stdout, exitCode: plain.exitCode });
	});

	it('refuses a forced call hidden in a compound command, and allows the rest', async () => {
		const refused = await runCli(['guard', 'hook', agent], {
			env: isolatedEnv(),
			input: JSON.stringify(PAYLOADS[agent]('docker ps -q --filter name=test- | xargs docker rm -f')),
		});
		expect(refused.exitCode).toBe(0);
		expect(decisionOf(refused.stdout)).toEqual({
			decision: 'deny',
			reason: expect.stringContaining('Run instead: xargs safe-docker guard remove'),
		});
		const allowed = await runCli(['guard', 'hook', agent], {
			env: isolatedEnv(),
			input: JSON.stringify(PAYLOADS[agent]('docker rm my-container-foo')),
		});
		expect(allowed).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
	});

	it('wrapper, sh -c, unknowable argv, malformed JSON and a missing field, each answered in the agent’s format', async () => {
		const cases: Array<[string, string, 'deny' | 'ask']> = [
			['wrapper', JSON.stringify(PAYLOADS[agent]('sudo -E env DOCKER_HOST=ssh://prod timeout 60 docker system prune -af')), 'deny'],
			['sh -c', JSON.stringify(PAYLOADS[agent](`sh -c 'docker volume prune -f'`)), 'deny'],
			['unknowable', JSON.stringify(PAYLOADS[agent]('docker $CMD web')), agent === 'claude' || agent === 'cursor' ? 'ask' : 'deny'],
			['malformed', '{"tool_name":', 'deny'],
			[
				'missing field',
				JSON.stringify({ ...(PAYLOADS[agent]('x') as object), tool_input: {}, toolArgs: '{}', command: undefined }),
				'deny',
			],
		];
		const results = await Promise.all(cases.map(([, input]) => runCli(['guard', 'hook', agent], { env: isolatedEnv(), input })));
		results.forEach((result, index) => {
			const [name, , expected] = cases[index]!;
			expect(result.exitCode, name).toBe(0);
			expect(result.stderr, name).toBe('');
			expect(decisionOf(result.stdout).decision, name).toBe(expected);
		});
	});

	it('--install merges into the agent’s file beside other hooks, idempotently; --test proves it blocks', async () => {
		const project = tempDir();
		const file = join(project, FILES[agent]);
		mkdirSync(join(file, '..'), { recursive: true });
		const other =
			agent === 'copilot'
				? { version: 1, hooks: { sessionStart: [{ type: 'command', bash: 'echo hi' }] } }
				: agent === 'cursor'
					? { version: 1, hooks: { afterFileEdit: [{ command: 'prettier --write' }] } }
					: { model: 'x', hooks: { PostToolUse: [{ matcher: 'Edit', hooks: [{ type: 'command', command: 'prettier --write' }] }] } };
		writeFileSync(file, JSON.stringify(other, null, 2));
		const env = envWithSafeDocker();
		const first = await runCli(['guard', 'hook', agent, '--install'], { cwd: project, env });
		expect(first.exitCode).toBe(0);
		expect(first.stdout).toContain('+ ');
		expect(first.stdout).toContain(`safe-docker guard hook ${agent}`);
		const installed = JSON.parse(readFileSync(file, 'utf8'));
		expect(installed).toMatchObject(other);
		const second = await runCli(['guard', 'hook', agent, '--install'], { cwd: project, env });
		expect(second.stdout).toMatch(/already installed in /);
		expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(installed);
		const test = await runCli(['guard', 'hook', agent, '--test'], { cwd: project, env });
		expect(test.stdout).toMatch(/the hook blocks forced docker calls\n$/);
		expect(test.exitCode).toBe(0);
	});
});

describe('guard hook: failures', () => {
	it('an oversize payload is refused unread', async () => {
		const input = JSON.stringify(PAYLOADS.claude(`echo ${'x'.repeat(2 * 1024 * 1024)}`));
		const result = await runCli(['guard', 'hook', 'claude'], { env: isolatedEnv(), input });
		expect(decisionOf(result.stdout)).toEqual({ decision: 'deny', reason: 'safe-docker: the hook input is over 1 MiB; refused unread' });
	});

	it('--test catches a hook that reads the wrong field and never blocks', async () => {
		const project = tempDir();
		mkdirSync(join(project, '.claude'));
		const wrong = { hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'cat >/dev/null' }] }] } };
		writeFileSync(join(project, '.claude', 'settings.json'), JSON.stringify(wrong));
		const result = await runCli(['guard', 'hook', 'claude', '--test'], { cwd: project, env: envWithSafeDocker() });
		expect(result.exitCode).toBe(1);
		expect(result.stdout).toContain('FAIL  docker rm -f web  → allowed (expected blocked)');
		expect(result.stdout).toMatch(/samples wrong: the hook does not protect this agent\n$/);
	});

	it('--test without a hook says how to install one; --user installs under HOME; an unknown agent is a usage error', async () => {
		const project = tempDir();
		const none = await runCli(['guard', 'hook', 'gemini', '--test'], { cwd: project, env: isolatedEnv() });
		expect(none.exitCode).toBe(1);
		expect(none.stdout).toMatch(
			/no command hook for shell commands in .*\.gemini\/settings\.json; install one with: safe-docker guard hook gemini --install/,
		);
		const env = isolatedEnv();
		const user = await runCli(['guard', 'hook', 'cursor', '--install', '--user'], { cwd: project, env });
		expect(user.exitCode).toBe(0);
		expect(JSON.parse(readFileSync(join(env.HOME!, '.cursor', 'hooks.json'), 'utf8'))).toEqual({
			version: 1,
			hooks: { beforeShellExecution: [{ command: 'safe-docker guard hook cursor' }] },
		});
		const unknown = await runCli(['guard', 'hook', 'vim'], { env: isolatedEnv(), input: '{}' });
		expect(unknown).toMatchObject({
			exitCode: 64,
			stderr: "safe-docker: unknown agent 'vim' (one of: claude, codex, gemini, copilot, cursor)\n",
		});
	});

	it('a hook file that is not JSON is never overwritten', async () => {
		const project = tempDir();
		mkdirSync(join(project, '.cursor'));
		writeFileSync(join(project, '.cursor', 'hooks.json'), '{ broken');
		const result = await runCli(['guard', 'hook', 'cursor', '--install'], { cwd: project, env: isolatedEnv() });
		expect(result.exitCode).toBe(78);
		expect(readFileSync(join(project, '.cursor', 'hooks.json'), 'utf8')).toBe('{ broken');
	});
});
