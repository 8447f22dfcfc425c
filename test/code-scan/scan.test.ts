import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanText } from '../../src/code-scan/scan.js';
import { isolatedEnv, ROOT, runCli, tempDir } from '../fixtures/cli.js';
import { forceCorpus } from '../fixtures/corpus.js';

const TREE = join(ROOT, 'test', 'fixtures', 'scan', 'tree');

describe('guard scan', () => {
	it('classifies every line of the force corpus as a one-line script: 100 % recall, no false positives', () => {
		const corpus = forceCorpus();
		const wrong = corpus
			.filter(entry => scanText('x.sh', 'shell', entry.cmd).some(finding => finding.rule.startsWith('force/')) !== entry.force)
			.map(entry => entry.cmd);
		expect(wrong).toEqual([]);
		expect(corpus.filter(entry => entry.force).length).toBeGreaterThan(50);
	});

	it('finds forced calls in each kind of file, skips what .gitignore hides, honours suppressions with a reason', async () => {
		const result = await runCli(['guard', 'scan'], { cwd: TREE, env: isolatedEnv() });
		expect(result.exitCode).toBe(1);
		expect(result.stdout.trim().split('\n')).toEqual([
			'.github/workflows/ci.yml:10:11  force/compose rm (-fs)  docker compose rm -s',
			'.github/workflows/ci.yml:12:14  force/network prune (--force)  safe-docker cleanup --dry-run',
			'.gitlab-ci.yml:3:7  force/compose rm (-f)  docker-compose rm',
			'.gitlab-ci.yml:5:18  force/image rm (-f)  docker rmi app:test',
			'Dockerfile:3:5  force/volume prune (-f) + data-loss/named (volume prune)  safe-docker cleanup --dry-run --volumes',
			'Dockerfile:4:7  force/image prune (--force)  ["safe-docker", "cleanup", "--dry-run"]',
			'Makefile:2:3  force/container rm (-fv) + data-loss/anonymous (-fv)  safe-docker guard remove --volumes $$(docker ps -aq)',
			'package.json:4:15  force/container rm (-f)  safe-docker guard remove db',
			'README.md:4:3  force/builder prune (-f)  safe-docker cleanup --dry-run',
			'scripts/deploy.sh:3:1  force/container rm (-f)  safe-docker guard remove web',
			'scripts/deploy.sh:5:6  force/system prune (-af)  sudo safe-docker cleanup --dry-run --images',
			'scripts/deploy.sh:8:1  suppression-without-reason  safe-docker: allow-force <reason>',
			'scripts/deploy.sh:8:1  force/container rm (-f)  safe-docker guard remove no-reason',
			'scripts/deploy.sh:10:31  force/container rm (--force)  safe-docker guard remove "$c"',
			'tool.py:2:18  force/swarm leave (--force)  "docker", "swarm", "leave"',
			"tool.ts:3:14  force/container rm (-f)  'safe-docker', 'guard', 'remove', name",
		]);
		expect(result.stderr).toBe('safe-docker: 16 findings in 9 files; 1 file skipped (1 not a supported type)\n');
	});

	it('--json gives each finding as data', async () => {
		const result = await runCli(['guard', 'scan', '--json', 'scripts/deploy.sh'], { cwd: TREE, env: isolatedEnv() });
		expect(JSON.parse(result.stdout)[0]).toEqual({
			file: 'scripts/deploy.sh',
			line: 3,
			column: 1,
			rule: 'force/container rm (-f)',
			command: 'container rm',
			flag: '-f',
			risk: 'kills a running container with SIGKILL; its work and logs are lost',
			alternative: 'safe-docker guard remove web',
			afterBackup: null,
			loss: { class: 'none', flag: null, volumes: null, apiVersion: null },
			fails: true,
			text: 'docker rm -f web',
		});
	});

	it('exit 0 when clean, 2 with one line for a path it cannot read', async () => {
		const clean = await runCli(['guard', 'scan', 'tool.py'], { cwd: join(TREE, '.github'), env: isolatedEnv() });
		expect(clean.exitCode).toBe(2);
		expect(clean.stderr).toBe('safe-docker: cannot scan tool.py: no such file or directory\nsafe-docker: 0 findings in 0 files\n');
		const none = await runCli(['guard', 'scan', 'Dockerfile'], { cwd: join(ROOT, 'test', 'fixtures', 'scan'), env: isolatedEnv() });
		expect(none.exitCode).toBe(2);
		const ok = await runCli(['guard', 'scan', 'clean'], { cwd: join(ROOT, 'test', 'fixtures', 'scan'), env: isolatedEnv() });
		expect(ok.exitCode).toBe(0);
		expect(ok.stdout).toBe('');
		expect(ok.stderr).toBe('safe-docker: 0 findings in 1 file\n');
	});
});

