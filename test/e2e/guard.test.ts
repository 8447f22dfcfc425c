// The guard through the real CLI: a fake docker records whether it was called.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAudit } from '../../src/audit/audit-log.js';
import { type CliResult, FAKE_DOCKER, isolatedEnv, runCli, runProxied, tempDir } from '../fixtures/cli.js';
import { forceCorpus } from '../fixtures/corpus.js';

const corpus = forceCorpus();

/** pflag cases from shared/research/docker-flags.md §5 whose verdict docker itself gives (force or not). */
const pflagCases: Array<[string, boolean]> = [
	['image prune -af', true],
	['image prune -fa', true],
	['rm -fv x', true],
	['rm -vlf x', true],
	['container prune --force', true],
	['container prune --force=true', true],
	['container prune --force=1', true],
	['container prune --force=T', true],
	['container prune --force=True', true],
	['container prune --force=false', false],
	['container prune --force=0', false],
	['container prune -f=false', false],
	['container prune -f=0', false],
	['image prune -af=false', false],
	['container prune -f --force=false', false],
	['container prune --force=false -f', true],
	['rm x --force false', true],
	['rm x -f', true],
	['rm x -- -f', false],
	['-- container prune -f', true],
	['--host -f container prune', false],
	['--context default container prune -f', true],
	['-Dl debug container prune -f', true],
	['run alpine rm -f /x', false],
	['exec c rm -rf /tmp', false],
	['run -e -f alpine', false],
	['run --name -f alpine', false],
	['compose -f a.yml rm -f', true],
	['compose -p rm rm -f', true],
	['builder prune -f', true],
	['remove -f x', true],
	['compose up --force-recreate', false],
	['build --force-rm .', false],
	['swarm init --force-new-cluster', false],
	['logs -f web', false],
	['build -f Dockerfile .', false],
	['ps -f status=exited', false],
	['inspect -f {{.Id}} x', false],
	['version -f {{.Server.Version}}', false],
	['container prune -hf', false],
];

/** The force guard alone: the data-loss guard (test/e2e/data-loss.test.ts) lets everything through. */
const FORCE_ONLY = { SAFE_DOCKER_DATA_LOSS_NAMED: 'allow', SAFE_DOCKER_DATA_LOSS_ANONYMOUS: 'allow' };

async function inBatches<T, R>(items: readonly T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
	const results: R[] = [];
	for (let i = 0; i < items.length; i += size) results.push(...(await Promise.all(items.slice(i, i + size).map(run))));
	return results;
}

async function proxied(
	argv: readonly string[],
	extra: Record<string, string> = {},
	cwd?: string,
): Promise<CliResult & { ran: boolean; log: string; home: string }> {
	const result = await runProxied(argv, extra, cwd);
	return { ...result, ran: result.calls.length > 0 };
}

/** The audit log's entries, each with the exit code its completion line (written after the call ran) gave it. */
const auditOf = (home: string) => readAudit(home);

describe('the runtime guard on real command lines', () => {
	it(`classifies every line of the force corpus (${corpus.length}) correctly: 100 % recall, no false positives`, async () => {
		const results = await inBatches(corpus, 8, async entry => ({ entry, result: await proxied(entry.argv, FORCE_ONLY) }));
		const wrong = results
			.filter(({ entry, result }) => result.ran === entry.force || (entry.force && result.exitCode !== 77))
			.map(({ entry }) => `${entry.force ? 'missed' : 'false positive'}: ${entry.cmd}`);
		expect(wrong).toEqual([]);
		expect(results.filter(({ entry }) => entry.force).length).toBeGreaterThan(50);
	}, 240_000);

	it('classifies the pflag edge cases as docker parses them', async () => {
		const results = await inBatches(pflagCases, 8, async ([line, force]) => ({
			line,
			force,
			result: await proxied(line.split(' '), FORCE_ONLY),
		}));
		expect(results.filter(({ force, result }) => result.ran === force).map(({ line }) => line)).toEqual([]);
	}, 120_000);
});

