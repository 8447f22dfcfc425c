import { open, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const FORMAT = 'safe-docker-volume-backup/1';

/** What a backup archive holds and where it came from; written beside the archive as `<archive>.json`. */
export interface BackupManifest {
	readonly format: typeof FORMAT;
	/** The volume's name. */
	readonly name: string;
	readonly driver: string;
	readonly labels: Readonly<Record<string, string>>;
	/** Driver options, recorded (restore creates the volume with the driver and labels only). */
	readonly options: Readonly<Record<string, string>>;
	/** Bytes of file content in the volume. */
	readonly size: number;
	/** Files, directories, links… in the volume, its root included. */
	readonly entries: number;
	/** The archive's file name, in the manifest's directory. */
	readonly archive: string;
	readonly archiveBytes: number;
	/** sha256 of the archive file, hex. */
	readonly sha256: string;
	readonly engine: { readonly version: string; readonly apiVersion: string };
	/** ISO time the backup was taken. */
	readonly createdAt: string;
	/** safe-docker's version. */
	readonly createdBy: string;
}

/** `pgdata-20261203T074300Z`: the volume and the UTC second, file-name safe (volume names are `[a-zA-Z0-9][a-zA-Z0-9_.-]*`). */
export function archiveStem(volume: string, at: Date): string {
	return `${volume}-${at
		.toISOString()
		.replace(/[-:]/g, '')
		.replace(/\.\d+Z$/, 'Z')}`;
}

/**
 * Opens a new archive file that never replaces one: `<stem>.tar`, else `<stem>-2.tar`, … (O_EXCL), with
 * a manifest name to match. Mode 0600: a volume may hold secrets.
 */
export async function createArchiveFile(dir: string, stem: string) {
	for (let n = 1; ; n++) {
		const path = join(dir, `${n === 1 ? stem : `${stem}-${n}`}.tar`);
		try {
			const handle = await open(path, 'wx', 0o600);
			return { path, handle, manifestPath: `${path}.json` };
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || n > 1000) throw error;
		}
	}
}

export async function writeManifest(path: string, manifest: BackupManifest): Promise<void> {
	const handle = await open(path, 'wx', 0o600);
	try {
		await handle.writeFile(`${JSON.stringify(manifest, null, 2)}\n`);
		await handle.sync();
	} finally {
		await handle.close();
	}
}

/**
 * The manifest of an archive, given the archive (`x.tar`, manifest `x.tar.json`) or the manifest itself.
 * Throws a one-line Error when it is missing or not one of ours.
 */
export async function readManifest(given: string): Promise<{ manifest: BackupManifest; archivePath: string }> {
	const manifestPath = given.endsWith('.json') ? given : `${given}.json`;
	let text: string;
	try {
		text = await readFile(manifestPath, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new Error(
			code === 'ENOENT' ? `no manifest ${basename(manifestPath)} beside the archive` : `cannot read ${manifestPath}: ${code}`,
		);
	}
	let manifest: BackupManifest;
	try {
		manifest = JSON.parse(text) as BackupManifest;
	} catch {
		throw new Error(`${manifestPath} is not valid JSON`);
	}
	if (manifest?.format !== FORMAT || typeof manifest.sha256 !== 'string' || typeof manifest.archive !== 'string') {
		throw new Error(`${manifestPath} is not a safe-docker backup manifest (${FORMAT})`);
	}
	return { manifest, archivePath: join(dirname(manifestPath), basename(manifest.archive)) };
}
