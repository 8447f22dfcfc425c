// Cleanup against the real engine, seeded with a mix of what must go and what must stay.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, isolatedEnv, runCli, tempDir } from '../fixtures/cli.js';
import { requireEngine, TEST_IMAGE } from '../fixtures/engine.js';

const engine = await requireEngine();
const id = randomUUID().slice(0, 8);
const scope = `sd-cleanup-test=${id}`;
const label = ['--label', scope];
const name = (what: string) => `sd-clean-${what}-${id}`;
const dir = tempDir();
const env = isolatedEnv({ SAFE_DOCKER_HOME: join(dir, 'state') });
let lockHolder: ReturnType<typeof spawn> | undefined;

const docker = (...args: string[]) => execa('docker', args);
const CUTOFF_SECONDS = 8;
const exists = async (kind: string, ref: string) => (await execa('docker', [kind, 'inspect', ref], { reject: false })).exitCode === 0;

/** An image made from a tiny tarball with unique content; importing a second one under the same tag leaves the first dangling. */
async function importImage(tag: string, content: string): Promise<string> {
	const root = join(dir, `rootfs-${randomUUID()}`);
	mkdirSync(root);
	writeFileSync(join(root, 'data'), content.repeat(20_000));
	const tar = await execa('tar', ['-C', root, '-c', '.'], { encoding: 'buffer' });
	const result = await execa('docker', ['import', '--change', `LABEL sd-cleanup-test=${id}`, '-', tag], { input: tar.stdout });
	return result.stdout.trim();
}

describe.skipIf(!engine)('cleanup on the real engine', () => {
	let danglingImage = '';
	beforeAll(async () => {
		// Must go: a stopped container older than the cutoff, a dangling image, an unused network.
		await docker('create', ...label, '--name', name('old'), '--network', 'none', TEST_IMAGE, 'true');
		danglingImage = await importImage(`sd-clean-img-${id}:latest`, 'first');
		await importImage(`sd-clean-img-${id}:latest`, 'second'); // the tagged, unused image stays (no --images)
		await docker('network', 'create', ...label, name('net'));
		// Must stay: running; a locked environment's compose stack; labelled to keep; a named volume.
		await docker('run', '-d', ...label, '--name', name('running'), '--network', 'none', TEST_IMAGE, 'sleep', '300');
		await docker(
			'create',
			...label,
			'--label',
			`com.docker.compose.project=shop-${id}`,
			'--name',
			name('shop'),
			'--network',
			'none',
			TEST_IMAGE,
			'true',
		);
		await docker('network', 'create', ...label, '--label', `com.docker.compose.project=shop-${id}`, name('shop-net'));
		await docker('create', ...label, '--label', 'safe-docker.keep=true', '--name', name('kept'), '--network', 'none', TEST_IMAGE, 'true');
		await docker('volume', 'create', ...label, name('data'));
		const ready = join(dir, 'locked');
		lockHolder = spawn(process.execPath, [BIN, 'guard', 'lock', `shop-${id}`, '--', 'sh', '-c', `touch '${ready}'; sleep 120`], {
			env,
			stdio: 'ignore',
		});
		for (let i = 0; i < 400 && !existsSync(ready); i++) await sleep(25);
		// Past the cutoff for what was made so far (the cutoff is generous: a loaded CI machine is slow)…
		await sleep(CUTOFF_SECONDS * 1000 + 1000);
		// …and, stopped too recently, something that must stay.
		await docker('create', ...label, '--name', name('new'), '--network', 'none', TEST_IMAGE, 'true');
	}, 60_000);

	afterAll(async () => {
		lockHolder?.kill('SIGTERM');
		const containers = (await execa('docker', ['ps', '-aq', '--filter', `label=${scope}`])).stdout.split('\n').filter(Boolean);
		if (containers.length > 0) await execa('docker', ['container', 'rm', '--force', ...containers], { reject: false });
		await execa('docker', ['network', 'rm', name('net'), name('shop-net')], { reject: false });
		await execa('docker', ['volume', 'rm', name('data')], { reject: false });
		await execa('docker', ['image', 'rm', `sd-clean-img-${id}:latest`, danglingImage], { reject: false });
	});

	it('--dry-run lists exactly the expected set and changes nothing', async () => {
		const result = await runCli(
			['guard', 'cleanup', '--dry-run', '--json', '--older-than', `${CUTOFF_SECONDS}s`, '--label', scope, '--volumes'],
			{ env },
		);
		expect(result.exitCode).toBe(0);
		const plan = JSON.parse(result.stdout);
		expect(plan.items.map((item: { kind: string; name: string }) => `${item.kind} ${item.name}`).sort()).toEqual(
			[`container ${name('old')}`, `image <none>`, `network ${name('net')}`].sort(),
		);
		expect(plan.items.find((item: { kind: string }) => item.kind === 'image').id).toBe(danglingImage);
		expect(Object.fromEntries(plan.spared.map((entry: { name: string; reason: string }) => [entry.name, entry.reason]))).toEqual({
			[name('running')]: 'running',
			[name('shop')]: `environment 'shop-${id}' is locked`,
			[name('shop-net')]: `environment 'shop-${id}' is locked`,
			[name('kept')]: 'labelled safe-docker.keep=true',
			[name('new')]: expect.stringMatching(/^stopped \d+ (s|ms) ago, within 8 s$/),
			[name('data')]: 'named volume (only with --volumes=named)',
		});
		expect(await exists('container', name('old'))).toBe(true);
	});

	it('removes exactly the plan, keeps everything protected, and reports what docker reclaimed', async () => {
		const result = await runCli(['cleanup', '--json', '--older-than', `${CUTOFF_SECONDS}s`, '--label', scope, '--volumes'], { env });
		expect(result.stderr).toBe('');
		expect(result.exitCode).toBe(0);
		const report = JSON.parse(result.stdout);
		expect(report.results.every((entry: { removed: boolean }) => entry.removed)).toBe(true);
		expect(await exists('container', name('old'))).toBe(false);
		expect(await exists('image', danglingImage)).toBe(false);
		expect(await exists('network', name('net'))).toBe(false);
		for (const [kind, ref] of [
			['container', name('running')],
			['container', name('shop')],
			['network', name('shop-net')],
			['container', name('kept')],
			['container', name('new')],
			['volume', name('data')],
			['image', `sd-clean-img-${id}:latest`],
		]) {
			expect(await exists(kind!, ref!), `${kind} ${ref}`).toBe(true);
		}
		const total = (usage: Record<string, number>) => Object.values(usage).reduce((sum, value) => sum + value, 0);
		expect(report.reclaimedBytes).toBe(Math.max(0, total(report.usageBefore) - total(report.usageAfter)));
		expect(report.reclaimedBytes).toBeGreaterThan(0);
	});

	it('human output: what was removed and the bytes reclaimed', async () => {
		await docker('create', ...label, '--name', name('old2'), '--network', 'none', TEST_IMAGE, 'true');
		await sleep(1200);
		const result = await runCli(['guard', 'cleanup', '--older-than', '1s', '--label', scope], { env });
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toMatch(new RegExp(`^removed  container   ${name('old2')}\\n`, 'm'));
		expect(result.stdout).toMatch(/^reclaimed \S+ \(docker system df: \S+ → \S+\); (\d+) of \1 removed; \d+ spared$/m);
	});
});
