import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/defaults.js';
import { maxConcurrentOf } from '../../src/config/lane-profile.js';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';
import { isolatedEnv, runCli, tempDir } from '../fixtures/cli.js';

function project(files: Record<string, string>): { root: string; sub: string } {
	const root = tempDir('safe-docker-project-');
	for (const [name, content] of Object.entries(files)) {
		mkdirSync(join(root, name, '..'), { recursive: true });
		writeFileSync(join(root, name), content);
	}
	const sub = join(root, 'a', 'b');
	mkdirSync(sub, { recursive: true });
	return { root, sub };
}

async function loadError(options: Parameters<typeof loadConfig>[0]): Promise<string> {
	const error = await loadConfig(options).then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(ConfigError);
	return (error as ConfigError).message;
}

describe('loadConfig', () => {
	it('returns the seed defaults when nothing is configured', async () => {
		const env = isolatedEnv({ SAFE_DOCKER_BROKER_IDLE_TIMEOUT_MS: undefined });
		const { config, origins, files } = await loadConfig({ cwd: tempDir(), env, home: env['HOME'] });
		expect(config).toEqual(DEFAULTS);
		// The seed profile: 3 at once, 500 ms apart.
		expect(config.lanes.mutate).toMatchObject({ mode: 'fixed', maxConcurrent: null, minTimeMs: 500 });
		expect(maxConcurrentOf(config.lanes, 'mutate')).toBe(3);
		expect(files).toEqual([]);
		expect(new Set(origins.values())).toEqual(new Set(['default']));
	});

	it('finds guard.config.json searching up from the working directory', async () => {
		const { root, sub } = project({ 'guard.config.json': '{"lanes":{"mutate":{"maxConcurrent":5}}}' });
		const env = isolatedEnv();
		const { config, origins } = await loadConfig({ cwd: sub, env, home: env['HOME'] });
		expect(config.lanes.mutate).toMatchObject({ maxConcurrent: 5, minTimeMs: 500 });
		expect(origins.get('lanes.mutate.maxConcurrent')).toBe(join(root, 'guard.config.json'));
		expect(origins.get('lanes.mutate.minTimeMs')).toBe('default');
	});

	it.each([
		['.safe-dockerrc', 'breaker:\n  failureThreshold: 3\n'],
		['.safe-dockerrc.json', '{"breaker":{"failureThreshold":3}}'],
		['.safe-dockerrc.yaml', 'breaker: {failureThreshold: 3}\n'],
		['.safe-dockerrc.yml', 'breaker:\n  failureThreshold: 3\n'],
		['package.json', '{"name":"x","safe-docker":{"breaker":{"failureThreshold":3}}}'],
	])('reads %s', async (name, content) => {
		const { root, sub } = project({ [name]: content });
		const env = isolatedEnv();
		const { config, origins } = await loadConfig({ cwd: sub, env, home: env['HOME'] });
		expect(config.breaker.failureThreshold).toBe(3);
		expect(origins.get('breaker.failureThreshold')).toBe(join(root, name));
	});

	it('ignores a package.json without a "safe-docker" key and keeps searching up', async () => {
		const { root, sub } = project({ 'guard.config.json': '{"retry":{"retries":1}}', 'a/package.json': '{"name":"inner"}' });
		const env = isolatedEnv();
		const { origins } = await loadConfig({ cwd: sub, env, home: env['HOME'] });
		expect(origins.get('retry.retries')).toBe(join(root, 'guard.config.json'));
	});

	it('layers defaults < user file < project file < environment', async () => {
		const env = isolatedEnv({ SAFE_DOCKER_LANES_READ_MAX_CONCURRENT: '12' });
		const userDir = join(env['XDG_CONFIG_HOME']!, 'safe-docker');
		mkdirSync(userDir, { recursive: true });
		writeFileSync(
			join(userDir, 'config.json'),
			JSON.stringify({ lanes: { read: { maxConcurrent: 4, minTimeMs: 7 } }, retry: { retries: 2 } }),
		);
		const { root, sub } = project({ 'guard.config.json': JSON.stringify({ lanes: { read: { minTimeMs: 9 } } }) });
		const { config, origins, files } = await loadConfig({ cwd: sub, env, home: env['HOME'] });
		expect(config.lanes.read).toEqual({ maxConcurrent: 12, minTimeMs: 9 });
		expect(config.retry.retries).toBe(2);
		expect(origins.get('lanes.read.maxConcurrent')).toBe('env SAFE_DOCKER_LANES_READ_MAX_CONCURRENT');
		expect(origins.get('lanes.read.minTimeMs')).toBe(join(root, 'guard.config.json'));
		expect(origins.get('retry.retries')).toBe(join(userDir, 'config.json'));
		expect(files).toEqual([join(userDir, 'config.json'), join(root, 'guard.config.json')]);
	});

	it('uses the file SAFE_DOCKER_CONFIG names instead of searching', async () => {
		const { root, sub } = project({ 'guard.config.json': '{"retry":{"retries":1}}', 'other.json': '{"retry":{"retries":0}}' });
		const env = isolatedEnv({ SAFE_DOCKER_CONFIG: '../../other.json' });
		const { config, origins } = await loadConfig({ cwd: sub, env, home: env['HOME'] });
		expect(config.retry.retries).toBe(0);
		expect(origins.get('retry.retries')).toBe(join(root, 'other.json'));
	});

	it('takes SAFE_DOCKER_DOCKER as docker.path', async () => {
		const env = isolatedEnv({ SAFE_DOCKER_DOCKER: '/opt/docker' });
		const { config, origins } = await loadConfig({ cwd: tempDir(), env, home: env['HOME'] });
		expect(config.docker.path).toBe('/opt/docker');
		expect(origins.get('docker.path')).toBe('env SAFE_DOCKER_DOCKER');
	});

	it('never executes code in the working directory (cosmiconfig meta config)', async () => {
		const marker = join(tempDir(), 'executed');
		const { root } = project({
			'.config/config.js': `require('fs').writeFileSync(${JSON.stringify(marker)}, 'x'); module.exports = {};`,
			'package.json': '{"cosmiconfig":{"searchPlaces":[".config/config.js"]},"safe-docker":{"retry":{"retries":2}}}',
		});
		const env = isolatedEnv();
		const { config } = await loadConfig({ cwd: root, env, home: env['HOME'] });
		expect(config.retry.retries).toBe(2);
		expect(() => statSync(marker)).toThrow(/ENOENT/);
	});
});

