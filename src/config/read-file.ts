import { defaultLoaders } from 'cosmiconfig';
// The Explorer class itself, not `cosmiconfig()`: that factory first runs a "meta config" search in the
// working directory with cosmiconfig's default loaders, which imports `.config/config.js` if one exists.
// An aliased `docker ps` inside a cloned repository must never execute that repository's code.
// @ts-expect-error -- internal module without type declarations; pinned by the exact cosmiconfig version
import { Explorer } from 'cosmiconfig/dist/Explorer.js';
import { ConfigError } from '../errors.js';

/**
 * Reading config files with cosmiconfig: data loaders only (JSON, YAML), code loaders that refuse, and
 * parse errors turned into one-line `ConfigError`s. Loaded only when a config file exists, so that a
 * proxied `docker ps` without one never pays for cosmiconfig and its YAML parser.
 */
export interface ExplorerLike {
	search(from: string): Promise<{ config: unknown; filepath: string } | null>;
	load(file: string): Promise<{ config: unknown; filepath: string } | null>;
}

/** A cosmiconfig explorer for `searchPlaces`, whose every failure is a one-line `ConfigError`. */
export function createExplorer(home: string, searchPlaces: readonly string[]): ExplorerLike {
	const data = (load: (file: string, content: string) => unknown) => (file: string, content: string) => {
		const value = load(file, content);
		if (typeof value === 'object' && value !== null && '$import' in value) {
			throw new ConfigError(file, '$import', 'unknown key; config files cannot import other files');
		}
		return value;
	};
	const code = (file: string) => {
		throw new ConfigError(file, undefined, 'JavaScript/TypeScript config is not supported: configuration is data only');
	};
	const explorer = new Explorer({
		moduleName: 'safe-docker',
		packageProp: 'safe-docker',
		searchPlaces: [...searchPlaces],
		searchStrategy: 'global',
		stopDir: home,
		ignoreEmptySearchPlaces: true,
		cache: false,
		transform: (result: unknown) => result,
		metaConfigFilePath: null,
		mergeImportArrays: true,
		mergeSearchPlaces: false,
		loaders: {
			'.json': data(loadJson),
			'.yaml': data(defaultLoaders['.yaml']),
			'.yml': data(defaultLoaders['.yml']),
			noExt: data(defaultLoaders.noExt),
			'.js': code,
			'.cjs': code,
			'.mjs': code,
			'.ts': code,
		},
	}) as ExplorerLike;
	return {
		search: from => wrapLoadErrors(() => explorer.search(from)),
		load: file => wrapLoadErrors(() => explorer.load(file)),
	};
}

function loadJson(_file: string, content: string): unknown {
	try {
		return JSON.parse(content);
	} catch (error) {
		const message = (error as Error).message;
		const position = /position (\d+)/.exec(message)?.[1];
		if (position === undefined) throw new Error(`not valid JSON: ${message}`);
		const before = content.slice(0, Number(position));
		const line = before.split('\n').length;
		const column = Number(position) - before.lastIndexOf('\n');
		throw new Error(`not valid JSON at line ${line}, column ${column}: ${message.replace(/ in JSON at position \d+.*$/s, '')}`);
	}
}

async function wrapLoadErrors<T>(load: () => Promise<T>): Promise<T> {
	try {
		return await load();
	} catch (error) {
		if (error instanceof ConfigError) throw error;
		const { filepath, message } = error as Error & { filepath?: string };
		const firstLine = message
			.replace(/^(JSON|YAML) Error in [^\n]*:\n/, '')
			.split('\n')[0]!
			.trim();
		const problem = /^not valid JSON/.test(firstLine) ? firstLine : `cannot be read: ${firstLine}`;
		throw new ConfigError(filepath ?? 'config', undefined, problem, { cause: error });
	}
}
