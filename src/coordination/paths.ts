import { createHash } from 'node:crypto';
import { join } from 'node:path';

/** The broker's socket: `<state dir>/broker.sock`, or on Windows a named pipe derived from the state directory. */
export function brokerSocketPath(stateDir: string, platform: NodeJS.Platform = process.platform): string {
	if (platform === 'win32') return `\\\\.\\pipe\\safe-docker-${createHash('sha256').update(stateDir).digest('hex').slice(0, 16)}`;
	return join(stateDir, 'broker.sock');
}
