import { join } from 'node:path';
import { UsageError } from '../errors.js';

/** Environment names become file names: keep them to a safe alphabet. */
export const ENV_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function checkEnvName(env: string): string {
	if (!ENV_NAME.test(env))
		throw new UsageError(
			`environment name ${JSON.stringify(env)} is not allowed: use letters, digits, '.', '_' and '-' (up to 128), starting with a letter or digit`,
		);
	return env;
}

/** The files of one environment's lock in `dir`. */
export function lockFiles(dir: string, env: string): { target: string; lockDir: string; holder: string; takeover: string } {
	const base = join(dir, checkEnvName(env));
	return { target: base, lockDir: `${base}.lock`, holder: `${base}.holder.json`, takeover: `${base}.takeover` };
}
