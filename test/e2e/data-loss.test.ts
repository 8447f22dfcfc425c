// The data-loss guard: the corpus through `guard check`, the proxy's refusals, warnings and overrides (with
// the fake docker), and on the real engine: each class destroys what we say it does, and a refused call
// destroys nothing.
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { readAudit } from '../../src/audit/audit-log.js';
import { main } from '../../src/main.js';
import { type CliResult, FAKE_DOCKER, isolatedEnv, runCli, runProxied, tempDir } from '../fixtures/cli.js';
import { datalossCorpus } from '../fixtures/corpus.js';
import { requireEngine, TEST_IMAGE } from '../fixtures/engine.js';

const engine = await requireEngine();

/** `guard check --json` in this process (the same judges the proxy uses; no daemon is asked). */
async function check(argv: readonly string[], env: Record<string, string | undefined>) {
	let stdout = '';
	const sink = {
		write: (text: string) => {
			stdout += text;
			return true;
		},
	};
	const exitCode = await main(['guard', 'check', '--json', '--', ...argv], { env, cwd: tempDir(), stdout: sink, stderr: sink });
	return { exitCode, json: JSON.parse(stdout) as { decision: string; loss: { class: string; apiVersion: string | null } } };
}

describe('the data-loss corpus through guard check', () => {
	const corpus = datalossCorpus();

	it(`gives every line (${corpus.length}) its class and exit code, on API 1.42 and on 1.41`, async () => {
		const wrong: string[] = [];
		for (const api of ['1.42', '1.41']) {
			const env = isolatedEnv({ DOCKER_API_VERSION: api });
			for (const entry of corpus) {
				const prune = /^(volume|system) prune/.test(entry.argv.join(' '));
				const loss = api === '1.41' && prune && entry.loss === 'anonymous' ? 'named' : entry.loss;
				const { exitCode, json } = await check(entry.argv, env);
				const expected = entry.force || loss === 'named' ? 77 : 0;
				if (json.loss.class !== loss || exitCode !== expected || json.loss.apiVersion !== api) {
					wrong.push(`${api} ${entry.cmd}: ${json.loss.class}/${exitCode}, expected ${loss}/${expected}`);
				}
			}
		}
		expect(wrong).toEqual([]);
	}, 120_000);
});

async function proxied(argv: readonly string[], extra: Record<string, string> = {}, cwd?: string) {
	const result = await runProxied(argv, extra, cwd);
	return { ...result, ran: result.calls.some(call => call.argv[0] !== 'version'), audit: auditOf(result.home) };
}

/** The audit log's entries, each with the exit code its completion line gave it. */
const auditOf = (home: string) => (existsSync(join(home, 'audit.log')) ? readAudit(home) : []);