describe('bad configuration: one line naming the source, the key, the value and what is allowed', () => {
	const cases: Array<[string, Record<string, string>, Record<string, string>, (root: string) => string]> = [
		[
			'malformed JSON',
			{ 'guard.config.json': '{\n  "lanes": {,\n}' },
			{},
			root => `${join(root, 'guard.config.json')}: not valid JSON at line 2, column 13: Expected property name or '}'`,
		],
		[
			'an unknown top-level key',
			{ 'guard.config.json': '{"lane":{}}' },
			{},
			root =>
				`${join(root, 'guard.config.json')}: lane: unknown key; allowed at the top level: force, dataLoss, lock, audit, docker, lanes, broker, daemon, fleet, retry, breaker, health, cleanup, remove`,
		],
		[
			'an unknown nested key',
			{ 'guard.config.json': '{"lanes":{"mutat":{}}}' },
			{},
			root => `${join(root, 'guard.config.json')}: lanes.mutat: unknown key; allowed in lanes: mutate, read, attached`,
		],
		[
			'a value out of range',
			{ 'guard.config.json': '{"lanes":{"mutate":{"maxConcurrent":0}}}' },
			{},
			root =>
				`${join(root, 'guard.config.json')}: lanes.mutate.maxConcurrent: 0 is not allowed: expected an integer from 1 to 1000, or null`,
		],
		[
			'a string where a number belongs',
			{ '.safe-dockerrc.yaml': 'retry:\n  initialDelayMs: "1s"\n' },
			{},
			root => `${join(root, '.safe-dockerrc.yaml')}: retry.initialDelayMs: "1s" is not allowed: expected an integer from 0 to 86400000`,
		],
		[
			'a value where a section belongs',
			{ 'guard.config.json': '{"breaker":5}' },
			{},
			root =>
				`${join(root, 'guard.config.json')}: breaker: 5 is not allowed: expected an object with keys failureThreshold, recoveryTimeoutMs`,
		],
		[
			'a file that is not an object',
			{ 'guard.config.json': '[1,2]' },
			{},
			root => `${join(root, 'guard.config.json')}: expected a JSON object of settings, got [1,2]`,
		],
		[
			'malformed YAML',
			{ '.safe-dockerrc.yaml': 'retry:\n  retries: [\n' },
			{},
			root => `${join(root, '.safe-dockerrc.yaml')}: cannot be read: unexpected end of the stream within a flow collection (3:1)`,
		],
		[
			'levels that do not rise',
			{ 'guard.config.json': '{"health":{"criticalPercent":40}}' },
			{},
			root =>
				`${join(root, 'guard.config.json')}: health: levels must rise: warningPercent (50) < criticalPercent (40) < emergencyPercent (90)`,
		],
		[
			'a JavaScript config',
			{ 'guard.config.js': 'module.exports = {}' },
			{},
			root =>
				`${join(root, 'guard.config.js')}: JavaScript/TypeScript config is not supported: configuration is data only (use guard.config.json, .safe-dockerrc.yaml or a "safe-docker" key in package.json)`,
		],
		[
			'an $import',
			{ 'guard.config.json': '{"$import":"x.json"}' },
			{},
			root => `${join(root, 'guard.config.json')}: $import: unknown key; config files cannot import other files`,
		],
		[
			'a bad environment value',
			{},
			{ SAFE_DOCKER_BREAKER_FAILURE_THRESHOLD: 'five' },
			() => 'SAFE_DOCKER_BREAKER_FAILURE_THRESHOLD: breaker.failureThreshold: "five" is not allowed: expected an integer from 1 to 1000',
		],
		[
			'a missing SAFE_DOCKER_CONFIG file',
			{},
			{ SAFE_DOCKER_CONFIG: '/nonexistent/guard.json' },
			() => 'SAFE_DOCKER_CONFIG: names /nonexistent/guard.json, which does not exist',
		],
	];

	it.each(cases)('%s', async (_name, files, vars, expected) => {
		const { root, sub } = project(files);
		const env = isolatedEnv(vars);
		expect(await loadError({ cwd: sub, env, home: env['HOME'] })).toBe(expected(root));
	});

	it('an unknown SAFE_DOCKER_ variable: one short warning naming the closest setting, never the internal ones', async () => {
		const env = isolatedEnv({ SAFE_DOCKER_LANES_MUTATE_MAXCONCURRENT: '5', SAFE_DOCKER_FOO: '1', SAFE_DOCKER_BROKER_TRACE: '1' });
		const { warnings, config } = await loadConfig({ cwd: tempDir(), env, home: env['HOME'] });
		expect(config.lanes).toEqual(DEFAULTS.lanes);
		expect(warnings).toEqual([
			'safe-docker: warning: SAFE_DOCKER_LANES_MUTATE_MAXCONCURRENT is not a safe-docker setting (ignored); did you mean SAFE_DOCKER_LANES_MUTATE_MAX_CONCURRENT?',
			'safe-docker: warning: SAFE_DOCKER_FOO is not a safe-docker setting (ignored); did you mean SAFE_DOCKER_HOME?',
		]);
	});

	it('a 100k-deep nested array is one line, not a stack overflow', async () => {
		const depth = 100_000;
		const { sub, root } = project({ 'guard.config.json': `{"force":{"allow":${'['.repeat(depth)}${']'.repeat(depth)}}}` });
		expect(await loadError({ cwd: sub, env: isolatedEnv(), home: root })).toMatch(
			/guard\.config\.json: force\.allow: \[\[\[…\]\]\] \(nested too deeply\) is not allowed: expected/,
		);
	});

	it('a broken package.json with a "safe-docker" key is a broken config; without one, not ours', async () => {
		const broken = project({ 'package.json': '{"name": "x", "safe-docker": {"force": {"policy": "warn"}},}' });
		expect(await loadError({ cwd: broken.sub, env: isolatedEnv(), home: broken.root })).toMatch(/package\.json: not valid JSON/);
		const other = project({ 'package.json': '{"name": "x",}' });
		expect((await loadConfig({ cwd: other.sub, env: isolatedEnv(), home: other.root })).files).toEqual([]);
	});

	it('a broken config fails closed for a guarded or limited call and guard config, in one line with exit 78, running nothing', async () => {
		const { sub } = project({ 'guard.config.json': '{"lanes":{"mutate":{"maxConcurrent":"3"}}}' });
		const log = join(tempDir(), 'log');
		const env = isolatedEnv({ SAFE_DOCKER_DOCKER: join(import.meta.dirname, '..', 'fixtures', 'bin', 'docker'), FAKE_DOCKER_LOG: log });
		for (const args of [
			['run', '-d', 'img'],
			['guard', 'config'],
		]) {
			const result = await runCli(args, { cwd: sub, env });
			expect(result.exitCode).toBe(78);
			expect(result.stdout).toBe('');
			expect(result.stderr).toMatch(
				/^safe-docker: \S+guard\.config\.json: lanes\.mutate\.maxConcurrent: "3" is not allowed: expected an integer from 1 to 1000, or null\n$/,
			);
		}
		expect(() => statSync(log)).toThrow(/ENOENT/);
	});

	it('a broken config lets a read call go on with the built-in defaults after the one-line error', async () => {
		const { sub } = project({ 'guard.config.json': '{"lanes":{"mutate":{"maxConcurrent":"3"}}' });
		const env = isolatedEnv({
			SAFE_DOCKER_DOCKER: join(import.meta.dirname, '..', 'fixtures', 'bin', 'docker'),
			FAKE_DOCKER_PRINT_ARGV: '1',
		});
		for (const args of [['ps'], ['context', 'ls'], ['--help']]) {
			const result = await runCli(args, { cwd: sub, env });
			expect(result.exitCode).toBe(0);
			expect(result.stdout).toBe(`${JSON.stringify(args)}\n`);
			expect(result.stderr).toMatch(
				/^safe-docker: \S+guard\.config\.json: not valid JSON.* \(going on with the built-in defaults: a read-only call\)\n$/,
			);
		}
	});

	it('an unknown variable warns once and the call runs', async () => {
		const env = isolatedEnv({
			SAFE_DOCKER_DOCKER: join(import.meta.dirname, '..', 'fixtures', 'bin', 'docker'),
			FAKE_DOCKER_PRINT_ARGV: '1',
			SAFE_DOCKER_FOO: '1',
		});
		const result = await runCli(['ps'], { env });
		expect(result.exitCode).toBe(0);
		expect(result.stderr).toBe(
			'safe-docker: warning: SAFE_DOCKER_FOO is not a safe-docker setting (ignored); did you mean SAFE_DOCKER_HOME?\n',
		);
	});
});

