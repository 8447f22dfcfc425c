import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { closest } from '../system/closest.js';
import { type Config, DEFAULTS } from './defaults.js';
import { envNameOf, KEYS } from './keys.js';
import { userConfigDir } from './paths.js';
import type { ExplorerLike } from './read-file.js';
import { parseEnvValue, type Setting, validateConfigObject } from './validate.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The effective configuration and, for every key, where its value came from. */
export interface LoadedConfig {
	readonly config: Config;
	/** Key path → `default`, a file path, or `env NAME`. */
	readonly origins: ReadonlyMap<string, string>;
	/** The files that were read, lowest precedence first. */
	readonly files: readonly string[];
	/** One line each, for stderr: unknown `SAFE_DOCKER_*` variables (ignored). */
	readonly warnings: readonly string[];
}

export interface LoadOptions {
	readonly cwd?: string;
	readonly env?: Env;
	readonly home?: string;
	/** Only the defaults and the environment: what a read call goes on with when a config file is broken. */
	readonly skipFiles?: boolean;
}

/** Project files, searched in this order in each directory from the working directory up. */
const PROJECT_FILES = [
	'guard.config.json',
	'package.json',
	'.safe-dockerrc',
	'.safe-dockerrc.json',
	'.safe-dockerrc.yaml',
	'.safe-dockerrc.yml',
];
/** Code-based config names people may try; found, they are an error rather than silently ignored. */
const CODE_FILES = [
	'guard.config.js',
	'guard.config.cjs',
	'guard.config.mjs',
	'guard.config.ts',
	'.safe-dockerrc.js',
	'.safe-dockerrc.cjs',
	'.safe-dockerrc.mjs',
	'.safe-dockerrc.ts',
];
const USER_FILES = ['config.json', 'config.yaml', 'config.yml', 'config'];
const USER_CODE_FILES = ['config.js', 'config.cjs', 'config.mjs', 'config.ts'];

/** Environment variables of ours that users set and that are not config keys. */
const OTHER_VARIABLES = ['SAFE_DOCKER_CONFIG', 'SAFE_DOCKER_HOME', 'SAFE_DOCKER_ALLOW_FORCE', 'SAFE_DOCKER_ALLOW_DATA_LOSS'];
/** Variables safe-docker sets for its own children: not settings, never suggested. */
const INTERNAL_VARIABLES = new Set([
	'SAFE_DOCKER_PARENT_PID',
	'SAFE_DOCKER_SHIMS',
	'SAFE_DOCKER_LOCKS',
	'SAFE_DOCKER_BROKER',
	'SAFE_DOCKER_BROKER_TRACE',
]);

/**
 * Loads the configuration: built-in defaults, then the per-user file, then the project file
 * (`SAFE_DOCKER_CONFIG`, or the first `guard.config.json` / `.safe-dockerrc*` / package.json "safe-docker"
 * key found searching up from the working directory), then `SAFE_DOCKER_*` environment variables.
 */
export async function loadConfig({
	cwd = process.cwd(),
	env = process.env,
	home = homedir(),
	skipFiles = false,
}: LoadOptions = {}): Promise<LoadedConfig> {
	const layers: Array<{ source: string; settings: Setting[] }> = skipFiles ? [] : await fileLayers(cwd, env, home);
	const warnings: string[] = [];
	layers.push({ source: 'environment', settings: readEnv(env, warnings) });

	const config = structuredClone(DEFAULTS) as Config;
	const origins = new Map(KEYS.map(key => [key.path, 'default']));
	for (const layer of layers) {
		for (const { key, value } of layer.settings) {
			setPath(config, key.path, value);
			origins.set(key.path, layer.source === 'environment' ? `env ${envSourceOf(key.path, env)}` : layer.source);
		}
	}
	checkLevels(config, origins);
	return { config, origins, files: layers.filter(layer => layer.source !== 'environment').map(layer => layer.source), warnings };
}

/** The per-user file, then the project file (`SAFE_DOCKER_CONFIG`, or the first one found searching up). */
async function fileLayers(cwd: string, env: Env, home: string): Promise<Array<{ source: string; settings: Setting[] }>> {
	let explorer: Promise<ExplorerLike> | undefined;
	const reader = () => (explorer ??= import('./read-file.js').then(module => module.createExplorer(home, PROJECT_FILES)));
	const layers: Array<{ source: string; settings: Setting[] }> = [];
	const userDir = userConfigDir(env, process.platform, home);
	rejectCodeFiles(USER_CODE_FILES.map(name => join(userDir, name)));
	const userFile = USER_FILES.map(name => join(userDir, name)).find(file => existsSync(file));
	if (userFile) layers.push(await readLayer(await reader(), userFile));

	const named = env['SAFE_DOCKER_CONFIG'];
	if (named) {
		const file = resolve(cwd, named);
		if (!existsSync(file)) throw new ConfigError('SAFE_DOCKER_CONFIG', undefined, `names ${file}, which does not exist`);
		layers.push(await readLayer(await reader(), file));
	} else {
		const found = await searchProject(reader, cwd, home, userDir);
		if (found) layers.push(found);
	}

	return layers;
}

