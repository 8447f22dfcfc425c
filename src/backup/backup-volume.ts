import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import { basename } from 'node:path';
import { Interrupted, VolumeBackupFailed } from '../errors.js';
import { firstLine } from '../system/first-line.js';
import { ensureScratchImage, finished, type VolumeDocker, withHelper } from './helper-container.js';
import { archiveStem, type BackupManifest, createArchiveFile, writeManifest } from './manifest.js';
import { TarCheck } from './tar-check.js';

export interface BackupOptions {
	/** Directory the archive and manifest go to (created, mode 0700). */
	readonly dir: string;
	readonly engine: BackupManifest['engine'];
	readonly version: string;
	/** Aborting (Ctrl-C) stops the copy, deletes the partial archive and removes the helper. */
	readonly signal?: AbortSignal;
	/** Bytes of archive written so far, as they flow. */
	readonly onProgress?: (bytes: number) => void;
	/** A helper container that could not be removed: said, never hidden. */
	readonly onLeftover?: (problem: string) => void;
	// For testing
	readonly now?: () => Date;
}

/** The backup of one volume, as written and verified. */
export interface BackupResult extends BackupManifest {
	readonly archivePath: string;
	readonly manifestPath: string;
	readonly durationMs: number;
}

interface VolumeInfo {
	readonly Driver: string;
	readonly Labels: Record<string, string> | null;
	readonly Options: Record<string, string> | null;
}

/**
 * Backs up one volume with only the docker binary: a never-started helper container mounts it, `docker cp
 * helper:/v -` streams it as tar into `<dir>/<volume>-<time>.tar` (hashed and checked as it flows), the
 * file is synced, read back and compared, and only then is its manifest written. Never overwrites a file;
 * on any failure (a full disk, Ctrl-C, a daemon error) the partial archive is deleted and the helper removed.
 */
export async function backupVolume(volume: string, options: BackupOptions, docker: VolumeDocker): Promise<BackupResult> {
	try {
		return await backup(volume, options, docker);
	} catch (error) {
		if (options.signal?.aborted) throw new Interrupted(`backup of volume ${volume}`);
		throw error;
	}
}

async function backup(volume: string, options: BackupOptions, docker: VolumeDocker): Promise<BackupResult> {
	const { now = () => new Date(), signal } = options;
	const fail = (problem: string, cause?: unknown) =>
		new VolumeBackupFailed('backup', volume, problem, cause === undefined ? {} : { cause });
	const inspect = await docker.client(['volume', 'inspect', '--format', '{{json .}}', volume]);
	if (inspect.exitCode !== 0) {
		throw fail(/no such volume/i.test(inspect.stderr) ? 'no such volume' : firstLine(inspect.stderr));
	}
	const info = JSON.parse(inspect.stdout) as VolumeInfo;
	await ensureScratchImage(docker).catch(error => {
		throw fail((error as Error).message, error);
	});
	await mkdir(options.dir, { recursive: true, mode: 0o700 }).catch(error => {
		throw fail(`cannot create ${options.dir}: ${(error as NodeJS.ErrnoException).code}`, error);
	});
	const started = now();
	const file = await createArchiveFile(options.dir, archiveStem(volume, started)).catch(error => {
		throw fail(`cannot write in ${options.dir}: ${(error as NodeJS.ErrnoException).code}`, error);
	});
	let keep = false;
	try {
		await withHelper(docker, volume, helper => copyOut(helper), options.onLeftover ?? (() => undefined));
		await file.handle.sync();
		await file.handle.close();
		// Verified after writing: read back from disk, every tar header checked, hashed for the manifest.
		const tar = new TarCheck();
		const written = await sha256Of(file.path, signal, chunk => tar.push(chunk)).catch(error => {
			throw signal?.aborted ? error : fail(`verification of ${file.path} failed: ${(error as Error).message}`, error);
		});
		const summary = tar.summary();
		if (!summary.complete) throw fail(`verification of ${file.path} failed: the archive ends before its end-of-archive marker`);
		const manifest: BackupManifest = {
			format: 'safe-docker-volume-backup/1',
			name: volume,
			driver: info.Driver,
			labels: info.Labels ?? {},
			options: info.Options ?? {},
			size: summary.contentBytes,
			entries: summary.entries,
			archive: basename(file.path),
			archiveBytes: written.bytes,
			sha256: written.sha256,
			engine: options.engine,
			createdAt: started.toISOString(),
			createdBy: options.version,
		};
		await writeManifest(file.manifestPath, manifest).catch(error => {
			throw fail(`cannot write the manifest ${file.manifestPath}: ${(error as NodeJS.ErrnoException).code}`, error);
		});
		keep = true;
		return { ...manifest, archivePath: file.path, manifestPath: file.manifestPath, durationMs: now().getTime() - started.getTime() };
	} finally {
		if (!keep) {
			await file.handle.close().catch(() => undefined);
			await unlink(file.path).catch(() => undefined);
		}
	}

	/** docker writes the tar straight into the archive file: no copy through this process, as fast as a raw `docker cp`. */
	async function copyOut(helper: string): Promise<void> {
		const child = docker.stream(['container', 'cp', `${helper}:/v`, '-'], { output: file.handle.fd });
		const stop = () => child.kill('SIGTERM');
		signal?.addEventListener('abort', stop);
		const progress =
			options.onProgress &&
			setInterval(
				() =>
					void file.handle.stat().then(
						stat => options.onProgress?.(stat.size),
						() => undefined,
					),
				200,
			);
		try {
			const { code, stderr } = await finished(child);
			if (signal?.aborted) throw new Interrupted(`backup of volume ${volume}`);
			if (code !== 0)
				throw fail(
					/no space left/i.test(stderr) ? `no space left in ${options.dir}` : `docker cp failed: ${firstLine(stderr, `exit code ${code}`)}`,
				);
		} finally {
			signal?.removeEventListener('abort', stop);
			if (progress) clearInterval(progress);
		}
	}
}

/** sha256 and length of a file, read back from disk; `each` sees every chunk (and may throw). */
export async function sha256Of(
	path: string,
	signal?: AbortSignal,
	each: (chunk: Buffer) => void = () => undefined,
): Promise<{ sha256: string; bytes: number }> {
	const hash = createHash('sha256');
	let bytes = 0;
	for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20, ...(signal ? { signal } : {}) })) {
		hash.update(chunk as Buffer);
		bytes += (chunk as Buffer).length;
		each(chunk as Buffer);
	}
	return { sha256: hash.digest('hex'), bytes };
}
