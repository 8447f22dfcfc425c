// guard backup / guard restore against the real engine: contents survive the round trip, and every failure
// (a missing volume, a corrupt archive, a full disk, Ctrl-C) ends in one line with no helper container left.
import { createHash, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, isolatedEnv, runCli, tempDir } from '../fixtures/cli.js';
import { requireEngine, TEST_IMAGE } from '../fixtures/engine.js';

const engine = await requireEngine();
const id = randomUUID().slice(0, 8);
const volumes: string[] = [];
const mounts: string[] = [];
const env = () => isolatedEnv({ SAFE_DOCKER_HOME: join(tempDir(), 'state') });

const RICH = `sd-rich-${id}`;
const EMPTY = `sd-empty-${id}`;
const BIG = `sd-big-${id}`;

async function volume(name: string, script: string, labels: readonly string[] = []): Promise<void> {
	volumes.push(name);
	await execa('docker', ['volume', 'create', ...labels.flatMap(label => ['--label', label]), name]);
	await inVolume(name, script);
}

async function inVolume(name: string, script: string): Promise<string> {
	const result = await execa('docker', ['run', '--rm', '--network', 'none', '-v', `${name}:/d`, TEST_IMAGE, 'sh', '-c', script]);
	return result.stdout;
}

/** Everything that must survive: each path's mode, owner, size, mtime, type and link target, and each file's md5. */
const listing = (name: string) =>
	inVolume(
		name,
		'cd /d && find . | sort | while read -r f; do stat -c "%n %a %u %g %s %h %Y %F %N" "$f"; done; find . -type f -exec md5sum {} + | sort',
	);

const exists = async (name: string) => (await execa('docker', ['volume', 'inspect', name], { reject: false })).exitCode === 0;

/** Helper containers (or any container) still holding the volume. */
const holders = async (name: string) =>
	(await execa('docker', ['ps', '-a', '-q', '--filter', `volume=${name}`])).stdout.split('\n').filter(line => line !== '');

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

const tars = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter(file => file.endsWith('.tar')) : []);

interface Backup {
	readonly name: string;
	readonly archivePath: string;
	readonly sha256: string;
	readonly size: number;
	readonly entries: number;
	readonly labels: Record<string, string>;
}

