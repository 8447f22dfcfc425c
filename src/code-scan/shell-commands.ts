import { type ParseEntry, parse } from 'shell-quote';

/** A docker call found in shell text: its argv (after `docker`) and where its `docker` word is. */
export interface FoundCall {
	readonly argv: string[];
	/** 1-based, in the scanned text. */
	readonly line: number;
	readonly column: number;
}

/** Wrappers that run the command after them; their options, and which of those take a value. */
const WRAPPERS: Readonly<Record<string, string>> = {
	sudo: 'u g h p r t C D U T',
	doas: 'u C',
	env: 'u S C',
	command: '',
	exec: 'a',
	nohup: '',
	time: 'f o',
	nice: 'n',
	xargs: 'I i L l n P s d E a',
	timeout: 's k',
	stdbuf: 'i o e',
	// Shell keywords that start the command after them.
	do: '',
	// biome-ignore lint/suspicious/noThenProperty: a table of shell words, never awaited
	then: '',
	else: '',
	elif: '',
	if: '',
	while: '',
	until: '',
	'!': '',
	'{': '',
};
/** Shells whose `-c` argument is a script of its own: `sh -c 'docker rm -f x'`. */
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash']);
const CONTROL = new Set(['&&', '||', ';', ';;', '|', '|&', '&', '(', ')', '\n']);
const REDIRECT = new Set(['>', '>>', '<', '<<', '>&', '<&', '<>', '>|', '<(', '>(']);

/**
 * Finds the docker calls in a piece of shell: one command line or a whole script. Handles line
 * continuations, `&&`/`||`/`;`/`|`, `sudo` and other wrappers with their options, `NAME=value` prefixes,
 * `$(…)` and backticks (scanned themselves; in the outer command they become the word SUBST, as the shell
 * would substitute them), the script of `sh -c '…'` (bash, dash, zsh… too), and `docker-compose` (v1) as
 * `docker compose`. Variables stay literal words.
 */
export function dockerCallsInShell(text: string): FoundCall[] {
	const found: FoundCall[] = [];
	const { outer, inner } = extractSubstitutions(text);
	for (const substitution of inner) {
		for (const call of dockerCallsInShell(substitution.text)) {
			found.push({
				...call,
				line: call.line + substitution.line - 1,
				column: call.line === 1 ? call.column + substitution.column - 1 : call.column,
			});
		}
	}
	// Logical line by logical line (a comment ends only its line), continuations joined.
	for (const { text: line, at } of logicalLines(outer)) {
		let entries: ParseEntry[];
		try {
			entries = parse(line, name => ['${', name, '}'].join(''));
		} catch {
			continue;
		}
		let cursor = 0;
		let command: string[] = [];
		const flush = () => {
			const words = command;
			command = [];
			const script = shellScript(words);
			if (script) {
				// Positions inside the script: from where it starts in the line (exact for a quoted script without escapes).
				const start = scriptStart(line, script.shell, script.option, cursor);
				for (const call of dockerCallsInShell(script.text)) {
					const origin = at(start);
					found.push({
						...call,
						line: origin.line + call.line - 1,
						column: call.line === 1 ? origin.column + call.column - 1 : call.column,
					});
				}
				return;
			}
			const call = dockerArgv(words);
			if (!call) return;
			const at_ = findWord(line, call.word, cursor);
			if (at_ !== -1) cursor = at_ + call.word.length;
			found.push({ argv: call.argv, ...at(at_ === -1 ? cursor : at_) });
		};
		for (let i = 0; i < entries.length; i++) {
			const entry = entries[i]!;
			if (typeof entry === 'string') {
				command.push(entry);
				continue;
			}
			if ('comment' in entry) break;
			if ('op' in entry) {
				if (entry.op === 'glob') command.push((entry as { pattern: string }).pattern);
				else if (REDIRECT.has(entry.op))
					i++; // the redirection's target is not an argument
				else if (CONTROL.has(entry.op)) flush();
			}
		}
		flush();
	}
	return found.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Lines with their `\\`-newline continuations joined, and a map from an offset back to line and column. */
function logicalLines(text: string): Array<{ text: string; at: (offset: number) => { line: number; column: number } }> {
	const result: Array<{ text: string; at: (offset: number) => { line: number; column: number } }> = [];
	let parts: Array<{ line: number; start: number }> = [];
	let joined = '';
	text.split('\n').forEach((physical, index) => {
		const continued = /(^|[^\\])(\\\\)*\\\r?$/.test(physical);
		parts.push({ line: index + 1, start: joined.length });
		joined += continued ? `${physical.replace(/\\\r?$/, '')} ` : physical;
		if (continued) return;
		const segments = parts;
		result.push({
			text: joined,
			at: offset => {
				const segment = [...segments].reverse().find(candidate => candidate.start <= offset) ?? segments[0]!;
				return { line: segment.line, column: offset - segment.start + 1 };
			},
		});
		parts = [];
		joined = '';
	});
	return result;
}

/** The docker argv of one simple command, after assignments and wrappers; undefined if it is not docker. */
function dockerArgv(words: readonly string[]): { argv: string[]; word: string } | undefined {
	const command = unwrap(words);
	const word = command[0];
	if (word === undefined) return undefined;
	const name = word.slice(word.lastIndexOf('/') + 1);
	if (name === 'docker') return { argv: command.slice(1), word };
	if (name === 'docker-compose') return { argv: ['compose', ...command.slice(1)], word };
	return undefined;
}

/** The script a shell runs with `-c` (also in a cluster: `-lc`, `-ec`), with the words that lead to it. */
function shellScript(words: readonly string[]): { text: string; shell: string; option: string } | undefined {
	const command = unwrap(words);
	const shell = command[0];
	if (shell === undefined || !SHELLS.has(shell.slice(shell.lastIndexOf('/') + 1))) return undefined;
	for (let i = 1; i < command.length; i++) {
		const option = command[i]!;
		if (!/^[-+]/.test(option) || option === '-' || option === '--') return undefined; // a script file, not -c
		if (/^-[A-Za-z]*c[A-Za-z]*$/.test(option)) return command[i + 1] === undefined ? undefined : { text: command[i + 1]!, shell, option };
		if (/^[-+][oO]$/.test(option)) i++; // `-o pipefail`: the option's name
	}
	return undefined;
}

/** Where the script after `<shell> … -c` starts in the line: just inside its opening quote. */
function scriptStart(line: string, shell: string, option: string, from: number): number {
	const shellAt = findWord(line, shell, from);
	const optionAt = findWord(line, option, shellAt === -1 ? from : shellAt + shell.length);
	if (optionAt === -1) return Math.max(shellAt, 0);
	let start = optionAt + option.length;
	while (/\s/.test(line[start] ?? '')) start++;
	return /['"]/.test(line[start] ?? '') ? start + 1 : start;
}

/** The words of one simple command from its command name on: `NAME=value` prefixes and wrappers skipped. */
function unwrap(words: readonly string[]): readonly string[] {
	let i = 0;
	for (;;) {
		while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!)) i++;
		const word = words[i];
		if (word === undefined) return [];
		const wrapper = WRAPPERS[word.slice(word.lastIndexOf('/') + 1)];
		if (wrapper === undefined) break;
		const valued = new Set(wrapper.split(' ').filter(Boolean));
		i++;
		while (i < words.length && words[i]!.startsWith('-')) {
			const option = words[i]!;
			if (option === '--') {
				i++;
				break;
			}
			i += option.length === 2 && valued.has(option[1]!) ? 2 : 1;
		}
		if (word === 'timeout' && i < words.length) i++; // its DURATION
	}
	return words.slice(i);
}

