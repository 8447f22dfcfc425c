import type { Alternative } from '../alternative.js';
import { shellAlternative } from '../alternative.js';
import type { Segment } from '../segments.js';
import type { ShellCall } from '../shell-walk.js';
import { expressionEnd, listElements, readLiteral } from './code-literals.js';

/** Programs whose argv list is worth reading: docker-likes and what runs them (`sudo`, `sh -c`). */
const PROGRAM = '(?:docker|docker-compose|podman|nerdctl|sudo|sh|bash)';
const ARGV_LISTS = [
	// spawn('docker', ['rm', '-f', name]), execa("docker", [...]), execFile(…)
	new RegExp(String.raw`(['"\x60])${PROGRAM}\1\s*,\s*\[`, 'g'),
	// subprocess.run(["docker", "rm", "-f", x]), ["sh", "-c", "…"]
	new RegExp(String.raw`\[\s*(['"])${PROGRAM}\1\s*,`, 'g'),
	// Go: exec.Command("docker", "rm", "-f", name), exec.CommandContext(ctx, "docker", …)
	/\bexec\.Command(Context)?\s*\(/g,
];
/** Calls whose string argument is run by a shell. */
const SHELL_STRINGS: ReadonlyArray<{ pattern: RegExp; needsShellOption?: RegExp }> = [
	{ pattern: /\b(?:os\.system|os\.popen|subprocess\.(?:getoutput|getstatusoutput)|commands\.getoutput)\s*\(\s*$/ },
	{ pattern: /\bsubprocess\.(?:run|call|check_call|check_output|Popen)\s*\(\s*$/, needsShellOption: /\bshell\s*=\s*True\b/ },
	{ pattern: /(?:\bexec|\bexecSync|\bexecaCommand|\bexecaCommandSync)\s*\(\s*$/ },
	{ pattern: /\b(?:spawn|spawnSync|execa|execaSync)\s*\(\s*$/, needsShellOption: /\bshell\s*:\s*(?:true|['"]\/?\w)/ },
	// zx and execa template tags: $`docker rm -f ${c}`, $.sync`…`, execa`…`
	{ pattern: /(?:(?<![\w.$])\$(?:\.sync|\.s)?|\bexeca(?:Sync|Node)?)\s*$/ },
];
const OPAQUE_START = '\uE000';
const OPAQUE_END = '\uE001';

/** argv lists and shell strings in JS/TS, Python and Go; what is in a comment is prose, not a call. */
export function codeSegments(source: string): Segment[] {
	const text = blankComments(source);
	const segments: Segment[] = [];
	const taken = new Set<number>();
	for (const pattern of ARGV_LISTS) {
		for (const match of text.matchAll(pattern)) {
			const from = match.index! + match[0].length;
			const open = match[0].lastIndexOf('[');
			const list = listElements(text, open === -1 || pattern.flags.length === 0 ? from : match.index! + open + 1, text.length);
			if (!list) continue;
			let words = list.words;
			if (match[0].startsWith("'") || match[0].startsWith('"') || match[0].startsWith('`')) {
				// The program's literal before the list.
				const program = listElements(text, match.index!, text.length)?.words[0];
				if (program) words = [program, ...words];
			}
			if (match[1] === 'Context') words = words.slice(1);
			if (words.length === 0 || taken.has(words[0]!.start)) continue;
			taken.add(words[0]!.start);
			const quote = text[words[0]!.start] === "'" ? "'" : '"';
			segments.push({ kind: 'argv', words, quote });
		}
	}
	for (let at = text.search(/['"`]/); at !== -1; ) {
		const literal = readLiteral(text, at);
		if (!literal) {
			at = nextQuote(text, at + 1);
			continue;
		}
		const before = text.slice(Math.max(0, literal.start - 60), literal.start);
		const api = SHELL_STRINGS.find(({ pattern }) => pattern.test(before));
		if (api && (!api.needsShellOption || api.needsShellOption.test(text.slice(literal.end, callEnd(text, literal.end))))) {
			segments.push(shellString(text, literal));
		}
		at = nextQuote(text, literal.end);
	}
	return segments;
}

function nextQuote(text: string, from: number): number {
	const next = text.slice(from).search(/['"`]/);
	return next === -1 ? -1 : from + next;
}

/** The end of the argument list a literal is in. */
function callEnd(text: string, from: number): number {
	let i = from;
	while (i < text.length && text[i] !== ')') {
		const end = expressionEnd(text, i + (text[i] === ',' ? 1 : 0), text.length);
		if (end === i) break;
		i = end;
	}
	return i;
}

/** A literal (and the `+ expr + "…"` concatenated to it) as shell text; an alternative is written back as a literal. */
function shellString(text: string, first: ReturnType<typeof readLiteral> & object): Segment {
	const expressions: string[] = [];
	let literal = first;
	let shell = literal.content.text;
	const offsets: number[] = Array.from({ length: shell.length }, (_, index) => literal.content.at(index));
	for (;;) {
		const plus = /^\s*\+\s*/.exec(text.slice(literal.end, literal.end + 40));
		if (!plus) break;
		const at = literal.end + plus[0].length;
		const next = /['"`]/.test(text[at] ?? '') ? readLiteral(text, at) : undefined;
		if (next) {
			for (let index = 0; index < next.content.text.length; index++) offsets.push(next.content.at(index));
			shell += next.content.text;
			literal = next;
			continue;
		}
		const end = Math.min(expressionEnd(text, at, text.length), nextPlus(text, at));
		const expression = text.slice(at, end).trim();
		const marker = `${OPAQUE_START}${expressions.length}${OPAQUE_END}`;
		expressions.push(expression);
		for (let index = 0; index < marker.length; index++) offsets.push(at);
		shell += marker;
		literal = { ...literal, end };
	}
	const quote = first.quote;
	// An f-string's or raw string's prefix stays on the literal written back.
	const prefix = text.slice(first.start, text.indexOf(quote, first.start));
	return {
		kind: 'shell',
		text: shell,
		map: index => offsets[index] ?? first.end,
		render: (call: ShellCall, alternative: Alternative) => {
			const command = shellAlternative(call, alternative);
			if (!alternative.words) return command;
			const escaped = (piece: string) => piece.replace(/\\/g, '\\\\').replaceAll(quote[0]!, `\\${quote[0]}`);
			const pieces = command.split(new RegExp(`${OPAQUE_START}(\\d+)${OPAQUE_END}`));
			return pieces
				.map((piece, index) =>
					index % 2 === 1 ? expressions[Number(piece)]! : piece === '' ? '' : `${prefix}${quote}${escaped(piece)}${quote}`,
				)
				.filter(Boolean)
				.join(' + ');
		},
	};
}

/** Where a `+`-concatenated expression ends: at the next top-level `+`. */
function nextPlus(text: string, from: number): number {
	const end = expressionEnd(text, from, text.length);
	const plus = text.slice(from, end).search(/\s\+\s/);
	return plus === -1 ? end : from + plus;
}

/**
 * The text with comments (`//`, `/* *\/`, and lines starting with `#`) replaced by spaces, strings left
 * alone, so that every offset stays where it was.
 */
function blankComments(text: string): string {
	let out = '';
	let from = 0;
	for (let i = 0; i < text.length; i++) {
		const char = text[i]!;
		if (char === "'" || char === '"' || char === '`') {
			const literal = readLiteral(text, i);
			if (literal) i = literal.end - 1;
			continue;
		}
		const lineComment =
			(char === '/' && text[i + 1] === '/') || (char === '#' && /(^|\n)[ \t]*$/.test(text.slice(Math.max(0, i - 200), i)));
		const blockComment = char === '/' && text[i + 1] === '*';
		if (!lineComment && !blockComment) continue;
		const stop = lineComment ? text.indexOf('\n', i) : text.indexOf('*/', i + 2) + 2;
		const end = stop === -1 || stop === 1 ? text.length : stop;
		out += text.slice(from, i) + text.slice(i, end).replace(/[^\n]/g, ' ');
		from = end;
		i = end - 1;
	}
	return out + text.slice(from);
}
