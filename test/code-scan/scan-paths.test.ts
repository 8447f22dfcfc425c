import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isolatedEnv, ROOT, runCli, tempDir } from '../fixtures/cli.js';

const TYPES = join(ROOT, 'test', 'fixtures', 'scan', 'types');

describe('guard scan over every file type it reads', () => {
	it('finds the forced calls of each type at their exact place, with an alternative written for that place', async () => {
		const result = await runCli(['guard', 'scan'], { cwd: TYPES, env: isolatedEnv() });
		expect(result.exitCode).toBe(1);
		expect(result.stdout.trim().split('\n')).toEqual([
			'.github/workflows/release.yml:8:14  force/image rm (--force)  docker image rm ${{ env.REPO_NAME }}:${{ github.sha }}',
			'.github/workflows/release.yml:11:11  force/container prune (--force)  safe-docker cleanup --dry-run',
			'.github/workflows/release.yml:14:14  force/container rm (-f)  safe-docker guard remove tidy-${{ github.run_id }}',
			'bin/reset-env:3:1  force/container rm (-f)  safe-docker guard remove "$(cat .container-id)"',
			'bin/teardown.local:2:1  force/system prune (-f)  safe-docker cleanup --dry-run',
			'ci/cleanup.robot:7:36  force/compose rm (-f)  docker compose rm',
			'ci/cleanup.robot:8:12  force/volume prune (-f) + data-loss/named (volume prune)  safe-docker cleanup --dry-run --volumes',
			'ci/cleanup.robot:9:20  force/container rm (-f)  safe-docker    guard    remove    ${WORKER}',
			'docker.Makefile:6:6  force/container rm (-f)  safe-docker guard remove $(NAME)-db $(NAME)-web',
			'docker.Makefile:7:2  force/image rm (-f)  docker rmi $$(docker images -q $(NAME)) 2>/dev/null',
			'docs/guide.adoc:8:1  force/container rm (-f)  safe-docker guard remove stack-worker',
			'docs/guide.adoc:14:4  force/container rm (-f)  safe-docker guard remove 容器名',
			'docs/guide.adoc:20:3  force/system prune (-af)  safe-docker cleanup --dry-run --images',
			'docs/README.md:5:4  force/container rm (-f)  safe-docker guard remove 容器名',
			'docs/README.md:8:4  force/container rm (-f)  safe-docker guard remove $(docker container ls -aq)',
			'docs/README.md:12:3  force/network prune (--force)  safe-docker cleanup --dry-run',
			'Jenkinsfile:7:21  force/container rm (-f)  safe-docker guard remove ${env.BUILD_TAG}-db',
			'Jenkinsfile:10:21  force/image prune (-af)  safe-docker cleanup --dry-run --images',
			'justfile:5:6  force/container rm (-f)  safe-docker guard remove {{container}}',
			'Makefile.release:2:2  force/buildx prune (-f)  safe-docker cleanup --dry-run --older-than 24h',
			'Taskfile.yml:8:14  force/container rm (-f)  safe-docker guard remove {{.CONTAINER}}',
			'Taskfile.yml:9:9  force/network rm (-f)  docker network rm {{.NETWORK}}',
			'test/helper.bats:11:3  force/container rm (-f)  safe-docker guard remove "${CONTAINER_NAME}"',
			'test/helper.bats:21:7  force/container rm (-f)  run safe-docker guard remove "${CONTAINER_NAME}-2" 2>/dev/null',
			'tools/cleanup.go:6:23  force/container rm (-f)  "safe-docker", "guard", "remove", name',
			'tools/cleanup.ps1:3:1  force/container rm (-f)  safe-docker guard remove $names',
			'tools/cleanup.ps1:4:3  force/volume prune (-f) + data-loss/named (volume prune)  safe-docker cleanup --dry-run --volumes --label test',
			'tools/cleanup.py:6:16  force/container rm (-f)  "safe-docker guard remove " + name',
			'tools/cleanup.py:7:22  force/image rm (-f)  f"docker rmi {name}:latest"',
			"tools/cleanup.ts:5:12  force/container rm (-f)  'safe-docker guard remove test-db'",
			'tools/cleanup.ts:6:10  force/volume rm (-f) + data-loss/named (volume rm)  `safe-docker guard backup ${container}-data`  then, audited: SAFE_DOCKER_ALLOW_DATA_LOSS="<reason>" docker volume rm -f ${container}-data',
		]);
		expect(result.stderr).toBe('safe-docker: 31 findings in 16 files; 1 file skipped (1 not a supported type)\n');
	});

	it('a file named on the command line that it cannot read as any type is an error, not "0 findings"', async () => {
		const result = await runCli(['guard', 'scan', 'notes.txt', 'justfile'], { cwd: TYPES, env: isolatedEnv() });
		expect(result.exitCode).toBe(2);
		expect(result.stderr).toMatch(/^safe-docker: cannot scan notes\.txt: not a file type guard scan reads \(shell, Makefile/);
		expect(result.stderr).toMatch(/safe-docker: 1 finding in 1 file\n$/);
	});

	it('reads a large script whole: 10,000 forced calls in a 3.9 MB file', async () => {
		const dir = tempDir();
		const line = `docker rm -f ${'x'.repeat(370)}\n`;
		writeFileSync(join(dir, 'big.sh'), line.repeat(10_000));
		const result = await runCli(['guard', 'scan', '--json', 'big.sh'], { cwd: dir, env: isolatedEnv() });
		expect(result.exitCode).toBe(1);
		expect(JSON.parse(result.stdout)).toHaveLength(10_000);
		expect(result.stderr).toBe('safe-docker: 10000 findings in 1 file\n');
	});

	it('a file past the nesting bound is skipped by name and the scan goes on', async () => {
		const dir = tempDir();
		writeFileSync(join(dir, 'deep.sh'), `x=${'$(echo "'.repeat(3000)}docker rm -f a${'")'.repeat(3000)}\n`);
		writeFileSync(join(dir, 'plain.sh'), 'docker rm -f web\n');
		const result = await runCli(['guard', 'scan'], { cwd: dir, env: isolatedEnv() });
		expect(result.exitCode).toBe(1);
		expect(result.stdout).toBe('plain.sh:1:1  force/container rm (-f)  safe-docker guard remove web\n');
		expect(result.stderr).toBe('safe-docker: 1 finding in 1 file; 1 file skipped (1 too complex to scan: deep.sh)\n');
		const named = await runCli(['guard', 'scan', 'deep.sh'], { cwd: dir, env: isolatedEnv() });
		expect(named.exitCode).toBe(2);
		expect(named.stderr).toMatch(/^safe-docker: cannot scan deep\.sh: too complex to scan: substitutions nested deeper than 64 levels\n/);
	});

	it('honours .git/info/exclude as well as .gitignore (negations included)', async () => {
		const dir = tempDir();
		mkdirSync(join(dir, '.git', 'info'), { recursive: true });
		mkdirSync(join(dir, 'sub'));
		writeFileSync(join(dir, '.git', 'info', 'exclude'), 'local-*.sh\n');
		writeFileSync(join(dir, '.gitignore'), 'gen/\n*.tmp.sh\n!keep.tmp.sh\n');
		for (const name of ['local-try.sh', 'sub/local-try.sh', 'a.tmp.sh', 'keep.tmp.sh', 'sub/run.sh'])
			writeFileSync(join(dir, name), 'docker rm -f x\n');
		const result = await runCli(['guard', 'scan'], { cwd: dir, env: isolatedEnv() });
		expect(
			result.stdout
				.split('\n')
				.filter(Boolean)
				.map(line => line.split(':')[0]),
		).toEqual(['keep.tmp.sh', 'sub/run.sh']);
		const inside = await runCli(['guard', 'scan', '.'], { cwd: join(dir, 'sub'), env: isolatedEnv() });
		expect(
			inside.stdout
				.split('\n')
				.filter(Boolean)
				.map(line => line.split(':')[0]),
		).toEqual(['run.sh']);
	});
});