/** `$(…)` and backticks, with where each starts; the outer text gets the word SUBST in their place. */
function extractSubstitutions(text: string): { outer: string; inner: Array<{ text: string; line: number; column: number }> } {
	const inner: Array<{ text: string; line: number; column: number }> = [];
	let outer = '';
	let quote: '"' | "'" | undefined;
	for (let i = 0; i < text.length; i++) {
		const char = text[i]!;
		if (char === "'" && quote !== '"') quote = quote === "'" ? undefined : "'";
		else if (char === '"' && quote !== "'") quote = quote === '"' ? undefined : '"';
		const opens = quote !== "'" && ((char === '$' && text[i + 1] === '(' && text[i + 2] !== '(') || (char === '`' && text[i - 1] !== '\\'));
		if (!opens) {
			outer += char;
			continue;
		}
		const start = char === '$' ? i + 2 : i + 1;
		let end = start;
		if (char === '$') {
			for (let depth = 1; end < text.length && depth > 0; end++) {
				if (text[end] === '(') depth++;
				if (text[end] === ')') depth--;
			}
			end--;
		} else {
			while (end < text.length && !(text[end] === '`' && text[end - 1] !== '\\')) end++;
		}
		const before = text.slice(0, start);
		inner.push({ text: text.slice(start, end), line: before.split('\n').length, column: start - before.lastIndexOf('\n') });
		// The word SUBST, padded to the length of what it replaces (newlines kept), so positions still map to the source.
		const replaced = text.slice(i, end + 1);
		outer += `SUBST${replaced.slice(5).replace(/[^\n]/g, ' ')}`;
		i = end;
	}
	return { outer, inner };
}

function findWord(text: string, word: string, from: number): number {
	for (let at = text.indexOf(word, from); at !== -1; at = text.indexOf(word, at + 1)) {
		const before = text[at - 1];
		const after = text[at + word.length];
		if ((before === undefined || /[\s;&|(`'"]/.test(before)) && (after === undefined || /[\s;&|)`'"]/.test(after))) return at;
	}
	return -1;
}
