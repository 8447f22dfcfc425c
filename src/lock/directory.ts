import { join } from 'node:path';
import type { Config } from '../config/defaults.js';

/** Where the locks live: `lock.directory`, else `<state dir>/locks` (the state directory is asked for only then). */
export function lockDirectory(config: Config, stateDir: () => string): string {
	return config.lock.directory ?? join(stateDir(), 'locks');
}
