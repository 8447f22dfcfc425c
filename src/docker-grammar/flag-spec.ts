import type { CommandSpec } from './types.js';

/** One flag a command defines. */
export interface FlagDef {
	/** Long name without dashes: `force`. */
	readonly long: string;
	/** Shorthand letter, if any: `f`. */
	readonly short?: string;
	readonly takesValue: boolean;
}

/** A command's flags, indexed for parsing. */
export interface FlagSet {
	readonly byLong: ReadonlyMap<string, FlagDef>;
	readonly byShort: ReadonlyMap<string, FlagDef>;
}

const cache = new WeakMap<object, FlagSet>();

/** Indexes the flags of one or more specs (a command plus the persistent flags of its parents). */
export function flagSetOf(...specs: readonly CommandSpec[]): FlagSet {
	const single = specs.length === 1 ? specs[0]! : undefined;
	const cached = single && cache.get(single);
	if (cached) return cached;
	const byLong = new Map<string, FlagDef>();
	const byShort = new Map<string, FlagDef>();
	for (const spec of specs) {
		for (const [words, takesValue] of [
			[spec.bool, false],
			[spec.value, true],
		] as const) {
			for (const word of words?.split(' ') ?? []) {
				if (word === '') continue;
				const slash = word.indexOf('/');
				const def: FlagDef =
					slash === -1 ? { long: word, takesValue } : { long: word.slice(slash + 1), short: word.slice(0, slash), takesValue };
				byLong.set(def.long, def);
				if (def.short) byShort.set(def.short, def);
			}
		}
	}
	const set = { byLong, byShort };
	if (single) cache.set(single, set);
	return set;
}
