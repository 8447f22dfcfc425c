import { CONFIG_KEYS, Key, type KeyTree } from './keys.js';

/**
 * guard.config.example.json: every key with its built-in default, each section headed by a `$comment` that
 * says what its keys mean. Derived from the key declarations, like the JSON Schema.
 */
export function exampleConfig(): Record<string, unknown> {
	return {
		$schema: './guard.config.schema.json',
		$comment:
			"Every key with its built-in default (the seed system's numbers). Copy what you change into guard.config.json; in a project, point $schema at ./node_modules/safe-docker/guard.config.schema.json.",
		...section(CONFIG_KEYS),
	};
}

function section(tree: KeyTree): Record<string, unknown> {
	const notes = Object.entries(tree).flatMap(([name, node]) => (node instanceof Key ? [`${name}: ${node.description}`] : []));
	return {
		...(notes.length === 0 ? {} : { $comment: notes.join(' ') }),
		...Object.fromEntries(Object.entries(tree).map(([name, node]) => [name, node instanceof Key ? node.defaultValue : section(node)])),
	};
}
