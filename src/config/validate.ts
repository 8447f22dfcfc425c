import { canonicalCommand } from '../docker-grammar/parse.js';
import { ConfigError } from '../errors.js';
import { isRedisUrl, redactRedisUrl } from '../fleet/redis-url.js';
import { ENV_NAME } from '../lock/paths.js';
import { describeAllowed, KEYS, type KeySpec } from './keys.js';

/** A docker label name. */
export const LABEL = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,254}$/;
/** A glob over docker object names (`[a-zA-Z0-9][a-zA-Z0-9_.-]*`): those characters plus `*`, `?`, `[`, `]`, `!`. */
export const GLOB = /^[A-Za-z0-9_.*?[\]!-]{1,255}$/;
const byPath = new Map(KEYS.map(key => [key.path, key]));
/** Section path ('' for the root) → the key names allowed in it. */
const sections = new Map<string, Set<string>>();
for (const { path } of KEYS) {
	const parts = path.split('.');
	for (let i = 0; i < parts.length; i++) {
		const section = parts.slice(0, i).join('.');
		if (!sections.has(section)) sections.set(section, new Set());
		sections.get(section)!.add(parts[i]!);
	}
}

/** A value set by one source, already checked against its key. */
export interface Setting {
	readonly key: KeySpec;
	readonly value: unknown;
}

/**
 * Checks a parsed config file (or package.json property) and returns its settings; the first unknown
 * key or bad value throws a `ConfigError` naming the file, the key, the value and what is allowed.
 */
export function validateConfigObject(raw: unknown, source: string): Setting[] {
	if (!isPlainObject(raw)) throw new ConfigError(source, undefined, `expected a JSON object of settings, got ${show(raw)}`);
	const settings: Setting[] = [];
	walk(raw, '', source, settings);
	return settings;
}

function walk(object: Record<string, unknown>, section: string, source: string, out: Setting[]): void {
	const allowed = sections.get(section)!;
	for (const [name, value] of Object.entries(object)) {
		if ((section === '' && name === '$schema') || name === '$comment') continue;
		const path = section === '' ? name : `${section}.${name}`;
		if (!allowed.has(name)) {
			throw new ConfigError(
				source,
				path,
				`unknown key; allowed ${section === '' ? 'at the top level' : `in ${section}`}: ${[...allowed].join(', ')}`,
			);
		}
		const key = byPath.get(path);
		if (key === undefined) {
			if (!isPlainObject(value))
				throw new ConfigError(
					source,
					path,
					`${show(value)} is not allowed: expected an object with keys ${[...sections.get(path)!].join(', ')}`,
				);
			walk(value, path, source, out);
		} else {
			out.push({ key, value: checkValue(key, value, source) });
		}
	}
}

/** Checks one value as it appears in a file (JSON types). */
function checkValue(key: KeySpec, value: unknown, source: string): unknown {
	const { type } = key;
	// A Redis URL is never echoed as given: it may carry credentials.
	const shown = type.kind === 'redis-url' && typeof value === 'string' ? JSON.stringify(redactRedisUrl(value)) : show(value);
	const bad = () => new ConfigError(source, key.path, `${shown} is not allowed: expected ${describeAllowed(type)}`);
	switch (type.kind) {
		case 'integer':
			if (value === null && type.nullable) return value;
			if (typeof value !== 'number' || !Number.isInteger(value) || value < type.min || (type.max !== undefined && value > type.max))
				throw bad();
			return value;
		case 'path':
			if (value === null) return value;
			if (typeof value !== 'string' || value.trim() === '') throw bad();
			return value;
		case 'name':
			if (value === null && type.nullable) return value;
			if (typeof value !== 'string' || !ENV_NAME.test(value)) throw bad();
			return value;
		case 'redis-url':
			if (value === null) return value;
			if (typeof value !== 'string' || !isRedisUrl(value)) throw bad();
			return value;
		case 'enum':
			if (typeof value !== 'string' || !type.values.includes(value)) throw bad();
			return value;
		case 'label':
			if (typeof value !== 'string' || !LABEL.test(value)) throw bad();
			return value;
		case 'label-list':
			if (!Array.isArray(value) || !value.every(item => typeof item === 'string' && LABEL.test(item))) throw bad();
			return value;
		case 'glob-list':
			if (!Array.isArray(value) || !value.every(item => typeof item === 'string' && GLOB.test(item))) throw bad();
			return value;
		case 'command-list': {
			if (!Array.isArray(value)) throw bad();
			return value.map(item => {
				const canonical = typeof item === 'string' ? canonicalCommand(item.trim().split(/\s+/)) : undefined;
				if (canonical === undefined || (type.values !== undefined && !type.values.includes(canonical))) {
					throw new ConfigError(source, key.path, `${show(item)} is not allowed: expected ${describeAllowed(type)}`);
				}
				return canonical;
			});
		}
	}
}

/** Checks one value given as an environment variable (always a string). */
export function parseEnvValue(key: KeySpec, text: string, source: string): unknown {
	switch (key.type.kind) {
		case 'integer':
			if (key.type.nullable && text.trim() === '') return checkValue(key, null, source);
			return checkValue(key, /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text, source);
		case 'label':
		case 'enum':
			return checkValue(key, text, source);
		case 'label-list':
		case 'glob-list':
		case 'command-list':
			return checkValue(
				key,
				text
					.split(',')
					.map(item => item.trim())
					.filter(Boolean),
				source,
			);
		case 'path':
		case 'name':
		case 'redis-url':
			return checkValue(key, text === '' ? null : text, source);
	}
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
	let text: string;
	try {
		text = JSON.stringify(value) ?? String(value);
	} catch {
		text = Array.isArray(value) ? '[[[…]]] (nested too deeply)' : '{…} (nested too deeply)'; // a stack overflow, not a crash
	}
	return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
