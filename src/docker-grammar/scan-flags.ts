import type { FlagDef, FlagSet } from './flag-spec.js';

/** One occurrence of a flag in the argv. */
export interface FlagUse {
	/** Long name without dashes (`force`), or the token as typed when the command has no such flag. */
	readonly name: string;
	/** `true`/`false` for a boolean flag, the text for a value flag. */
	readonly value: string | boolean;
	/** Index in the full argv of the token that held the flag. */
	readonly index: number;
	/** Index of the token holding the value: `index` for a boolean or an inline value (`-eX=1`, `--env=X=1`), else the next. */
	readonly valueIndex: number;
	readonly known: boolean;
}

export interface FlagScan {
	readonly flags: FlagUse[];
	readonly positionals: string[];
	/** Index of the first token not consumed. */
	readonly end: number;
	readonly help: boolean;
	/** Problems docker itself would reject the call for (unknown flag, missing value, bad boolean). */
	readonly errors: string[];
}

export type ScanMode =
	/** pflag's default: flags may follow positionals; `--` ends flags. */
	| 'interspersed'
	/** `SetInterspersed(false)`: stop at the first positional (or right after `--`) and leave the rest. */
	| 'stop-at-positional';

/** Go's strconv.ParseBool, which pflag uses for `--flag=value` on booleans. */
function parseBool(text: string): boolean | undefined {
	if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
	if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
	return undefined;
}

/**
 * Scans `argv` from `start` the way pflag does (vendor/github.com/spf13/pflag/flag.go, parseArgs,
 * parseLongArg, parseShortArg): `--name`, `--name=value`, value flags taking the next token whatever it
 * looks like, shorthand clusters (`-af`, `-ite FOO=1`, `-eFOO=1`, `-f=false`), `--` ending the flags.
 */
export function scanFlags(argv: readonly string[], start: number, set: FlagSet, mode: ScanMode): FlagScan {
	const flags: FlagUse[] = [];
	const positionals: string[] = [];
	const errors: string[] = [];
	let help = false;
	let i = start;

	const setFlag = (
		def: FlagDef | undefined,
		raw: string,
		index: number,
		inline: string | undefined,
		nextIndex: () => string | undefined,
	) => {
		if (!def) {
			if (raw === '--help' || raw === '-h') {
				help = true;
				flags.push({ name: 'help', value: true, index, valueIndex: index, known: true });
				return;
			}
			errors.push(`unknown flag: ${raw}`);
			flags.push({ name: raw, value: inline ?? true, index, valueIndex: index, known: false });
			return;
		}
		if (!def.takesValue) {
			if (inline === undefined) {
				flags.push({ name: def.long, value: true, index, valueIndex: index, known: true });
				return;
			}
			const value = parseBool(inline);
			if (value === undefined) errors.push(`invalid argument "${inline}" for ${raw}: not a boolean`);
			flags.push({ name: def.long, value: value ?? true, index, valueIndex: index, known: true });
			return;
		}
		const value = inline ?? nextIndex();
		if (value === undefined) errors.push(`flag needs an argument: ${raw}`);
		flags.push({
			name: def.long,
			value: value ?? '',
			index,
			valueIndex: inline === undefined && value !== undefined ? i : index,
			known: true,
		});
	};

	while (i < argv.length) {
		const token = argv[i]!;
		const index = i;
		const takeNext = () => (i + 1 < argv.length ? argv[++i] : undefined);
		if (token === '--') {
			i++;
			if (mode === 'interspersed') positionals.push(...argv.slice(i));
			return { flags, positionals, end: mode === 'interspersed' ? argv.length : i, help, errors };
		}
		if (token.startsWith('--')) {
			const eq = token.indexOf('=');
			const name = eq === -1 ? token.slice(2) : token.slice(2, eq);
			const inline = eq === -1 ? undefined : token.slice(eq + 1);
			setFlag(set.byLong.get(name), eq === -1 ? token : token.slice(0, eq), index, inline, takeNext);
			i++;
			continue;
		}
		if (token.startsWith('-') && token.length > 1) {
			// A shorthand cluster: bools combine; the first value flag takes the rest (or `=value`, or the next token).
			for (let c = 1; c < token.length; c++) {
				const letter = token[c]!;
				const def = set.byShort.get(letter);
				const afterEq = token[c + 1] === '=' ? token.slice(c + 2) : undefined;
				if (afterEq !== undefined) {
					setFlag(def, `-${letter}`, index, afterEq, takeNext);
					break;
				}
				if (def?.takesValue) {
					const rest = token.slice(c + 1);
					setFlag(def, `-${letter}`, index, rest === '' ? undefined : rest, takeNext);
					break;
				}
				setFlag(def, `-${letter}`, index, undefined, takeNext);
			}
			i++;
			continue;
		}
		// A positional (including a lone "-").
		if (mode === 'stop-at-positional') return { flags, positionals, end: i, help, errors };
		positionals.push(token);
		i++;
	}
	return { flags, positionals, end: i, help, errors };
}
