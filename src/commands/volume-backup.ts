import { join, resolve } from 'node:path';
import { type BackupResult, backupVolume } from '../backup/backup-volume.js';
import { type VolumeDocker, volumeDocker } from '../backup/helper-container.js';
import { restoreVolume } from '../backup/restore-volume.js';
import { rememberApiVersion } from '../docker/api-version.js';
import { dockerEndpoint } from '../docker/endpoint.js';
import { formatBytes } from '../docker/sizes.js';
import { composeVolumes } from '../docker-grammar/compose-volumes.js';
import { parseDockerArgv } from '../docker-grammar/parse.js';
import { DockerCallFailed, formatError, Interrupted, UsageError } from '../errors.js';
import { firstLine } from '../system/first-line.js';
import { statusLine } from '../system/status-line.js';
import { VERSION } from '../version.js';
import type { CommandContext } from './context.js';

export interface BackupCommandOptions {
	/** Also every volume the compose file(s) of this directory declare (not external). */
	readonly compose?: boolean;
	readonly to?: string;
	readonly json?: boolean;
}

/**
 * `safe-docker guard backup [VOLUME…] [--compose] [--to DIR] [--json]`: one verified archive plus manifest
 * per volume (default `<state dir>/backups`). One line per volume; exit 0 when all were backed up, 1 when
 * any failed, 130 on Ctrl-C (after cleaning up).
 */
export async function backupCommand(names: readonly string[], options: BackupCommandOptions, context: CommandContext): Promise<number> {
	const { env, cwd, stdout, stderr } = context;
	const fromCompose = options.compose ? composeVolumes(parseDockerArgv(['compose', 'down', '-v']), { env, cwd }) : [];
	if (fromCompose === undefined)
		throw new UsageError('--compose: no compose file found here (compose.yaml, docker-compose.yml, COMPOSE_FILE)');
	const volumes = [...new Set([...names, ...fromCompose])];
	if (volumes.length === 0) throw new UsageError('name the volumes to back up, or use --compose');
	const docker = await dockerFor(context);
	const dir = options.to === undefined ? join(context.stateDir(), 'backups') : resolve(cwd, options.to);
	const engine = await engineOf(docker, context);
	return interruptible(async signal => {
		const results: BackupResult[] = [];
		let failed = false;
		for (const volume of volumes) {
			if (fromCompose.includes(volume) && !names.includes(volume) && !(await exists(docker, volume))) {
				stderr.write(`${volume}: not created yet, nothing to back up\n`);
				continue;
			}
			const progress = progressLine(context, `backing up ${volume}`);
			try {
				const result = await backupVolume(
					volume,
					{
						dir,
						engine,
						version: VERSION,
						signal,
						onProgress: progress.update,
						onLeftover: line => stderr.write(`safe-docker: ${line}\n`),
					},
					docker,
				);
				progress.done();
				results.push(result);
				if (!options.json) {
					stdout.write(
						`${volume}: ${formatBytes(result.size)} in ${result.entries} entries → ${result.archivePath} (sha256 ${result.sha256.slice(0, 12)}…, verified, ${(result.durationMs / 1000).toFixed(1)} s)\n`,
					);
				}
			} catch (error) {
				progress.done();
				if (error instanceof Interrupted) throw error;
				failed = true;
				stderr.write(`${formatError(error)}\n`);
			}
		}
		if (options.json) stdout.write(`${JSON.stringify(results, null, 2)}\n`);
		return failed ? 1 : 0;
	});
}

/**
 * `safe-docker guard restore ARCHIVE [--as NAME] [--json]`: the archive back into a missing or empty
 * volume (its own name, or NAME). Exit 0 restored, 1 refused or failed, 130 on Ctrl-C.
 */
export async function restoreCommand(archive: string, options: { as?: string; json?: boolean }, context: CommandContext): Promise<number> {
	const docker = await dockerFor(context);
	return interruptible(async signal => {
		const result = await restoreVolume(
			resolve(context.cwd, archive),
			{
				...(options.as === undefined ? {} : { as: options.as }),
				signal,
				onLeftover: line => context.stderr.write(`safe-docker: ${line}\n`),
			},
			docker,
		);
		context.stdout.write(
			options.json
				? `${JSON.stringify(result, null, 2)}\n`
				: `${result.volume}: restored ${formatBytes(result.manifest.size)} in ${result.manifest.entries} entries from ${result.archivePath} (backed up ${result.manifest.createdAt}) into ${result.created ? 'a new' : 'an empty'} volume\n`,
		);
		return 0;
	});
}

/** Runs `body` with Ctrl-C/SIGTERM/SIGHUP turned into an abort that it cleans up after (then Interrupted, exit 130). */
async function interruptible(body: (signal: AbortSignal) => Promise<number>): Promise<number> {
	const abort = new AbortController();
	const stop = () => abort.abort();
	const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
	for (const signal of signals) process.on(signal, stop);
	try {
		return await body(abort.signal);
	} finally {
		for (const signal of signals) process.off(signal, stop);
	}
}

export async function dockerFor(context: CommandContext): Promise<VolumeDocker> {
	return volumeDocker(await context.dockerPath(), context.env, await context.docker());
}

/** The engine's version and API version, for the manifests; what docker negotiated with it is remembered for the guard. */
export async function engineOf(docker: VolumeDocker, context: CommandContext) {
	const args = ['version', '--format', '{{.Server.Version}} {{.Server.APIVersion}} {{.Client.APIVersion}}'];
	const version = await docker.client(args);
	const [engine, api, negotiated] = version.stdout.trim().split(' ');
	if (version.exitCode !== 0 || !engine || !api) throw new DockerCallFailed(args, firstLine(version.stderr, 'no server version'));
	if (negotiated) rememberApiVersion(context.stateDir(), dockerEndpoint(context.env).url, negotiated);
	return { version: engine, apiVersion: api };
}

async function exists(docker: VolumeDocker, volume: string): Promise<boolean> {
	return (await docker.client(['volume', 'inspect', '--format', '{{.Name}}', volume])).exitCode === 0;
}

/** A live byte count on a terminal (outside CI); nothing otherwise. */
function progressLine({ stderr, env }: CommandContext, what: string) {
	if (stderr.isTTY !== true) return { update: () => undefined, done: () => undefined };
	const line = statusLine(stderr, env);
	const started = Date.now();
	let shownAt = 0;
	return {
		update(bytes: number) {
			const now = Date.now();
			if (now - shownAt < 200) return;
			shownAt = now;
			const rate = bytes / Math.max(0.001, (now - started) / 1000);
			line.show(`${what}: ${formatBytes(bytes)} (${formatBytes(rate)}/s)`);
		},
		done: () => line.clear(),
	};
}
