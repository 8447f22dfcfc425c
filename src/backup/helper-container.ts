import { spawn as baseSpawn, type ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import type { Readable } from 'node:stream';
import type { DockerClient } from '../docker/client.js';
import { firstLine } from '../system/first-line.js';

/** The empty image the helper containers are created from: no registry, no tools, nothing to run. */
const SCRATCH_IMAGE = 'safe-docker/scratch:empty';
/** Label on every helper container, so a leftover one is recognisable as ours. */
const HELPER_LABEL = 'safe-docker.helper';
/** An empty tar: two zero blocks. */
const EMPTY_TAR = Buffer.alloc(1024);

/** docker for the backup: captured calls, plus streaming ones (`docker cp … -`). */
export interface VolumeDocker {
	readonly client: DockerClient;
	/**
	 * Starts docker with stdin from `input` (else ignored), stdout into the file descriptor `output` (else
	 * piped), stderr piped.
	 */
	readonly stream: (args: readonly string[], io?: { input?: Readable | Buffer; output?: number }) => ChildProcess;
}

export function volumeDocker(
	docker: string,
	env: NodeJS.ProcessEnv,
	client: DockerClient,
	// For testing
	spawn = baseSpawn,
): VolumeDocker {
	return {
		client,
		stream(args, { input, output } = {}) {
			const child = spawn(docker, [...args], { env, stdio: [input === undefined ? 'ignore' : 'pipe', output ?? 'pipe', 'pipe'] });
			if (Buffer.isBuffer(input)) child.stdin?.end(input);
			else if (input !== undefined && child.stdin) input.pipe(child.stdin);
			// A child that exits early must not crash us with EPIPE on its stdin.
			child.stdin?.on('error', () => undefined);
			return child;
		},
	};
}

/** The scratch image, imported from an empty tar the first time. */
export async function ensureScratchImage(docker: VolumeDocker): Promise<void> {
	const inspect = await docker.client(['image', 'inspect', '--format', '{{.Id}}', SCRATCH_IMAGE]);
	if (inspect.exitCode === 0) return;
	const child = docker.stream(['image', 'import', '--change', `LABEL ${HELPER_LABEL}=scratch`, '-', SCRATCH_IMAGE], { input: EMPTY_TAR });
	const { code, stderr } = await finished(child);
	if (code !== 0) throw new Error(`cannot create the helper image ${SCRATCH_IMAGE}: ${firstLine(stderr)}`);
}

/**
 * A container that mounts the volume at /v and is never started: `docker cp` reads and writes the volume
 * through it. `nocopy`: nothing from the (empty) image is copied into the volume.
 */
async function createHelper(docker: VolumeDocker, volume: string): Promise<string> {
	const created = await docker.client([
		'container',
		'create',
		'--label',
		`${HELPER_LABEL}=volume-backup`,
		'--label',
		`safe-docker.pid=${process.pid}`,
		'--label',
		`safe-docker.host=${hostname()}`,
		'--network',
		'none',
		'--volume',
		`${volume}:/v:nocopy`,
		SCRATCH_IMAGE,
		'/never-started',
	]);
	if (created.exitCode !== 0) throw new Error(`cannot create the helper container: ${firstLine(created.stderr)}`);
	return created.stdout.trim();
}

/** Removes a helper (never started, so no force; without -v, so no volume goes with it). */
async function removeHelper(docker: VolumeDocker, id: string): Promise<string | undefined> {
	const removed = await docker.client(['container', 'rm', id]);
	return removed.exitCode === 0 ? undefined : `the helper container ${id.slice(0, 12)} could not be removed: ${firstLine(removed.stderr)}`;
}

/** Runs `body` with a helper container on the volume, removed on every way out. */
export async function withHelper<T>(
	docker: VolumeDocker,
	volume: string,
	body: (id: string) => Promise<T>,
	onLeftover: (problem: string) => void,
): Promise<T> {
	const id = await createHelper(docker, volume);
	try {
		return await body(id);
	} finally {
		const problem = await removeHelper(docker, id);
		if (problem) onLeftover(problem);
	}
}

/** Waits for a child to exit; collects the start of its stderr. */
export function finished(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
	let stderr = '';
	child.stderr?.setEncoding('utf8');
	child.stderr?.on('data', (text: string) => {
		if (stderr.length < 4096) stderr += text;
	});
	return new Promise((resolve, reject) => {
		child.once('error', reject);
		child.once('close', (code, signal) => resolve({ code, signal, stderr }));
	});
}