describe('guard config', () => {
	it('prints every key with its value and origin', async () => {
		const { root, sub } = project({ 'guard.config.json': '{"remove":{"stopTimeoutSeconds":30}}' });
		const env = isolatedEnv({ SAFE_DOCKER_RETRY_RETRIES: '1' });
		const result = await runCli(['guard', 'config'], { cwd: sub, env });
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toMatch(new RegExp(`remove\\.stopTimeoutSeconds\\s+30\\s+${join(root, 'guard.config.json')}\\n`));
		expect(result.stdout).toMatch(/retry\.retries\s+1\s+env SAFE_DOCKER_RETRY_RETRIES\n/);
		expect(result.stdout).toMatch(/lanes\.mutate\.minTimeMs\s+500\s+default\n/);
	});

	it('never prints the credentials of the fleet Redis URL, in text, in --json or in an error', async () => {
		const env = isolatedEnv({ SAFE_DOCKER_FLEET_REDIS: 'redis://ops:hunter2@redis.internal:6379/1' });
		const text = await runCli(['guard', 'config'], { cwd: tempDir(), env });
		expect(text.stdout).toMatch(/fleet\.redis\s+"redis:\/\/\*\*\*@redis\.internal:6379\/1"\s+env SAFE_DOCKER_FLEET_REDIS\n/);
		const json = await runCli(['guard', 'config', '--json'], { cwd: tempDir(), env });
		expect(JSON.parse(json.stdout).config.fleet.redis).toBe('redis://***@redis.internal:6379/1');
		expect(text.stdout + json.stdout).not.toContain('hunter2');
		const bad = await loadError({ cwd: tempDir(), env: isolatedEnv({ SAFE_DOCKER_FLEET_REDIS: 'http://ops:hunter2@redis.internal' }) });
		expect(bad).toBe(
			'SAFE_DOCKER_FLEET_REDIS: fleet.redis: "http://***@redis.internal" is not allowed: expected a redis:// or rediss:// URL, or null',
		);
	});

	it('--json gives the config, the sources, the state dir and the docker in use', async () => {
		const env = isolatedEnv({ SAFE_DOCKER_HOME: join(tempDir(), 'state'), SAFE_DOCKER_BROKER_IDLE_TIMEOUT_MS: undefined });
		const result = await runCli(['guard', 'config', '--json'], { cwd: tempDir(), env });
		expect(result.exitCode).toBe(0);
		const json = JSON.parse(result.stdout);
		expect(json.config).toEqual(DEFAULTS);
		expect(json.sources['breaker.failureThreshold']).toBe('default');
		expect(json.stateDir).toEqual({ path: env['SAFE_DOCKER_HOME'], source: 'env SAFE_DOCKER_HOME' });
		expect(statSync(env['SAFE_DOCKER_HOME']!).mode & 0o777).toBe(0o700);
	});

	it('an unusable state directory is one line and exit 73', async () => {
		const file = join(tempDir(), 'a-file');
		writeFileSync(file, '');
		const env = isolatedEnv({ SAFE_DOCKER_HOME: join(file, 'state') });
		const result = await runCli(['guard', 'config'], { cwd: tempDir(), env });
		expect(result.exitCode).toBe(73);
		expect(result.stderr).toBe(
			`safe-docker: state directory ${join(file, 'state')}: cannot create it (ENOTDIR); set SAFE_DOCKER_HOME to a writable directory\n`,
		);
	});

	it('tightens a state directory that others can read to 0700', async () => {
		const dir = join(tempDir(), 'state');
		mkdirSync(dir, { mode: 0o755 });
		chmodSync(dir, 0o755);
		const result = await runCli(['guard', 'config'], { cwd: tempDir(), env: isolatedEnv({ SAFE_DOCKER_HOME: dir }) });
		expect(result.exitCode).toBe(0);
		expect(statSync(dir).mode & 0o777).toBe(0o700);
	});
});

describe('guard.config.example.json', () => {
	it('sets every key to its default and passes validation', async () => {
		const example = join(import.meta.dirname, '..', '..', 'guard.config.example.json');
		const env = isolatedEnv({ SAFE_DOCKER_CONFIG: example, SAFE_DOCKER_BROKER_IDLE_TIMEOUT_MS: undefined });
		const { config, origins } = await loadConfig({ cwd: tempDir(), env, home: env['HOME'] });
		expect(config).toEqual(DEFAULTS);
		expect(new Set(origins.values())).toEqual(new Set([example]));
	});
});
