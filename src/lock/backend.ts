import type { Config } from '../config/defaults.js';
import { lockDirectory } from './directory.js';
import { directoryLocks } from './directory-locks.js';
import type { LockBackend } from './lock-backend.js';

export interface LockBackendOptions {
	readonly config: Config;
	readonly stateDir: () => string;
	/** Where the one line goes when fleet mode falls back to the lock directory. */
	readonly stderr: Pick<NodeJS.WriteStream, 'write'>;
}

/**
 * The one place the lock backend is chosen: the fleet's Redis when `fleet.redis` is set (connected here, so
 * that an unreachable Redis is met once, as `fleet.onUnavailable` says), else the lock directory.
 */
export async function openLockBackend({ config, stateDir, stderr }: LockBackendOptions): Promise<LockBackend> {
	const local = () => directoryLocks(lockDirectory(config, stateDir), config.lock.staleMs);
	if (config.fleet.redis === null) return local();
	// Loaded only in fleet mode: ioredis and the fleet code cost the other calls nothing.
	const { openFleetLocks } = await import('../fleet/fleet-locks.js');
	return openFleetLocks({ url: config.fleet.redis, ...config.fleet }, local, stderr);
}

/** The environments whose lock is held now (on any host, in fleet mode): cleanup spares what they own. */
export async function lockedEnvironments(options: LockBackendOptions): Promise<ReadonlySet<string>> {
	const locks = await openLockBackend(options);
	try {
		return new Set((await locks.list()).filter(state => state.state === 'held').map(state => state.env));
	} finally {
		locks.close();
	}
}
