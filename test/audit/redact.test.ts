import { describe, expect, it } from 'vitest';
import { redactArgv, redactText } from '../../src/audit/redact.js';
import { parseDockerArgv } from '../../src/docker-grammar/parse.js';

const redact = (argv: string[]) => redactArgv(parseDockerArgv(argv));

describe('audit redaction', () => {
	it.each([
		[
			['run', '-e', 'DB_PASSWORD=hunter2', 'alpine'],
			['run', '-e', 'DB_PASSWORD=***', 'alpine'],
		],
		[
			['run', '-e', 'PLAIN=visible', 'alpine'],
			['run', '-e', 'PLAIN=***', 'alpine'],
		],
		[
			['run', '--env=API_TOKEN=abc', 'alpine'],
			['run', '--env=API_TOKEN=***', 'alpine'],
		],
		[
			['run', '-eSECRET=abc', 'alpine'],
			['run', '-eSECRET=***', 'alpine'],
		],
		[
			['run', '-ite', 'X=1', 'alpine', 'sh'],
			['run', '-ite', 'X=***', 'alpine', 'sh'],
		],
		[
			['run', '-e', 'HOME', 'alpine'],
			['run', '-e', 'HOME', 'alpine'],
		],
		[
			['exec', '-e', 'TOKEN=t', 'web', 'env'],
			['exec', '-e', 'TOKEN=***', 'web', 'env'],
		],
		[
			['build', '--build-arg', 'NPM_TOKEN=abc', '.'],
			['build', '--build-arg', 'NPM_TOKEN=***', '.'],
		],
		[
			['build', '--secret', 'id=npm,src=/home/me/.npmrc', '.'],
			['build', '--secret', 'id=***', '.'],
		],
		[
			['login', '-u', 'me', '-p', 'hunter2', 'registry.example.com'],
			['login', '-u', 'me', '-p', '***', 'registry.example.com'],
		],
		[
			['login', '--password=hunter2', 'r'],
			['login', '--password=***', 'r'],
		],
		[
			['compose', 'run', '-e', 'AWS_SECRET_ACCESS_KEY=k', 'web'],
			['compose', 'run', '-e', 'AWS_SECRET_ACCESS_KEY=***', 'web'],
		],
		[
			['run', 'alpine', 'env', 'GITHUB_TOKEN=ghp_x', 'sh'],
			['run', 'alpine', 'env', 'GITHUB_TOKEN=***', 'sh'],
		],
		[
			['rm', '-f', 'PRIVATE_KEY=abc'],
			['rm', '-f', 'PRIVATE_KEY=***'],
		],
		[
			['pull', 'https://user:pa55@registry.example.com/app'],
			['pull', 'https://user:***@registry.example.com/app'],
		],
		[
			['service', 'create', '--env', 'PASSWD=x', 'alpine'],
			['service', 'create', '--env', 'PASSWD=***', 'alpine'],
		],
		[
			['run', '-l', 'auth_token=x', '-l', 'team=web', 'alpine'],
			['run', '-l', 'auth_token=***', '-l', 'team=web', 'alpine'],
		],
	])('%j', (argv, expected) => {
		expect(redact(argv)).toEqual(expected);
	});

	it('never lets a secret through for any of these flags, whatever the spelling', () => {
		for (const argv of [
			['run', '--env', 'A=s3cr3t', 'x'],
			['run', '-e=A=s3cr3t', 'x'],
			['create', '-e', 'A=s3cr3t', 'x'],
			['buildx', 'build', '--build-arg', 'A=s3cr3t', '.'],
			['login', '--password', 's3cr3t'],
		]) {
			expect(redact(argv).join(' '), argv.join(' ')).not.toContain('s3cr3t');
		}
	});
});

describe('redaction cost', () => {
	it('is linear on a long word: every call label passes through it', () => {
		const started = performance.now();
		redactText(`${'x'.repeat(200_000)} ${'a'.repeat(50_000)}://u:p@h`);
		// Quadratic backtracking took minutes here (22 s of CPU in one test run); a linear pass takes milliseconds.
		expect(performance.now() - started).toBeLessThan(10_000); // minutes when quadratic; seconds of stall on a loaded machine allowed
	});
});

describe('redactText', () => {
	it.each([
		['label=API_KEY=s3cr3t', 'label=API_KEY=***'],
		['ghp_abcdefghijklmnopqrstuvwxyz0123', '***'],
		['https://hooks.slack.com/services/T000/B000/XXXX', 'https://hooks.slack.com/services/***'],
		['AKIAABCDEFGHIJKLMNOP', '***'],
		['git+ssh://me:secret@host/repo', 'git+ssh://me:***@host/repo'],
		['because ghp_aaaaaaaaaaaaaaaaaaaaaaaa leaked', 'because *** leaked'],
		['label=com.example.tier=1', 'label=com.example.tier=1'],
		['FOO=bar', 'FOO=bar'],
	])('%s → %s', (text, shown) => {
		expect(redactText(text)).toBe(shown);
	});
});
