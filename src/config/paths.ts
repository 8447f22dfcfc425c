import { accessSync, chmodSync, constants, lstatSync, type Stats, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { StateDirError } from '../errors.js';
import { makeDirs } from '../system/make-dirs.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The per-user config directory: `$XDG_CONFIG_HOME/safe-docker` (`~/.config/safe-docker`), as cosmiconfig's global search. */
export function userConfigDir(env: Env = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
	if (platform === 'win32') return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), 'safe-docker', 'Config');
	if (platform === 'darwin') return join(home, 'Library', 'Preferences', 'safe-docker');
	return join(env['XDG_CONFIG_HOME'] || join(home, '.config'), 'safe-docker');
}

/** The state directory: `SAFE_DOCKER_HOME`, else `$XDG_STATE_HOME/safe-docker` (`~/.local/state/safe-docker`). */
export function stateDir(env: Env = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
	if (env['SAFE_DOCKER_HOME']) return env['SAFE_DOCKER_HOME'];
	if (platform === 'win32') return join(env['LOCALAPPDATA'] ?? join(home, 'AppData', 'Local'), 'safe-docker', 'State');
	return join(env['XDG_STATE_HOME'] || join(home, '.local', 'state'), 'safe-docker');
}

/**
 * Creates the state directory (mode 0700) if needed and checks it is a private directory this user owns:
 * the broker's socket and the audit log live there. Every problem is one `StateDirError` (exit 73), at once.
 */
export function ensureStateDir(path: string): string {
	if (!isAbsolute(path))
		throw new StateDirError(
			path,
			'is a relative path, which would make one state directory per working directory; set SAFE_DOCKER_HOME to an absolute path',
		);
	if (process.platform !== 'win32') refuseHijackable(path);
	try {
		makeDirs(path, 0o700);
	} catch (error) {
		throw new StateDirError(
			path,
			`cannot create it (${(error as NodeJS.ErrnoException).code ?? String(error)}); set SAFE_DOCKER_HOME to a writable directory`,
			{ cause: error },
		);
	}
	const stat = statSync(path);
	if (!stat.isDirectory()) throw new StateDirError(path, 'exists but is not a directory; set SAFE_DOCKER_HOME to a directory');
	if (process.platform !== 'win32') {
		if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) {
			throw new StateDirError(path, `is owned by uid ${stat.uid}, not by you; set SAFE_DOCKER_HOME to a directory of your own`);
		}
		if ((stat.mode & 0o077) !== 0) chmodSync(path, 0o700);
	}
	try {
		// A read-only mount or a chmod 500 directory must fail here, in one line, not later.
		accessSync(path, constants.W_OK | constants.X_OK);
	} catch (error) {
		throw new StateDirError(
			path,
			`is not writable (${(error as NodeJS.ErrnoException).code ?? String(error)}); set SAFE_DOCKER_HOME to a writable directory`,
			{ cause: error },
		);
	}
	return path;
}

/**
 * A state directory another user could have planted or can swap: a symlink someone else owns, or a path in
 * a world-writable directory without the sticky bit (where anyone may rename or replace it). Using it would
 * chmod and write into a directory of their choosing.
 */
function refuseHijackable(path: string): void {
	const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
	let link: Stats | undefined;
	try {
		link = lstatSync(path);
	} catch {
		// not there yet: makeDirs creates it
	}
	if (link?.isSymbolicLink() && uid !== undefined && link.uid !== uid)
		throw new StateDirError(path, `is a symlink owned by uid ${link.uid}, not by you; set SAFE_DOCKER_HOME to a directory of your own`);
	let parent: Stats | undefined;
	try {
		parent = statSync(dirname(path));
	} catch {
		return; // makeDirs reports a missing or unusable parent
	}
	if ((parent.mode & 0o002) !== 0 && (parent.mode & 0o1000) === 0)
		throw new StateDirError(
			path,
			`is in ${dirname(path)}, which anyone may write to (no sticky bit); set SAFE_DOCKER_HOME to a directory of your own`,
		);
}
