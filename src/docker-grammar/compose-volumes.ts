import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { flagValues, type ParsedCall } from './parse.js';

/** Default compose file names, in the order compose v2 looks for them (compose-go cli/options.go). */
const DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
const OVERRIDE_FILES = ['compose.override.yaml', 'compose.override.yml', 'docker-compose.override.yml', 'docker-compose.override.yaml'];

export interface ComposeLookup {
	readonly env: Readonly<Record<string, string | undefined>>;
	readonly cwd: string;
	// For testing
	readonly readText?: (path: string) => string | undefined;
}

type Yaml = Record<string, unknown>;

/**
 * The named volumes `compose down -v` would remove, best effort: the non-external volumes declared in the
 * compose file(s) that `-f`, `COMPOSE_FILE` or the default names resolve to, each as the engine names it
 * (`<project>_<key>`, or its own `name:`). Undefined when the files cannot be found or read: the caller
 * then says "its volumes" without names, never fails.
 */
export function composeVolumes(call: ParsedCall, { env, cwd, readText = readQuietly }: ComposeLookup): string[] | undefined {
	const projectDirFlag = flagValues(call.parentFlags, 'project-directory').pop();
	const files = composeFiles(call, env, cwd, projectDirFlag, readText);
	if (files === undefined || files.length === 0) return undefined;
	const documents: Yaml[] = [];
	for (const file of files) {
		const text = readText(file);
		if (text === undefined) return undefined;
		try {
			const doc = parse(text) as unknown;
			if (doc !== null && typeof doc === 'object') documents.push(doc as Yaml);
		} catch {
			return undefined;
		}
	}
	const volumes: Record<string, unknown> = {};
	let declaredName: unknown;
	for (const doc of documents) {
		if (doc['name'] !== undefined) declaredName = doc['name'];
		const declared = doc['volumes'];
		if (declared === null || typeof declared !== 'object') continue;
		for (const [key, value] of Object.entries(declared as Yaml)) {
			const before = volumes[key];
			volumes[key] = isObject(before) && isObject(value) ? { ...before, ...value } : value;
		}
	}
	const project = normalizeProject(
		flagValues(call.parentFlags, 'project-name').pop() ??
			env['COMPOSE_PROJECT_NAME'] ??
			(typeof declaredName === 'string' ? interpolate(declaredName, env) : undefined) ??
			basename(projectDirFlag === undefined ? dirname(files[0]!) : resolve(cwd, projectDirFlag)),
	);
	const names: string[] = [];
	for (const [key, value] of Object.entries(volumes)) {
		const spec = isObject(value) ? value : {};
		if (spec['external'] !== undefined && spec['external'] !== false) continue;
		names.push(typeof spec['name'] === 'string' ? interpolate(spec['name'], env) : `${project}_${key}`);
	}
	return names;
}

function composeFiles(
	call: ParsedCall,
	env: ComposeLookup['env'],
	cwd: string,
	projectDir: string | undefined,
	readText: (path: string) => string | undefined,
): string[] | undefined {
	const given = flagValues(call.parentFlags, 'file');
	if (given.includes('-')) return undefined; // stdin: nothing we can read
	if (given.length > 0) return given.map(file => resolve(cwd, file));
	const fromEnv = env['COMPOSE_FILE'];
	if (fromEnv !== undefined && fromEnv !== '') {
		const separator = env['COMPOSE_PATH_SEPARATOR'] ?? (process.platform === 'win32' ? ';' : ':');
		return fromEnv
			.split(separator)
			.filter(file => file !== '')
			.map(file => resolve(cwd, file));
	}
	// compose looks in the project directory, else in the working directory and its parents.
	let dir = resolve(cwd, projectDir ?? '.');
	for (;;) {
		const found = DEFAULT_FILES.map(name => resolve(dir, name)).find(path => readText(path) !== undefined);
		if (found !== undefined) {
			const override = OVERRIDE_FILES.map(name => resolve(dir, name)).find(path => readText(path) !== undefined);
			return override === undefined ? [found] : [found, override];
		}
		const parent = dirname(dir);
		if (projectDir !== undefined || parent === dir) return undefined;
		dir = parent;
	}
}

/** compose-go's NormalizeProjectName: lower case, only `a-z 0-9 _ -`, no leading `_`/`-`. */
function normalizeProject(name: string): string {
	return name
		.toLowerCase()
		.replace(/[^-_a-z0-9]+/g, '')
		.replace(/^[-_]+/, '');
}

/** `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `$VAR` and `$$`, from the environment (compose's own interpolation, minus errors). */
function interpolate(text: string, env: ComposeLookup['env']): string {
	return text.replace(
		/\$(?:\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
		(match, braced, op, fallback, bare) => {
			if (match === '$$') return '$';
			const value = env[(braced ?? bare) as string];
			if (op === ':-') return value === undefined || value === '' ? (fallback as string) : value;
			if (op === '-') return value ?? (fallback as string);
			return value ?? '';
		},
	);
}

function isObject(value: unknown): value is Yaml {
	return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function readQuietly(path: string): string | undefined {
	try {
		return readFileSync(path, 'utf8');
	} catch {
		return undefined;
	}
}
