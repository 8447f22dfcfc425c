import { chmodSync, rmSync, statSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';

/** The broker's listening socket. */
export interface BrokerSocket {
	/** Stops taking connections and removes the socket file — only while it is still this broker's own. */
	close(): void;
}

/**
 * Listens on `socketPath`, private to this user (mode 0600, created under umask 0177 so it is never open to others
 * even for a moment). The file's inode is remembered: a broker that retires, or failed to listen, never removes the
 * socket of the broker after it.
 */
export function listenPrivately(
	socketPath: string,
	handle: (socket: Socket) => void,
	events: { readonly listening: () => void; readonly failed: (error: Error) => void },
): BrokerSocket {
	const server = createServer(handle);
	let inode: number | undefined;
	server.on('error', events.failed);
	const previousMask = process.umask(0o177);
	server.listen(socketPath, () => {
		process.umask(previousMask);
		if (process.platform !== 'win32') {
			chmodSync(socketPath, 0o600);
			inode = statSync(socketPath).ino;
		}
		events.listening();
	});
	return {
		close() {
			server.close();
			if (inode === undefined) return;
			try {
				if (statSync(socketPath).ino === inode) rmSync(socketPath, { force: true });
			} catch {
				// already gone
			}
			inode = undefined;
		},
	};
}
