import { type Dialect, type LexBudget, lexShell, type Redirection, type Token, valueOffsets, type Word } from './shell-lexer.js';

/** A docker (or podman, nerdctl…) call found in shell text. */
export interface ShellCall {
	/** The program as named: `docker`, `docker-compose`, `podman`… (basename). */
	readonly program: string;
	/** The argv after the program, as the program sees it (`docker-compose rm` gives `compose rm`). */
	readonly argv: readonly string[];
	/** Each argv item as written (quotes, `$(…)`, `${x}` kept); undefined for the `compose` that `docker-compose` implies. */
	readonly raw: ReadonlyArray<string | undefined>;
	/** Argv items whose value is only known at run time. */
	readonly opaque: readonly boolean[];
	/** The program word as written (`/usr/bin/docker`). */
	readonly programRaw: string;
	/** Offset of the program word in the top-level text. */
	readonly at: number;
	/** The simple command around the call, as written: wrappers before it (`sudo -E `, `xargs `), and after it redirections and the rest of a `find -exec`. */
	readonly before: string;
	readonly after: string;
}

export interface WalkOptions {
	readonly budget: LexBudget;
	readonly dialect?: Dialect;
	/** Program names (basenames) that are docker-like. */
	readonly programs: ReadonlySet<string>;
}

/** Wrappers that run the command after them; their options, and which of those take a value. */
const WRAPPERS: Readonly<Record<string, string>> = {
	sudo: 'u g h p r t C D U T',
	doas: 'u C',
	env: 'u S C',
	command: '',
	builtin: '',
	exec: 'a',
	nohup: '',
	time: 'f o',
	nice: 'n',
	ionice: 'c n p',
	chrt: '',
	xargs: 'I i L l n P s d E a',
	timeout: 's k',
	stdbuf: 'i o e',
	setsid: '',
	watch: 'n d',
	// bats' and many scripts' helper that runs its arguments.
	run: '',
};
/** Shell keywords that start the command after them; not part of the call as written. */
const KEYWORDS = new Set(['do', 'then', 'else', 'elif', 'if', 'while', 'until', '!', '{', '}', 'time']);
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'busybox']);
const CONTROL = new Set(['&&', '||', ';', ';;', ';&', '|', '|&', '&', '(', ')', '\n']);
const FIND_EXEC = new Set(['-exec', '-execdir', '-ok', '-okdir']);

/** Where lexed text sits in the top-level text: for an inner script, a map from its offsets back. */
interface Source {
	readonly text: string;
	readonly map: (offset: number) => number;
}

/**
 * The docker calls in shell text, through `&&`/`||`/`;`/pipes/subshells, `$(…)` and backticks, loop and
 * `if` bodies, wrappers (`sudo`, `env`, `VAR=`, `xargs`, `timeout`…), `find -exec`, the script of
 * `sh -c`/`bash -lc`, `eval`, and here-documents fed to a shell. Positions are offsets in `text`.
 */
export function shellCalls(text: string, options: WalkOptions): ShellCall[] {
	const found: ShellCall[] = [];
	const tokens = lexShell(text, options.budget, options.dialect);
	walk(tokens, { text, map: offset => offset }, options, 0, found);
	return found.sort((a, b) => a.at - b.at);
}

/** The docker call an argv written as a list makes (through `sudo`, `sh -c '…'`); offsets are those of `text`. */
export function argvCalls(words: readonly Word[], text: string, options: WalkOptions): ShellCall[] {
	const found: ShellCall[] = [];
	command(words, { text, map: offset => offset }, options, 0, found);
	return found;
}

function walk(tokens: readonly Token[], source: Source, options: WalkOptions, depth: number, found: ShellCall[]): void {
	let items: Array<Word | Redirection> = [];
	// The words of the command piping into this one, when it writes literal text (`echo '…' | sh`).
	let piped: readonly Word[] | undefined;
	const flush = (op?: string) => {
		if (items.length > 0) command(items, source, options, depth, found, piped);
		const words = items.filter((item): item is Word => item.type === 'word');
		piped = op === '|' && (words[0]?.value === 'echo' || words[0]?.value === 'printf') ? words : undefined;
		items = [];
	};
	for (const token of tokens) {
		if (token.type === 'op') {
			if (CONTROL.has(token.op)) flush(token.op);
			continue;
		}
		items.push(token);
		const substitutions =
			token.type === 'word' ? token.substitutions : [...(token.target?.substitutions ?? []), ...(token.heredoc?.substitutions ?? [])];
		for (const inner of substitutions) walk(inner, source, options, depth + 1, found);
	}
	flush();
}

