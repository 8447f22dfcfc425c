/**
 * Shapes of the docker argv grammar tables.
 *
 * A table row describes one command path as the docker CLI (cobra + pflag) defines it. Flags are written
 * compactly as a space-separated list of `short/long` or `long` words, e.g. `'a/all q/quiet no-trunc'`,
 * split into the flags that take a value and the boolean ones: that distinction is all the parser needs
 * to know where a flag's value ends and the next token begins.
 */
export interface CommandSpec {
	/** Boolean flags, e.g. `'f/force l/link v/volumes'`. */
	readonly bool?: string;
	/** Flags that take a value, e.g. `'t/time s/signal'`. */
	readonly value?: string;
	/** Other full paths that reach the same command, e.g. `['rm', 'container remove']`. */
	readonly aliases?: readonly string[];
	/**
	 * `false` when the command calls `SetInterspersed(false)`: flag parsing stops at the first positional
	 * (IMAGE, CONTAINER, SERVICE…) and everything after it belongs to the container.
	 * @default true
	 */
	readonly interspersed?: false;
	/** Where the flags are defined, `repo:path`. */
	readonly source: string;
}

/** Command path (space-separated, canonical) → its spec. */
export type CommandTable = Readonly<Record<string, CommandSpec>>;