describe.skipIf(!engine)('guard backup and guard restore on the real engine', () => {
	beforeAll(async () => {
		await volume(
			RICH,
			[
				'chown 999:998 /d && chmod 0710 /d',
				'mkdir -p /d/a/b/c /d/emptydir && echo hello > /d/a/f && chown 123:456 /d/a/f && chmod 4750 /d/a/f',
				'printf "x%.0s" $(seq 1 5000) > "/d/a/b/with space" && chmod 0600 "/d/a/b/with space"',
				'ln -s a/f /d/link && ln -s /nowhere /d/dangling && ln /d/a/f /d/hardlink',
				'mkfifo /d/fifo && touch /d/zero && touch -d "2001-02-03 04:05:06" /d/a/b/c',
			].join(' && '),
			['app=db', 'tier=backup-test'],
		);
		await volume(EMPTY, 'true');
		await volume(BIG, 'head -c 209715200 /dev/urandom > /d/big && echo small > /d/small');
	}, 120_000);

	afterAll(async () => {
		for (const mount of mounts) await execa('umount', [mount], { reject: false });
		if (volumes.length > 0) await execa('docker', ['volume', 'rm', ...volumes], { reject: false });
	});

	it('backup → removal → restore gives identical contents: modes, owners, links, an empty volume, a 200 MB file', async () => {
		const before = await Promise.all([RICH, EMPTY, BIG].map(listing));
		expect(before[0]).toContain('./a/f 4750 123 456 6 2 ');
		expect(before[0]).toContain("symbolic link './dangling' -> '/nowhere'");
		const dir = tempDir();
		const backup = await runCli(['guard', 'backup', RICH, EMPTY, BIG, '--to', dir, '--json'], { env: env() });
		expect(backup.stderr).toBe('');
		expect(backup.exitCode).toBe(0);
		const results = JSON.parse(backup.stdout) as Backup[];
		expect(results.map(result => result.name)).toEqual([RICH, EMPTY, BIG]);
		expect(results[0]!.labels).toEqual({ app: 'db', tier: 'backup-test' });
		expect(results[1]!).toMatchObject({ size: 0, entries: 1 });
		expect(results[2]!.size).toBe(209_715_200 + 6);
		for (const result of results) {
			const manifest = JSON.parse(readFileSync(`${result.archivePath}.json`, 'utf8')) as Backup & { engine: { apiVersion: string } };
			expect(manifest.sha256).toBe(result.sha256);
			expect(manifest.engine.apiVersion).toMatch(/^1\.\d+$/);
			expect(sha256(result.archivePath)).toBe(result.sha256);
			expect(statSync(result.archivePath).mode & 0o777).toBe(0o600);
			expect(await holders(result.name)).toEqual([]);
		}

		await execa('docker', ['volume', 'rm', RICH, EMPTY, BIG]);
		for (const result of results) {
			const restore = await runCli(['guard', 'restore', result.archivePath], { env: env() });
			expect(restore.stderr).toBe('');
			expect(restore.stdout).toMatch(new RegExp(`^${result.name}: restored .* into a new volume\\n$`));
			expect(restore.exitCode).toBe(0);
			expect(await holders(result.name)).toEqual([]);
		}
		expect(await Promise.all([RICH, EMPTY, BIG].map(listing))).toEqual(before);
		const labels = await execa('docker', ['volume', 'inspect', '--format', '{{json .Labels}}', RICH]);
		expect(JSON.parse(labels.stdout)).toEqual({ app: 'db', tier: 'backup-test' });
	}, 180_000);

	it('never overwrites an archive, and restore refuses a volume that is not empty', async () => {
		const dir = tempDir();
		const first = JSON.parse((await runCli(['guard', 'backup', RICH, '--to', dir, '--json'], { env: env() })).stdout) as Backup[];
		const second = JSON.parse((await runCli(['guard', 'backup', RICH, '--to', dir, '--json'], { env: env() })).stdout) as Backup[];
		expect(second[0]!.archivePath).not.toBe(first[0]!.archivePath);
		expect(sha256(first[0]!.archivePath)).toBe(first[0]!.sha256);
		expect(tars(dir)).toHaveLength(2);

		const before = await listing(RICH);
		const refused = await runCli(['guard', 'restore', first[0]!.archivePath], { env: env() });
		expect(refused.exitCode).toBe(1);
		expect(refused.stderr).toBe(
			`safe-docker: restore of volume ${RICH} failed: volume ${RICH} exists and is not empty; restore into a new volume with --as NAME\n`,
		);
		expect(await listing(RICH)).toBe(before);
		expect(await holders(RICH)).toEqual([]);

		const copy = `sd-copy-${id}`;
		volumes.push(copy);
		const restored = await runCli(['guard', 'restore', `${first[0]!.archivePath}.json`, '--as', copy], { env: env() });
		expect(restored.exitCode).toBe(0);
		expect(await listing(copy)).toBe(before);
	}, 120_000);

	it('a missing volume: one line, exit 1, nothing created', async () => {
		const dir = tempDir();
		const missing = `sd-missing-${id}`;
		const result = await runCli(['guard', 'backup', missing, '--to', dir], { env: env() });
		expect(result.exitCode).toBe(1);
		expect(result.stdout).toBe('');
		expect(result.stderr).toBe(`safe-docker: backup of volume ${missing} failed: no such volume\n`);
		expect(await exists(missing)).toBe(false);
		expect(tars(dir)).toEqual([]);
	});

	it('a corrupt or truncated archive: one line, exit 1, no volume created, no helper left', async () => {
		const dir = tempDir();
		const [good] = JSON.parse((await runCli(['guard', 'backup', RICH, '--to', dir, '--json'], { env: env() })).stdout) as Backup[];
		const bytes = readFileSync(good!.archivePath);
		const cases = {
			flipped: Buffer.from(bytes).fill(0x41, 3000, 3001),
			truncated: bytes.subarray(0, 4096),
		};
		for (const [kind, content] of Object.entries(cases)) {
			const path = join(dir, `${kind}.tar`);
			writeFileSync(path, content);
			copyFileSync(`${good!.archivePath}.json`, `${path}.json`);
			writeFileSync(`${path}.json`, readFileSync(`${path}.json`, 'utf8').replace(/"archive": "[^"]+"/, `"archive": "${kind}.tar"`));
			const target = `sd-corrupt-${kind}-${id}`;
			const result = await runCli(['guard', 'restore', path, '--as', target], { env: env() });
			expect(result.exitCode).toBe(1);
			expect(result.stderr).toMatch(new RegExp(`^safe-docker: restore of volume ${target} failed: the archive is corrupt: [^\\n]+\\n$`));
			expect(await exists(target)).toBe(false);
		}
		const noManifest = await runCli(['guard', 'restore', join(dir, 'nothing.tar')], { env: env() });
		expect(noManifest.stderr).toMatch(/failed: no manifest nothing\.tar\.json beside the archive\n$/);
		expect(noManifest.exitCode).toBe(1);
	});

	it('a full target directory: one line, exit 1, no partial archive, no helper left', async context => {
		const dir = join(tempDir(), 'full');
		mkdirSync(dir);
		// A 1 MB tmpfs is the honest full disk; it needs root (CI's engine job runs as root). Without it, skip and say so.
		const mount = await execa('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { reject: false });
		if (mount.exitCode !== 0) {
			context.skip(`cannot mount a small tmpfs here (${mount.stderr.trim()})`);
			return;
		}
		mounts.push(dir);
		const result = await runCli(['guard', 'backup', BIG, '--to', dir], { env: env() });
		expect(result.exitCode).toBe(1);
		expect(result.stderr).toBe(`safe-docker: backup of volume ${BIG} failed: no space left in ${dir}\n`);
		expect(readdirSync(dir)).toEqual([]);
		expect(await holders(BIG)).toEqual([]);
	});

	it('Ctrl-C in the middle of the copy: exit 130, one line, no partial archive, no helper left', async () => {
		const dir = tempDir();
		// Ctrl-C on a terminal signals the whole foreground group: safe-docker and the docker it runs.
		const child = execa(process.execPath, [BIN, 'guard', 'backup', BIG, '--to', dir], {
			env: env(),
			extendEnv: false,
			detached: true,
			reject: false,
			stripFinalNewline: false,
		});
		for (let waited = 0; waited < 30_000; waited += 10) {
			const partial = tars(dir)[0];
			if (partial !== undefined && statSync(join(dir, partial)).size > 1_000_000) break;
			await sleep(10);
		}
		expect(tars(dir)).toHaveLength(1);
		process.kill(-child.pid!, 'SIGINT');
		const result = await child;
		expect(result.exitCode).toBe(130);
		expect(result.stdout).toBe('');
		expect(result.stderr).toBe(`safe-docker: backup of volume ${BIG} interrupted; nothing half-done was kept\n`);
		expect(readdirSync(dir)).toEqual([]);
		expect(await holders(BIG)).toEqual([]);
	});
});
