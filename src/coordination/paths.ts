import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Env = Readonly<Record<string, string | undefined>>;

/** The longest socket path the platform binds whole (sun_path holds 108 bytes on Linux, 104 elsewhere, the NUL included). */
const MAX_SOCKET_PATH = process.platform === 'linux' ? 107 : 103;

/**
 * The broker's socket: `<state dir>/broker.sock`; for a state directory too deep for a socket path (the kernel would
 * bind a truncated one), a short path in this user's runtime directory named after the state directory; on Windows a
 * named pipe derived from the state directory.
 */
export function brokerSocketPath(stateDir: string, platform: NodeJS.Platform = process.platform, env: Env = process.env): string {
	if (platform === 'win32') return `\\\\.\\pipe\\safe-docker-${fnv1a(stateDir)}`;
	const direct = join(stateDir, 'broker.sock');
	if (Buffer.byteLength(direct) <= MAX_SOCKET_PATH) return direct;
	return join(runtimeDir(env), `broker-${fnv1a(stateDir)}.sock`);
}

/** This user's private directory for short socket paths: $XDG_RUNTIME_DIR/safe-docker, else <tmp>/safe-docker-<uid>. */
function runtimeDir(env: Env = process.env): string {
	const runtime = env['XDG_RUNTIME_DIR'];
	return runtime ? join(runtime, 'safe-docker') : join(tmpdir(), `safe-docker-${process.getuid?.() ?? 'user'}`);
}

/** A short stable hash (FNV-1a, 32 bit) naming the socket or pipe of a state directory. */
function fnv1a(text: string): string {
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
	return hash.toString(16).padStart(8, '0');
}