/**
 * The project file. A quick look for candidates comes first, so that the common case (no config file at
 * all) never loads cosmiconfig; where there is one, cosmiconfig's search decides, from that directory up.
 */
async function searchProject(
	reader: () => Promise<ExplorerLike>,
	cwd: string,
	home: string,
	userDir: string,
): Promise<{ source: string; settings: Setting[] } | undefined> {
	const dirs = searchDirs(cwd, home);
	const start = dirs.findIndex(dir => {
		// A code config where a user may expect it to apply is an error, not silently skipped.
		rejectCodeFiles(CODE_FILES.map(name => join(dir, name)));
		return PROJECT_FILES.some(name => isCandidate(join(dir, name)));
	});
	if (start === -1) return undefined;
	const explorer = await reader();
	const found = await explorer.search(dirs[start]!);
	// cosmiconfig's global strategy ends in the per-user directory, which was read already.
	if (!found || dirname(found.filepath) === userDir) return undefined;
	for (const dir of dirs.slice(start + 1, dirs.indexOf(dirname(found.filepath)) + 1))
		rejectCodeFiles(CODE_FILES.map(name => join(dir, name)));
	return { source: found.filepath, settings: validateConfigObject(found.config, found.filepath) };
}

/** The directories searched, as cosmiconfig's global strategy walks them: up from `cwd`, ending at home or the root. */
function searchDirs(cwd: string, home: string): string[] {
	const dirs = [resolve(cwd)];
	while (dirs.at(-1) !== resolve(home) && dirname(dirs.at(-1)!) !== dirs.at(-1)) dirs.push(dirname(dirs.at(-1)!));
	return dirs;
}

function isCandidate(file: string): boolean {
	if (!existsSync(file)) return false;
	if (!file.endsWith('package.json')) return regularFile(file);
	if (!statSync(file).isFile()) return false; // not ours, and reading a FIFO would hang
	const text = readFileSync(file, 'utf8');
	try {
		const manifest: unknown = JSON.parse(text);
		return typeof manifest === 'object' && manifest !== null && 'safe-docker' in manifest;
	} catch {
		// A broken package.json without our key is someone else's problem; with it, it is a broken config.
		return /"safe-docker"\s*:/.test(text);
	}
}

async function readLayer(explorer: ExplorerLike, file: string): Promise<{ source: string; settings: Setting[] }> {
	regularFile(file);
	const result = await explorer.load(file);
	return { source: file, settings: result ? validateConfigObject(result.config, file) : [] };
}

function readEnv(env: Env, warnings: string[]): Setting[] {
	const settings: Setting[] = [];
	const known = new Set(OTHER_VARIABLES);
	for (const key of KEYS) {
		for (const name of [envNameOf(key.path), ...key.envAliases]) {
			known.add(name);
			const text = env[name];
			if (text !== undefined) settings.push({ key, value: parseEnvValue(key, text, name) });
		}
	}
	// A stray variable must not stop docker: one line, naming the setting it most likely meant.
	for (const name of Object.keys(env)) {
		if (name.startsWith('SAFE_DOCKER_') && !known.has(name) && !INTERNAL_VARIABLES.has(name)) {
			const meant = closest(name, known);
			warnings.push(
				`safe-docker: warning: ${name} is not a safe-docker setting (ignored)${meant ? `; did you mean ${meant}?` : '; see safe-docker guard config'}`,
			);
		}
	}
	return settings;
}

function envSourceOf(path: string, env: Env): string {
	const key = KEYS.find(candidate => candidate.path === path)!;
	return [envNameOf(key.path), ...key.envAliases].filter(name => env[name] !== undefined).at(-1)!;
}

function checkLevels(config: Config, origins: ReadonlyMap<string, string>): void {
	const { warningPercent, criticalPercent, emergencyPercent } = config.health;
	if (!(warningPercent < criticalPercent && criticalPercent < emergencyPercent)) {
		const source =
			origins.get('health.criticalPercent') === 'default' ? origins.get('health.warningPercent')! : origins.get('health.criticalPercent')!;
		throw new ConfigError(
			source,
			'health',
			`levels must rise: warningPercent (${warningPercent}) < criticalPercent (${criticalPercent}) < emergencyPercent (${emergencyPercent})`,
		);
	}
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
	const parts = path.split('.');
	let node = target;
	for (const part of parts.slice(0, -1)) node = node[part] as Record<string, unknown>;
	node[parts.at(-1)!] = value;
}

function rejectCodeFiles(files: readonly string[]): void {
	const file = files.find(candidate => existsSync(candidate));
	if (file)
		throw new ConfigError(
			file,
			undefined,
			'JavaScript/TypeScript config is not supported: configuration is data only (use guard.config.json, .safe-dockerrc.yaml or a "safe-docker" key in package.json)',
		);
}

/** True for a regular file; anything else where a config file belongs (a FIFO would hang the read) is an error. */
function regularFile(file: string): true {
	if (statSync(file).isFile()) return true;
	throw new ConfigError(
		file,
		undefined,
		'is not a regular file (a FIFO, a directory or a device); configuration is read from regular files only',
	);
}
