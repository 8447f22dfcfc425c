import type { HeldLock, LockRequest } from './acquire.js';
import type { LockState } from './status.js';

/** Where environment locks are kept: this host's lock directory, or the fleet's Redis. */
export interface LockBackend {
	/** For messages: the lock directory, or the fleet's Redis URL without its credentials. */
	readonly where: string;
	acquire(request: LockRequest): Promise<HeldLock>;
	state(env: string): Promise<LockState>;
	/** Every lock present (held or stale), by environment name. */
	list(): Promise<LockState[]>;
	/** Removes `env`'s lock whoever holds it (`guard unlock --force`). */
	remove(env: string): Promise<void>;
	/** Lets go of the connection, if any. */
	close(): void;
}
