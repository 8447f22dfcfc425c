import { CONFIG_KEYS, type ConfigOf, Key, type KeyTree } from './keys.js';

/** The effective configuration: one value per key declared in `keys.ts`. */
export type Config = ConfigOf<typeof CONFIG_KEYS>;

function defaultsOf(tree: KeyTree): Record<string, unknown> {
	return Object.fromEntries(Object.entries(tree).map(([name, node]) => [name, node instanceof Key ? node.defaultValue : defaultsOf(node)]));
}

/** Every built-in default, derived from the key declarations. */
export const DEFAULTS = defaultsOf(CONFIG_KEYS) as Config;