describe('guard scan and data loss', () => {
	it('fails on named loss, with the backup first; lists anonymous loss marked as a warning; the config decides', async () => {
		const dir = tempDir();
		writeFileSync(join(dir, 'reset.sh'), 'docker rm -v web\ndocker compose down -v\ndocker volume rm pgdata\n');
		writeFileSync(join(dir, 'anon.sh'), 'docker compose up -d -V\n');
		const result = await runCli(['guard', 'scan'], { cwd: dir, env: isolatedEnv() });
		expect(result.exitCode).toBe(1);
		expect(result.stdout.trim().split('\n')).toEqual([
			'anon.sh:1:1  warning: data-loss/anonymous (-V)  docker compose up -d',
			'reset.sh:1:1  warning: data-loss/anonymous (-v)  docker rm web',
			'reset.sh:2:1  data-loss/named (-v)  docker compose down',
			'reset.sh:3:1  data-loss/named (volume rm)  safe-docker guard backup pgdata  then, audited: SAFE_DOCKER_ALLOW_DATA_LOSS="<reason>" docker volume rm pgdata',
		]);
		expect(result.stderr).toBe('safe-docker: 4 findings (2 data loss only warned about) in 2 files\n');
		const warnedOnly = await runCli(['guard', 'scan', 'anon.sh'], { cwd: dir, env: isolatedEnv() });
		expect(warnedOnly.exitCode).toBe(0);
		const json = await runCli(['guard', 'scan', '--json', 'reset.sh'], { cwd: dir, env: isolatedEnv() });
		expect(JSON.parse(json.stdout)[2]).toMatchObject({
			loss: { class: 'named', flag: null, volumes: ['pgdata'], apiVersion: null },
			fails: true,
		});
		writeFileSync(join(dir, '.safe-dockerrc.json'), JSON.stringify({ dataLoss: { named: 'warn' } }));
		const relaxed = await runCli(['guard', 'scan', 'reset.sh'], { cwd: dir, env: isolatedEnv() });
		expect(relaxed.exitCode).toBe(0);
		expect(relaxed.stdout).toMatch(/^reset\.sh:3:1 {2}warning: data-loss\/named \(volume rm\)/m);
	});
});

describe('multi-line and quoted forms', () => {
	const found = (kind: Parameters<typeof scanText>[1], text: string) =>
		scanText('f', kind, text).map(finding => `${finding.line}:${finding.column} ${finding.rule}`);

	it('a Makefile recipe continued over lines', () => {
		expect(found('makefile', 'clean:\n\t@docker rm \\\n\t  -f web\n\techo done\n')).toEqual(['2:3 force/container rm (-f)']);
	});

	it('a Dockerfile RUN heredoc', () => {
		expect(found('dockerfile', 'FROM alpine\nRUN <<EOF\nset -e\ndocker rm -f web\nEOF\nRUN echo docker rm -f x\n')).toEqual([
			'4:1 force/container rm (-f)',
		]);
	});

	it('a YAML folded block scalar, read as YAML folds it', () => {
		expect(found('yaml', 'steps:\n  - run: >\n      docker rm\n      -f web\n')).toEqual(['3:7 force/container rm (-f)']);
	});

	it('commas inside string literals of an argv array', () => {
		expect(found('code', "spawn('docker', ['compose', '-f', 'a,b.yml', 'rm', '-f']);\n")).toEqual(['1:8 force/compose rm (-f)']);
	});

	it('package.json scripts at their own line, escapes counted in the column', () => {
		const text = '{\n  "name": "clean",\n  "scripts": {\n    "clean": "echo \\"x\\" && docker rm -f db"\n  }\n}\n';
		expect(found('package-json', text)).toEqual(['4:29 force/container rm (-f)']);
	});
});
