import { join } from 'node:path';
import type { Config } from '../config/defaults.js';
import { ensureStateDir, stateDir } from '../config/paths.js';

/** Where the locks live: `lock.directory`, else `<state dir>/locks`. */
export function lockDirectory(config: Config, env: Readonly<Record<string, string | undefined>>): string {
	return config.lock.directory ?? join(ensureStateDir(stateDir(env)), 'locks');
}
