import { join } from 'node:path';

/** The broker's socket: `<state dir>/broker.sock`, or on Windows a named pipe derived from the state directory. */
export function brokerSocketPath(stateDir: string, platform: NodeJS.Platform = process.platform): string {
	if (platform === 'win32') return `\\\\.\\pipe\\safe-docker-${fnv1a(stateDir)}`;
	return join(stateDir, 'broker.sock');
}

/** A short stable hash (FNV-1a, 32 bit) naming the pipe of a state directory. */
function fnv1a(text: string): string {
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
	return hash.toString(16).padStart(8, '0');
}