/** One simple command: what it runs after keywords, assignments and wrappers. */
function command(
	items: ReadonlyArray<Word | Redirection>,
	source: Source,
	options: WalkOptions,
	depth: number,
	found: ShellCall[],
	stdin?: readonly Word[],
): void {
	const words = items.filter((item): item is Word => item.type === 'word');
	let first = 0;
	while (first < words.length && KEYWORDS.has(words[first]!.value)) first++;
	const start = unwrap(words, first);
	const head = words[start];
	if (head === undefined) return;
	const name = basename(head.value);

	if (SHELLS.has(name)) {
		const script = scriptWord(words, start);
		if (script) {
			inner(script.value, valueMap(source, script, options.dialect), options, depth, found);
			return;
		}
		// A shell reading its script from stdin: a here-document, or the text `echo`/`printf` pipes into it.
		if (!words.slice(start + 1).every(word => word.value.startsWith('-'))) return;
		for (const item of items)
			if (item.type === 'redirect' && item.heredoc) {
				const { start: from, end } = item.heredoc;
				inner(source.text.slice(from, end), offset => source.map(from + offset), options, depth, found);
			}
		if (stdin) {
			const args = stdin.slice(1);
			if (stdin[0]!.value === 'echo') while (/^-[neE]+$/.test(args[0]?.value ?? '')) args.shift();
			const text = stdin[0]!.value === 'printf' && args.length > 1 ? args.slice(1) : args;
			if (text.length > 0) inner(...joined(text, source, options), options, depth, found);
		}
		return;
	}
	if (name === 'eval') {
		const args = words.slice(start + 1);
		if (args.length > 0) inner(...joined(args, source, options), options, depth, found);
		return;
	}
	if (name === 'find') {
		for (let i = start + 1; i < words.length; i++) {
			if (!FIND_EXEC.has(words[i]!.value)) continue;
			let end = i + 1;
			while (end < words.length && words[end]!.value !== ';' && words[end]!.value !== '+') end++;
			call(words.slice(i + 1, end), items, words[first]!, source, options, found);
			i = end;
		}
		return;
	}
	call(words.slice(start), items, words[first]!, source, options, found);
}

/** Records `words` as a call when its first word is a docker-like program. */
function call(
	words: readonly Word[],
	items: ReadonlyArray<Word | Redirection>,
	first: Word,
	source: Source,
	options: WalkOptions,
	found: ShellCall[],
): void {
	const head = words[0];
	if (head === undefined) return;
	const program = basename(head.value);
	if (!options.programs.has(program) || (program === 'safe-docker' && words[1]?.value === 'guard')) return;
	const argv = words.slice(1);
	const last = argv.at(-1) ?? head;
	const raw = (item: Word | Redirection) => source.text.slice(item.start, item.end);
	// After the call: redirections anywhere in it, and words after its end (the `{} \;` of a find -exec).
	const after = items.filter(item => item.start > head.start && (item.type === 'redirect' || item.start > last.start)).map(raw);
	const compose = program === 'docker-compose';
	found.push({
		program,
		argv: [...(compose ? ['compose'] : []), ...argv.map(word => word.value)],
		raw: [...(compose ? [undefined] : []), ...argv.map(raw)],
		opaque: [...(compose ? [false] : []), ...argv.map(word => word.opaque)],
		programRaw: raw(head),
		at: source.map(head.start),
		before: source.text.slice(first.start, head.start),
		after: after.join(' '),
	});
}

function inner(script: string, map: (offset: number) => number, options: WalkOptions, depth: number, found: ShellCall[]): void {
	if (depth >= options.budget.maxDepth) return;
	walk(lexShell(script, options.budget, options.dialect), { text: script, map }, options, depth + 1, found);
}

/** Words joined by spaces into one script (`eval a b`, `echo a b | sh`), with the map from it back to each word. */
function joined(args: readonly Word[], source: Source, options: WalkOptions): [string, (offset: number) => number] {
	const maps = args.map(word => valueMap(source, word, options.dialect));
	const bounds: number[] = [];
	for (let at = 0, k = 0; k < args.length; at += args[k]!.value.length + 1, k++) bounds.push(at);
	const map = (offset: number) => {
		let k = bounds.length - 1;
		while (k > 0 && bounds[k]! > offset) k--;
		return maps[k]!(Math.min(offset - bounds[k]!, Math.max(0, args[k]!.value.length - 1)));
	};
	return [args.map(word => word.value).join(' '), map];
}

/** The map from a word's value back to the top-level text. */
function valueMap(source: Source, word: Word, dialect: Dialect | undefined): (offset: number) => number {
	const offsets = valueOffsets(source.text, word, dialect);
	return offset => source.map(offsets[offset] ?? word.end);
}

/** Index of the command word after `NAME=value` prefixes and wrappers (with their options) from `from`. */
function unwrap(words: readonly Word[], from: number): number {
	let i = from;
	for (;;) {
		while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!.value)) i++;
		const word = words[i];
		if (word === undefined) return i;
		const name = basename(word.value);
		const wrapper = WRAPPERS[name];
		if (wrapper === undefined) return i;
		const valued = new Set(wrapper.split(' ').filter(Boolean));
		i++;
		while (i < words.length && words[i]!.value.startsWith('-')) {
			const option = words[i]!.value;
			if (option === '--') {
				i++;
				break;
			}
			i += option.length === 2 && valued.has(option[1]!) ? 2 : 1;
		}
		if ((name === 'timeout' || name === 'chrt') && i < words.length) i++; // its DURATION / priority
		if (name === 'env') while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!.value)) i++;
	}
}

/** The script a shell runs with `-c` (also in a cluster: `-lc`, `-ec`); undefined for a script file. */
function scriptWord(words: readonly Word[], shellAt: number): Word | undefined {
	let i = shellAt + 1;
	if (basename(words[shellAt]!.value) === 'busybox') i++; // `busybox sh -c …`
	for (; i < words.length; i++) {
		const option = words[i]!.value;
		if (!/^[-+]/.test(option) || option === '-' || option === '--') return undefined;
		if (/^-[A-Za-z]*c[A-Za-z]*$/.test(option)) return words[i + 1];
		if (/^[-+][oO]$/.test(option)) i++; // `-o pipefail`: the option's name
	}
	return undefined;
}

function basename(word: string): string {
	return word.slice(word.lastIndexOf('/') + 1);
}
