// The published package, as a user gets it: npm pack, install the tarball elsewhere, run the bin.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAKE_DOCKER, isolatedEnv, ROOT, tempDir } from './fixtures/cli.js';

describe('the packed package', () => {
	const prefix = tempDir('safe-docker-install-');
	const bin = join(prefix, 'node_modules', '.bin', 'safe-docker');
	const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

	beforeAll(async () => {
		const packDir = tempDir('safe-docker-pack-');
		// --ignore-scripts: dist/ was just built by `npm test`; prepack would only build it again.
		const pack = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], { cwd: ROOT });
		const [{ filename }] = JSON.parse(pack.stdout);
		await execa('npm', ['install', '--no-audit', '--no-fund', '--prefix', prefix, join(packDir, filename)], { cwd: prefix });
	}, 300_000);

	it("runs: --version is docker's, guard --version safe-docker's", async () => {
		const env = isolatedEnv({ SAFE_DOCKER_DOCKER: FAKE_DOCKER, FAKE_DOCKER_PRINT_ARGV: '1' });
		const result = await execa(bin, ['--version'], { env, extendEnv: false, reject: false });
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toBe('["--version"]');
		expect((await execa(bin, ['guard', '--version'], { env, extendEnv: false, reject: false })).stdout).toBe(version);
	});

	it('the proxy path loads its lazy parts from the installed package: a YAML config file, the audit, the display', async () => {
		const dir = tempDir();
		writeFileSync(join(dir, '.safe-dockerrc.yaml'), 'force:\n  policy: warn\n');
		const env = isolatedEnv({ SAFE_DOCKER_DOCKER: FAKE_DOCKER, FAKE_DOCKER_PRINT_ARGV: '1' });
		const result = await execa(bin, ['rmi', '-f', 'app:test'], { cwd: dir, env, extendEnv: false, reject: false });
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toBe('["rmi","-f","app:test"]');
		expect(result.stderr).toContain('docker rmi -f app:test');
		expect(result.stderr).toContain('instead: docker rmi app:test');
	});

	it('loads its lazy parts: guard config and the schema ship with it', async () => {
		const dir = tempDir();
		const result = await execa(bin, ['guard', 'config', '--json'], {
			cwd: dir,
			env: isolatedEnv({ SAFE_DOCKER_DOCKER: FAKE_DOCKER }),
			extendEnv: false,
			reject: false,
		});
		expect(result.exitCode).toBe(0);
		expect(JSON.parse(result.stdout).config.lanes.mutate).toMatchObject({ mode: 'fixed', minTimeMs: 500 });
		const schema = JSON.parse(readFileSync(join(prefix, 'node_modules', 'safe-docker', 'guard.config.schema.json'), 'utf8'));
		expect(schema.properties.lanes.properties.mutate.properties.mode.enum).toEqual(['fixed', 'adaptive']);
	});

	it('the proxy bundle requires the packages it loads lazily instead of carrying them (each aliased docker call parses it)', () => {
		const bundle = readFileSync(join(ROOT, 'dist', 'cli.cjs'), 'utf8');
		for (const name of ['cosmiconfig', 'execa', 'ioredis', 'proper-lockfile', 'yaml'])
			expect(bundle).toMatch(new RegExp(`(require|import)\\("${name}"\\)`));
		// ioredis's own code (its connection errors) is not in it: fleet mode loads it from node_modules when needed.
		expect(bundle).not.toContain('Connection is closed');
	});
});