describe('the proxy refuses named-volume loss, warns about anonymous', () => {
	it('volume rm: refused, nothing runs, exit 77, the backup offered, audited by class', async () => {
		const result = await proxied(['volume', 'rm', 'pgdata']);
		expect(result.ran).toBe(false);
		expect(result.exitCode).toBe(77);
		expect(result.stderr).toBe(
			[
				'safe-docker: refused `docker volume rm pgdata`: volume rm destroys named volumes: pgdata',
				'  risk: removes the named volumes and all their data',
				'  instead: safe-docker guard backup pgdata   (a verified backup first)',
				'  then, audited: SAFE_DOCKER_ALLOW_DATA_LOSS="<reason>" docker volume rm pgdata',
				'',
			].join('\n'),
		);
		expect(result.audit).toEqual([
			expect.objectContaining({ guard: 'data-loss', loss: 'named', decision: 'rejected', volumes: ['pgdata'], exitCode: 77 }),
		]);
	});

	it('compose down -v: names the volumes of the compose file and offers compose down', async () => {
		const dir = join(tempDir(), 'Shop');
		await execa('mkdir', ['-p', dir]);
		writeFileSync(join(dir, 'compose.yaml'), 'volumes:\n  db: {}\n  shared: { external: true }\n');
		const result = await proxied(['compose', 'down', '-v'], {}, dir);
		expect(result.exitCode).toBe(77);
		expect(result.stderr.split('\n').slice(0, 3)).toEqual([
			'safe-docker: refused `docker compose down -v`: -v on compose down destroys named volumes: shop_db',
			"  risk: removes the project's named volumes (all but external ones) and anonymous volumes",
			'  instead: docker compose down   (keeps the volumes)',
		]);
	});

	it('rm -v: runs, with a warning and the way that keeps the volumes; audited as warned', async () => {
		const result = await proxied(['rm', '-v', 'web']);
		expect(result.ran).toBe(true);
		expect(result.exitCode).toBe(0);
		expect(result.stderr).toBe(
			[
				'safe-docker: warning: `docker rm -v web` destroys anonymous volumes (-v); running it (dataLoss.anonymous = warn)',
				"  risk: removes the containers' anonymous volumes",
				'  instead: docker rm web   (keeps the volumes)',
				'',
			].join('\n'),
		);
		expect(result.audit).toEqual([expect.objectContaining({ guard: 'data-loss', loss: 'anonymous', decision: 'warned', flag: '-v' })]);
	});

	it('a call both forced and lossy: the stricter verdict, both reasons, both audited', async () => {
		const both = await proxied(['volume', 'rm', '-f', 'x']);
		expect(both.exitCode).toBe(77);
		expect(both.ran).toBe(false);
		expect(both.stderr).toMatch(/^safe-docker: refused `docker volume rm -f x`: -f \(--force\) on volume rm\n/);
		expect(both.stderr).toContain('safe-docker: refused `docker volume rm -f x`: volume rm destroys named volumes: x\n');
		expect(both.audit.map(entry => entry['guard'] ?? 'force')).toEqual(['data-loss', 'force']);
		const forced = await proxied(['rm', '-fv', 'web']);
		expect(forced.exitCode).toBe(77);
		expect(forced.stderr).toContain("  also: destroys anonymous volumes (-fv) — removes the containers' anonymous volumes\n");
		expect(forced.audit).toEqual([expect.objectContaining({ decision: 'rejected', flag: '-fv', policy: 'reject' })]);
	});

	it('the escape hatch lets one call through, says so, audits the reason, and is not passed on', async () => {
		const result = await proxied(['volume', 'rm', 'pgdata'], { SAFE_DOCKER_ALLOW_DATA_LOSS: 'backed up, ticket 7' });
		expect(result.ran).toBe(true);
		expect(result.stderr).toBe(
			'safe-docker: data loss allowed once by SAFE_DOCKER_ALLOW_DATA_LOSS (reason: backed up, ticket 7): `docker volume rm pgdata` destroys named volumes: pgdata; this is audited\n',
		);
		expect(result.calls.map(call => call.allowDataLoss)).toEqual([null]);
		expect(result.audit).toEqual([expect.objectContaining({ decision: 'escape-hatch', reason: 'backed up, ticket 7', exitCode: 0 })]);
		// The force hatch is not the data-loss hatch.
		expect((await proxied(['volume', 'rm', 'pgdata'], { SAFE_DOCKER_ALLOW_FORCE: 'x' })).exitCode).toBe(77);
	});

	it('dataLoss.allowVolumes lets caches go (audited); dataLoss.named = warn runs with a warning', async () => {
		const dir = tempDir();
		writeFileSync(join(dir, 'guard.config.json'), JSON.stringify({ dataLoss: { allowVolumes: ['*_cache'] } }));
		const cache = await proxied(['volume', 'rm', 'app_cache', 'npm_cache'], {}, dir);
		expect(cache.ran).toBe(true);
		expect(cache.stderr).toBe('');
		expect(cache.audit).toEqual([expect.objectContaining({ decision: 'allowed-by-config', volumes: ['app_cache', 'npm_cache'] })]);
		expect((await proxied(['volume', 'rm', 'app_cache', 'pgdata'], {}, dir)).exitCode).toBe(77);
		const warned = await proxied(['volume', 'rm', 'pgdata'], { SAFE_DOCKER_DATA_LOSS_NAMED: 'warn' });
		expect(warned.ran).toBe(true);
		expect(warned.stderr).toMatch(/^safe-docker: warning: `docker volume rm pgdata` destroys named volumes: pgdata; running it/);
	});

	it('a plain prune is judged for the API version in force: DOCKER_API_VERSION, else what docker says, else named', async () => {
		const newer = await proxied(['volume', 'prune'], { DOCKER_API_VERSION: '1.43' });
		expect(newer.ran).toBe(true);
		expect(newer.stderr).toMatch(/^safe-docker: warning: `docker volume prune` destroys anonymous volumes; running it/);
		const older = await proxied(['volume', 'prune'], { DOCKER_API_VERSION: '1.41' });
		expect(older.exitCode).toBe(77);
		expect(older.stderr).toContain(
			'  risk: volume prune on API 1.41 (below 1.42, Engine < 23) removes every unused volume, named ones included\n',
		);
		expect(older.stderr).toContain('  instead: safe-docker guard cleanup --volumes   (spares named volumes)\n');
		// The fake docker cannot tell its API version: unknown counts as named, and says so.
		const unknown = await proxied(['system', 'prune', '--volumes']);
		expect(unknown.calls.map(call => call.argv[0])).toEqual(['version']);
		expect(unknown.exitCode).toBe(77);
		expect(unknown.stderr).toContain('unknown API version counts as named');
	});

	it('guard stats counts refusals and escape-hatch uses by class', async () => {
		const home = join(tempDir(), 'state');
		const env = isolatedEnv({ SAFE_DOCKER_DOCKER: FAKE_DOCKER, SAFE_DOCKER_HOME: home });
		// The statistics count from the broker's start: a call that runs starts it.
		await runCli(['ps'], { env });
		await runCli(['volume', 'rm', 'a'], { env });
		await runCli(['volume', 'rm', 'b'], { env });
		await runCli(['volume', 'rm', 'c'], { env: { ...env, SAFE_DOCKER_ALLOW_DATA_LOSS: 'ok' } });
		await runCli(['rm', '-v', 'web'], { env: { ...env, SAFE_DOCKER_DATA_LOSS_ANONYMOUS: 'reject' } });
		await runCli(['rm', '-f', 'web'], { env });
		const stats = JSON.parse((await runCli(['guard', 'stats', '--json'], { env })).stdout);
		expect(stats).toMatchObject({
			rejections: 1,
			dataLoss: { named: { rejected: 2, escapeHatch: 1 }, anonymous: { rejected: 1, escapeHatch: 0 } },
		});
		const text = (await runCli(['guard', 'stats', '--prometheus'], { env })).stdout;
		expect(text).toContain('safe_docker_data_loss_total{class="named",decision="rejected"} 2\n');
		expect(text).toContain('safe_docker_data_loss_total{class="named",decision="escape-hatch"} 1\n');
	});

	it('guard check never asks a daemon, and tells the stricter verdict', async () => {
		const log = join(tempDir(), 'log');
		const env = isolatedEnv({ SAFE_DOCKER_DOCKER: FAKE_DOCKER, FAKE_DOCKER_LOG: log });
		const result = await runCli(['guard', 'check', '--json', '--', 'system', 'prune', '-af', '--volumes'], { env });
		expect(existsSync(log)).toBe(false);
		expect(result.exitCode).toBe(77);
		expect(JSON.parse(result.stdout)).toMatchObject({
			decision: 'reject',
			force: 'reject',
			loss: { class: 'named', flag: '--volumes', volumes: null, apiVersion: null, decision: 'reject' },
		});
	});
});

