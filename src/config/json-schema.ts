import { ENV_NAME } from '../lock/paths.js';
import { KEYS, type KeySpec } from './keys.js';
import { GLOB, LABEL } from './validate.js';

/** The JSON Schema of guard.config.json (shipped as guard.config.schema.json), derived from the key list. */
export function jsonSchema(): Record<string, unknown> {
	const root = section('safe-docker configuration');
	(root['properties'] as Record<string, unknown>)['$schema'] = { type: 'string', description: 'Path or URL of this schema, for editors.' };
	for (const key of KEYS) {
		const parts = key.path.split('.');
		let node = root;
		for (const part of parts.slice(0, -1)) {
			const properties = node['properties'] as Record<string, Record<string, unknown>>;
			node = properties[part] ??= section(undefined);
		}
		(node['properties'] as Record<string, unknown>)[parts.at(-1)!] = leaf(key);
	}
	return {
		$schema: 'http://json-schema.org/draft-07/schema#',
		$id: 'https://github.com/safe-docker/safe-docker/guard.config.schema.json',
		...root,
	};
}

function section(description: string | undefined): Record<string, unknown> {
	return {
		type: 'object',
		...(description ? { description } : {}),
		properties: { $comment: { type: 'string', description: 'A note for people; ignored.' } },
		additionalProperties: false,
	};
}

function leaf(key: KeySpec): Record<string, unknown> {
	const base = { description: key.description, default: key.defaultValue };
	switch (key.type.kind) {
		case 'integer':
			return {
				...base,
				type: key.type.nullable ? ['integer', 'null'] : 'integer',
				minimum: key.type.min,
				...(key.type.max === undefined ? {} : { maximum: key.type.max }),
			};
		case 'label':
			return { ...base, type: 'string', pattern: LABEL.source };
		case 'label-list':
			return { ...base, type: 'array', items: { type: 'string', pattern: LABEL.source } };
		case 'glob-list':
			return { ...base, type: 'array', items: { type: 'string', pattern: GLOB.source } };
		case 'path':
			return { ...base, type: ['string', 'null'], minLength: 1 };
		case 'name':
			return { ...base, type: key.type.nullable ? ['string', 'null'] : 'string', pattern: ENV_NAME.source };
		case 'redis-url':
			return { ...base, type: ['string', 'null'], pattern: '^rediss?://' };
		case 'enum':
			return { ...base, type: 'string', enum: key.type.values };
		case 'command-list':
			return {
				...base,
				type: 'array',
				uniqueItems: true,
				items: { type: 'string', ...(key.type.values ? { examples: key.type.values } : {}) },
			};
	}
}
