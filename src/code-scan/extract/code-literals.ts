import { MappedText } from '../segments.js';
import type { Word } from '../shell-lexer.js';

/** A string literal in code, its content decoded with each character's file offset. */
export interface Literal {
	readonly start: number;
	/** Exclusive: just after the closing quote. */
	readonly end: number;
	readonly quote: string;
	readonly content: MappedText;
	/** A template with interpolations (`${x}`, an f-string's `{x}`): its value is only known at run time. */
	readonly interpolated: boolean;
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '0': '\0' };

/**
 * Reads the string literal whose opening quote is at `at` (JS/TS, Python, Go, Groovy): '…', "…", `…`,
 * triple quotes, with Python's r/f prefixes read from the text before it. Undefined if unterminated.
 */
export function readLiteral(text: string, at: number, limit = text.length): Literal | undefined {
	const triple = text.startsWith(text[at]!.repeat(3), at) ? 3 : 1;
	const quote = text[at]!.repeat(triple);
	const prefix = (/(?<![\w$])[rRfFbBuU]{1,2}$/.exec(text.slice(Math.max(0, at - 3), at))?.[0] ?? '').toLowerCase();
	const raw = prefix.includes('r');
	const content = new MappedText();
	let interpolated = false;
	for (let i = at + triple; i < limit; i++) {
		if (text.startsWith(quote, i)) return { start: at - prefix.length, end: i + triple, quote, content, interpolated };
		const char = text[i]!;
		if (triple === 1 && char === '\n' && quote !== '`') return undefined;
		if (char === '\\' && !raw && i + 1 < limit) {
			const next = text[i + 1]!;
			if (next !== '\n') content.push(ESCAPES[next] ?? next, i, false);
			i++;
			continue;
		}
		if ((quote === '`' || quote.startsWith('"')) && text.startsWith('${', i)) interpolated = true;
		if (prefix.includes('f') && char === '{' && text[i + 1] !== '{') interpolated = true;
		content.push(char, i);
	}
	return undefined;
}

/**
 * The elements of a list written in code from `from` (just after `[` or `(`) to its closing bracket:
 * a string literal gives its value, anything else (a variable, a call) is an opaque word written as is.
 */
export function listElements(text: string, from: number, limit: number): { words: Word[]; end: number } | undefined {
	const words: Word[] = [];
	let i = from;
	for (;;) {
		while (i < limit && /[\s,]/.test(text[i]!)) i++;
		if (i >= limit || text[i] === ']' || text[i] === ')') break;
		const start = i;
		const literal = /['"`]/.test(text[i]!) ? readLiteral(text, i, limit) : undefined;
		if (literal && /^\s*(?:[,\])]|$)/.test(text.slice(literal.end, literal.end + 20))) {
			words.push({ type: 'word', value: literal.content.text, start, end: literal.end, opaque: literal.interpolated, substitutions: [] });
			i = literal.end;
			continue;
		}
		i = expressionEnd(text, i, limit);
		if (i === start) return undefined;
		words.push({ type: 'word', value: text.slice(start, i).trim(), start, end: i, opaque: true, substitutions: [] });
	}
	return words.length > 0 ? { words, end: i } : undefined;
}

/** Where an expression in an argument list ends: the next `,` or closing bracket at its own level. */
export function expressionEnd(text: string, from: number, limit: number): number {
	let depth = 0;
	for (let i = from; i < limit; i++) {
		const char = text[i]!;
		if (/['"`]/.test(char)) {
			const literal = readLiteral(text, i, limit);
			if (!literal) return i;
			i = literal.end - 1;
		} else if ('([{'.includes(char)) depth++;
		else if (')]}'.includes(char)) {
			if (depth === 0) return i;
			depth--;
		} else if (char === ',' && depth === 0) return i;
		else if (char === '\n' && depth === 0 && text[i - 1] !== ',') return i;
	}
	return limit;
}
