import { createReadStream } from 'node:fs';
import { Interrupted, VolumeBackupFailed } from '../errors.js';
import { firstLine } from '../system/first-line.js';
import { sha256Of } from './backup-volume.js';
import { ensureScratchImage, finished, type VolumeDocker, withHelper } from './helper-container.js';
import { type BackupManifest, readManifest } from './manifest.js';
import { TarCheck } from './tar-check.js';

export interface RestoreOptions {
	/** Restore into this volume instead of the one the backup came from. */
	readonly as?: string;
	readonly signal?: AbortSignal;
	readonly onLeftover?: (problem: string) => void;
	// For testing
	readonly now?: () => number;
}

export interface RestoreResult {
	/** The volume restored into. */
	readonly volume: string;
	/** Whether this restore created it (else it existed, empty). */
	readonly created: boolean;
	readonly manifest: BackupManifest;
	readonly archivePath: string;
	readonly durationMs: number;
}

/**
 * Restores an archive written by backupVolume: the archive is checked against its manifest (sha256, a
 * well-formed tar) before anything is touched; the target must be missing (then it is created with the
 * backup's driver and labels) or empty; `docker cp - helper:/` writes the tar back through a never-started
 * helper container, keeping modes, owners and links. A volume this call created is removed again if the
 * restore fails; a helper is removed on every way out.
 */
export async function restoreVolume(archive: string, options: RestoreOptions, docker: VolumeDocker): Promise<RestoreResult> {
	const { now = Date.now, signal } = options;
	const started = now();
	let volume = options.as ?? archive;
	const fail = (problem: string) => new VolumeBackupFailed('restore', volume, problem);
	let read: Awaited<ReturnType<typeof readManifest>>;
	try {
		read = await readManifest(archive);
	} catch (error) {
		throw fail((error as Error).message);
	}
	const { manifest, archivePath } = read;
	volume = options.as ?? manifest.name;
	let created = false;
	try {
		await verifyArchive(archivePath, manifest, signal).catch(error => {
			throw signal?.aborted ? error : fail((error as Error).message);
		});
		const inspect = await docker.client(['volume', 'inspect', '--format', '{{.Name}}', volume]);
		await ensureScratchImage(docker);
		if (inspect.exitCode === 0) {
			if (!(await isEmpty(docker, volume, options))) {
				throw fail(`volume ${volume} exists and is not empty; restore into a new volume with --as NAME`);
			}
		} else {
			const labels = Object.entries(manifest.labels).flatMap(([key, value]) => ['--label', `${key}=${value}`]);
			const create = await docker.client(['volume', 'create', '--driver', manifest.driver, ...labels, volume]);
			if (create.exitCode !== 0) throw fail(`cannot create the volume: ${firstLine(create.stderr)}`);
			created = true;
		}
		await withHelper(
			docker,
			volume,
			async helper => {
				const child = docker.stream(['container', 'cp', '--archive', '-', `${helper}:/`], { input: createReadStream(archivePath) });
				const stop = () => child.kill('SIGTERM');
				signal?.addEventListener('abort', stop);
				const { code, stderr } = await finished(child).finally(() => signal?.removeEventListener('abort', stop));
				if (signal?.aborted) throw new Interrupted(`restore of volume ${volume}`);
				if (code !== 0) throw fail(`docker cp failed: ${firstLine(stderr)}`);
			},
			options.onLeftover ?? (() => undefined),
		);
		return { volume, created, manifest, archivePath, durationMs: now() - started };
	} catch (error) {
		if (created) {
			// Half-restored and ours: remove it so that the next attempt starts clean (the archive is untouched).
			const removed = await docker.client(['volume', 'rm', volume]);
			if (removed.exitCode !== 0)
				options.onLeftover?.(`the half-restored volume ${volume} could not be removed: ${firstLine(removed.stderr)}`);
		}
		if (signal?.aborted) throw new Interrupted(`restore of volume ${volume}`);
		throw error;
	}
}

/** The archive is the one the manifest describes: same length and sha256, and a complete, well-formed tar. */
async function verifyArchive(path: string, manifest: BackupManifest, signal: AbortSignal | undefined): Promise<void> {
	const tar = new TarCheck();
	let read: { sha256: string; bytes: number };
	try {
		read = await sha256Of(path, signal, chunk => tar.push(chunk));
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new Error(code === undefined ? `the archive is corrupt: ${(error as Error).message}` : `cannot read ${path}: ${code}`);
	}
	if (read.bytes !== manifest.archiveBytes || read.sha256 !== manifest.sha256) {
		throw new Error(
			`the archive is corrupt: ${read.bytes} bytes, sha256 ${read.sha256.slice(0, 12)}…, but the manifest says ${manifest.archiveBytes} bytes, sha256 ${manifest.sha256.slice(0, 12)}…`,
		);
	}
	if (!tar.summary().complete) throw new Error('the archive is corrupt: it ends before the end-of-archive marker');
}

/** Whether a volume holds nothing but its root: read through a helper until the first entry below /v. */
async function isEmpty(docker: VolumeDocker, volume: string, options: RestoreOptions): Promise<boolean> {
	return withHelper(
		docker,
		volume,
		async helper => {
			let empty = true;
			const child = docker.stream(['container', 'cp', `${helper}:/v`, '-']);
			const exited = finished(child);
			const tar = new TarCheck(name => {
				if (name === 'v' || name === 'v/') return true;
				empty = false;
				return false;
			});
			for await (const chunk of child.stdout!) {
				tar.push(chunk as Buffer);
				if (!empty) break;
			}
			child.kill('SIGTERM');
			const { code, stderr } = await exited;
			if (empty && code !== 0) throw new VolumeBackupFailed('restore', volume, `cannot read the target: ${firstLine(stderr)}`);
			return empty;
		},
		options.onLeftover ?? (() => undefined),
	);
}