describe.skipIf(!engine)('on the real engine, each class destroys what we say, and a refusal destroys nothing', async () => {
	const id = randomUUID().slice(0, 8);
	const label = `sd-loss=${id}`;
	const env = () => isolatedEnv({ SAFE_DOCKER_HOME: join(tempDir(), 'state') });
	const api = engine ? (await execa('docker', ['version', '--format', '{{.Client.APIVersion}}'])).stdout.trim() : '';
	const pruneReachesNamed = Number(api.split('.')[1]) < 42;

	afterAll(async () => {
		const containers = (await execa('docker', ['ps', '-aq', '--filter', `label=${label}`])).stdout.split('\n').filter(Boolean);
		if (containers.length > 0) await execa('docker', ['rm', '-v', ...containers], { reject: false });
		const volumes = (await execa('docker', ['volume', 'ls', '-q', '--filter', `label=${label}`])).stdout.split('\n').filter(Boolean);
		if (volumes.length > 0) await execa('docker', ['volume', 'rm', ...volumes], { reject: false });
	});

	const volumes = async () =>
		(await execa('docker', ['volume', 'ls', '-q', '--filter', `label=${label}`])).stdout.split('\n').filter(Boolean).sort();
	const named = async (name: string) => {
		await execa('docker', ['volume', 'create', '--label', label, name]);
		return name;
	};
	/** A created container with an anonymous volume at /anon, and that volume's name. */
	const withAnonymous = async (extra: string[] = []) => {
		const { stdout } = await execa('docker', [
			'create',
			'--label',
			label,
			'--network',
			'none',
			'-v',
			'/anon',
			...extra,
			TEST_IMAGE,
			'true',
		]);
		const id = stdout.trim();
		const mount = await execa('docker', [
			'inspect',
			'--format',
			'{{range .Mounts}}{{if eq .Destination "/anon"}}{{.Name}}{{end}}{{end}}',
			id,
		]);
		return { id, anonymous: mount.stdout.trim() };
	};
	const exists = async (volume: string) => (await execa('docker', ['volume', 'inspect', volume], { reject: false })).exitCode === 0;
	const run = (args: string[], extra: Record<string, string> = {}, input?: string): Promise<CliResult> =>
		runCli(args, { env: { ...env(), ...extra }, ...(input === undefined ? {} : { input }) });

	it('named: volume rm is refused (the volume survives); with the hatch the volume is gone', async () => {
		const volume = await named(`sd-named-${id}`);
		const refused = await run(['volume', 'rm', volume]);
		expect(refused.exitCode).toBe(77);
		expect(await exists(volume)).toBe(true);
		const allowed = await run(['volume', 'rm', volume], { SAFE_DOCKER_ALLOW_DATA_LOSS: 'test' });
		expect(allowed.exitCode).toBe(0);
		expect(await exists(volume)).toBe(false);
	});

	it('anonymous: rm -v removes the anonymous volume and never a named one mounted beside it', async () => {
		const keep = await named(`sd-beside-${id}`);
		const { id: container, anonymous } = await withAnonymous(['-v', `${keep}:/named`]);
		expect(await exists(anonymous)).toBe(true);
		const result = await run(['rm', '-v', container]);
		expect(result.exitCode).toBe(0);
		expect(result.stderr).toMatch(/^safe-docker: warning: `docker rm -v \w+` destroys anonymous volumes \(-v\)/);
		expect(await exists(anonymous)).toBe(false);
		expect(await exists(keep)).toBe(true);
	});

	it(`a plain volume prune on this engine's API (${api || '?'}) reaches ${pruneReachesNamed ? 'named volumes too: refused' : 'anonymous volumes only'}`, async () => {
		// Pruned by our label only, so that nothing else on this engine is touched (which also leaves
		// container-made anonymous volumes, unlabelled, out of it: the named side is what the API decides).
		const volume = await named(`sd-prunable-${id}`);
		const before = await volumes();
		const plain = await run(['volume', 'prune', '--filter', `label=${label}`], {}, 'y\n');
		if (pruneReachesNamed) {
			expect(plain.exitCode).toBe(77);
			expect(plain.stderr).toContain(`on API ${api} (below 1.42, Engine < 23) removes every unused volume, named ones included`);
			expect(await volumes()).toEqual(before);
			const allowed = await run(['volume', 'prune', '--filter', `label=${label}`], { SAFE_DOCKER_ALLOW_DATA_LOSS: 'test' }, 'y\n');
			expect(allowed.exitCode).toBe(0);
			// What we said: the daemon removed the named volume.
			expect(await exists(volume)).toBe(false);
		} else {
			expect(plain.exitCode).toBe(0);
			expect(plain.stderr).toMatch(/destroys anonymous volumes; running it/);
			// What we said: named volumes are spared.
			expect(await exists(volume)).toBe(true);
		}
	});

	it('a refused call leaves every volume intact: volume rm of several, system prune --volumes, volume prune -a', async () => {
		const a = await named(`sd-a-${id}`);
		const b = await named(`sd-b-${id}`);
		const before = await volumes();
		for (const args of [
			['volume', 'rm', a, b],
			['volume', 'prune', '-a', '--filter', `label=${label}`],
			...(pruneReachesNamed ? [['system', 'prune', '--volumes', '--filter', `label=${label}`]] : []),
		]) {
			const result = await run(args, {}, 'y\n');
			expect(result.exitCode, args.join(' ')).toBe(77);
			expect(await volumes()).toEqual(before);
		}
	});
	it('guard cleanup --volumes=named obeys the policy: spared, or removed only after a verified backup', async () => {
		const volume = await named(`sd-cleanup-${id}`);
		await execa('docker', ['run', '--rm', '--network', 'none', '-v', `${volume}:/d`, TEST_IMAGE, 'sh', '-c', 'echo keep > /d/f']);
		const scope = ['guard', 'cleanup', '--volumes=named', '--label', label];
		const spared = await run(scope);
		expect(spared.exitCode).toBe(0);
		expect(await exists(volume)).toBe(true);
		const dry = await run([...scope, '--dry-run']);
		expect(dry.stdout).toContain(`keep    volume      ${volume}`);
		expect(dry.stdout).toContain('dataLoss.named = reject (back it up first: --backup-to DIR');

		// A backup that cannot be written: the volume stays.
		const notADir = join(tempDir(), 'file');
		writeFileSync(notADir, '');
		const failed = await run([...scope, '--backup-to', notADir]);
		expect(failed.exitCode).toBe(1);
		expect(failed.stdout).toContain(`FAILED   volume      ${volume}: not removed: backup of volume ${volume} failed`);
		expect(await exists(volume)).toBe(true);

		const dir = tempDir();
		const removed = await run([...scope, '--backup-to', dir]);
		expect(removed.exitCode).toBe(0);
		expect(removed.stdout).toContain(`removed  volume      ${volume}`);
		expect(await exists(volume)).toBe(false);
		const archive = readdirSync(dir).find(file => file.startsWith(`${volume}-`) && file.endsWith('.tar'));
		const restored = await run(['guard', 'restore', join(dir, archive!)]);
		expect(restored.exitCode).toBe(0);
		const content = await execa('docker', ['run', '--rm', '--network', 'none', '-v', `${volume}:/d`, TEST_IMAGE, 'cat', '/d/f']);
		expect(content.stdout).toBe('keep');
	});
});