describe('rejection', () => {
	it('names the flag and command, the risk and the safe command; runs nothing; exit 77; audited with mode 0600', async () => {
		const result = await proxied(['rm', '-f', 'web']);
		expect(result.ran).toBe(false);
		expect(result.exitCode).toBe(77);
		expect(result.stdout).toBe('');
		expect(result.stderr).toBe(
			[
				'safe-docker: refused `docker rm -f web`: -f (--force) on container rm',
				'  risk: kills a running container with SIGKILL; its work and logs are lost',
				'  instead: safe-docker guard remove web',
				'  (to force it once anyway, audited: SAFE_DOCKER_ALLOW_FORCE="<reason>" docker rm -f web)',
				'',
			].join('\n'),
		);
		expect(statSync(join(result.home, 'audit.log')).mode & 0o777).toBe(0o600);
		expect(auditOf(result.home)).toEqual([
			expect.objectContaining({
				argv: ['rm', '-f', 'web'],
				command: 'container rm',
				flag: '-f',
				decision: 'rejected',
				policy: 'reject',
				exitCode: 77,
			}),
		]);
	});

	it('offers safe-docker cleanup, as a dry run with the matching options, for a prune', async () => {
		const result = await proxied(['system', 'prune', '-af', '--volumes']);
		expect(result.stderr).toContain('  instead: safe-docker cleanup --dry-run --images --volumes\n');
	});

	it('offers the command without force where there is no safe rewrite', async () => {
		const result = await proxied(['rmi', '-f', 'app:test']);
		expect(result.stderr).toContain('  instead: docker rmi app:test\n');
	});
});

describe('policies and overrides', () => {
	it("warn: runs it, with the warning on stderr, and audits it with docker's exit code", async () => {
		const result = await proxied(['image', 'prune', '-f'], { SAFE_DOCKER_FORCE_POLICY: 'warn', FAKE_DOCKER_EXIT: '3' });
		expect(result.ran).toBe(true);
		expect(result.exitCode).toBe(3);
		expect(result.stderr).toMatch(
			/^safe-docker: warning: `docker image prune -f` uses -f \(--force\) on image prune; running it anyway \(force.policy = warn\)\n/,
		);
		expect(auditOf(result.home)).toEqual([expect.objectContaining({ decision: 'warned', exitCode: 3, policy: 'warn' })]);
	});

	it('force.allow lets a listed command through, silently, audited', async () => {
		const dir = tempDir();
		writeFileSync(join(dir, 'guard.config.json'), JSON.stringify({ force: { allow: ['network rm'] } }));
		const allowed = await proxied(['network', 'remove', '-f', 'n'], {}, dir);
		expect(allowed.ran).toBe(true);
		expect(allowed.stderr).toBe('');
		expect(auditOf(allowed.home)).toEqual([expect.objectContaining({ decision: 'allowed-by-config', command: 'network rm', exitCode: 0 })]);
		expect((await proxied(['rm', '-f', 'web'], {}, dir)).ran).toBe(false);
	});

	it('rejects an unknown command in force.allow, naming the allowed ones', async () => {
		const dir = tempDir();
		writeFileSync(join(dir, 'guard.config.json'), JSON.stringify({ force: { allow: ['ps'] } }));
		const result = await proxied(['run', '-d', 'img'], {}, dir);
		expect(result.exitCode).toBe(78);
		expect(result.stderr).toMatch(
			/force\.allow: "ps" is not allowed: expected a list of command paths from: container rm, container prune, /,
		);
	});

	it('the escape hatch allows one call, says so, audits the reason, and does not pass it on to docker', async () => {
		const result = await proxied(['rm', '-f', 'web'], { SAFE_DOCKER_ALLOW_FORCE: 'stuck container, ticket 42' });
		expect(result.ran).toBe(true);
		expect(result.stderr).toBe(
			'safe-docker: force allowed once by SAFE_DOCKER_ALLOW_FORCE (reason: stuck container, ticket 42); this is audited\n',
		);
		expect(JSON.parse(readFileSync(result.log, 'utf8')).allowForce).toBeNull();
		expect(auditOf(result.home)).toEqual([
			expect.objectContaining({ decision: 'escape-hatch', reason: 'stuck container, ticket 42', exitCode: 0 }),
		]);
	});

	it('an unwritable audit log stops a forced call from running (fail closed)', async () => {
		const file = join(tempDir(), 'not-a-dir');
		writeFileSync(file, '');
		const result = await proxied(['rm', '-f', 'web'], { SAFE_DOCKER_ALLOW_FORCE: 'x', SAFE_DOCKER_HOME: join(file, 'state') });
		expect(result.ran).toBe(false);
		expect(result.exitCode).toBe(73);
	});
});

describe('guard check', () => {
	it.each([
		[['--', 'rm', '-f', 'web'], 77, 'reject: docker rm -f web uses -f (--force) on container rm\n'],
		[['--', 'logs', '-f', 'web'], 0, 'allow: docker logs -f web (container logs, lane attached, slot held for the start-up lease)\n'],
		[
			['--', 'run', '--rm', 'alpine', 'true'],
			0,
			'allow: docker run --rm alpine true (container run, lane mutate, slot held for the start-up lease)\n',
		],
		[['ps', '-a'], 0, 'allow: docker ps -a (container ls, lane read)\n'],
	])('%j → exit %i', async (args, code, first) => {
		const result = await runCli(['guard', 'check', ...args], { env: isolatedEnv() });
		expect(result.exitCode).toBe(code);
		expect(`${result.stdout.split('\n')[0]!}\n`).toBe(first);
	});

	it('--json gives command path, lane, flag, reason and alternative', async () => {
		const result = await runCli(['guard', 'check', '--json', '--', 'compose', '-f', 'a.yml', 'rm', '-f'], { env: isolatedEnv() });
		expect(result.exitCode).toBe(77);
		expect(JSON.parse(result.stdout)).toEqual({
			argv: ['compose', '-f', 'a.yml', 'rm', '-f'],
			command: 'compose rm',
			lane: 'mutate',
			hold: 'call',
			decision: 'reject',
			force: 'reject',
			policy: 'reject',
			flag: '-f',
			reason: 'deletes without asking for confirmation: the service containers',
			alternative: 'docker compose -f a.yml rm',
			loss: {
				class: 'none',
				flag: null,
				volumes: null,
				apiVersion: null,
				decision: 'allow',
				policy: null,
				reason: null,
				alternative: null,
			},
		});
	});

	it('runs nothing', async () => {
		const log = join(tempDir(), 'log');
		await runCli(['guard', 'check', '--', 'ps'], { env: isolatedEnv({ SAFE_DOCKER_DOCKER: FAKE_DOCKER, FAKE_DOCKER_LOG: log }) });
		expect(existsSync(log)).toBe(false);
	});
});

describe('guard audit', () => {
	it('lists entries, filters with --since, prints --json', async () => {
		const home = join(tempDir(), 'state');
		const env = isolatedEnv({ SAFE_DOCKER_DOCKER: FAKE_DOCKER, SAFE_DOCKER_HOME: home });
		await runCli(['rm', '-f', 'a'], { env });
		await runCli(['rmi', '--force', 'img'], { env });
		const text = await runCli(['guard', 'audit'], { env });
		expect(text.stdout.trim().split('\n')).toHaveLength(2);
		expect(text.stdout).toMatch(/ {2}rejected +\S+@\S+ {2}exit 77 {2}docker rmi --force img\n$/);
		// Columns line up whatever the width of the decision and the exit code.
		await runCli(['rm', '-f', 'c'], { env: { ...env, SAFE_DOCKER_ALLOW_FORCE: 'cleanup job' } });
		const lines = (await runCli(['guard', 'audit'], { env })).stdout.trim().split('\n');
		expect(lines).toHaveLength(3);
		for (const column of [/ (rejected|escape-hatch)/, / exit /, / docker /])
			expect(new Set(lines.map(line => line.search(column))).size, String(column)).toBe(1);
		const json = await runCli(['guard', 'audit', '--json', '--since', '1h'], { env });
		expect(JSON.parse(json.stdout).map((entry: { command: string }) => entry.command)).toEqual([
			'container rm',
			'image rm',
			'container rm',
		]);
		const future = await runCli(['guard', 'audit', '--json', '--since', '2999-01-01'], { env });
		expect(JSON.parse(future.stdout)).toEqual([]);
		const bad = await runCli(['guard', 'audit', '--since', 'yesterday'], { env });
		expect(bad.exitCode).toBe(64);
		expect(bad.stderr).toBe('safe-docker: --since "yesterday" is not a duration (30m, 24h, 7d) or a date (2026-11-22, ISO 8601)\n');
	});

	it('rotates at audit.maxBytes, keeping one rotated file', async () => {
		const home = join(tempDir(), 'state');
		const env = isolatedEnv({ SAFE_DOCKER_DOCKER: FAKE_DOCKER, SAFE_DOCKER_HOME: home, SAFE_DOCKER_AUDIT_MAX_BYTES: '10000' });
		await inBatches(
			Array.from({ length: 40 }, (_, i) => i),
			8,
			i => runCli(['rm', '-f', `container-${i}-${'x'.repeat(200)}`], { env }),
		);
		// Approximately capped: a writer that finds another process rotating appends its line and moves on,
		// so a file may end a few lines (~400 bytes each) past the cap; 40 unrotated lines would be ~16 kB.
		expect(statSync(join(home, 'audit.log')).size).toBeLessThanOrEqual(10_000 + 3_000);
		expect(statSync(join(home, 'audit.log.1')).size).toBeLessThanOrEqual(10_000 + 3_000);
		expect(statSync(join(home, 'audit.log.1')).mode & 0o777).toBe(0o600);
		const entries = (await runCli(['guard', 'audit', '--json', '--limit', '1000'], { env })).stdout;
		expect(JSON.parse(entries).length).toBeGreaterThan(10);
	}, 120_000);
});
