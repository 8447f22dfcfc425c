import { lineStarts, MappedText, type Segment, sliceSegment } from '../segments.js';

const SHELL_LANGUAGES = new Set(['', 'sh', 'bash', 'shell', 'zsh', 'console', 'shell-session', 'shellsession', 'terminal', 'bats']);
/** Languages of a transcript: only prompt lines are commands, the rest is output. */
const SESSION_LANGUAGES = new Set(['console', 'shell-session', 'shellsession', 'terminal']);
/** A prompt: `$ `, `% `, `user@host:~$ `; in a transcript also root's `# `, which in a script is a comment. */
const PROMPT = /^\s*(?:[$%]|[\w.-]+@[\w.-]+(?::[^$#\s]*)?[$#])\s+/;
const SESSION_PROMPT = /^\s*(?:[$#%]|[\w.-]+@[\w.-]+(?::[^$#\s]*)?[$#])\s+/;
/** A table row or a list item: where `docker …` in inline code is a command people copy. */
const TABLE_OR_LIST = /^\s*(?:\||[-*+]\s|\d+[.)]\s|\.+\s)/;

/**
 * Fenced code blocks in a shell language (or none) and inline code in table rows and list items. In a
 * transcript (```console, or an untagged block with prompts), only prompt lines and their continuations
 * are commands; output lines are not.
 */
export function markdownSegments(text: string): Segment[] {
	return documentSegments(text, line => {
		const fence = /^\s*(```+|~~~+)\s*\{?\.?([\w-]*)/.exec(line);
		return fence ? { language: fence[2]!, closes: (next: string) => next.trim().startsWith(fence[1]!) } : undefined;
	});
}

/** AsciiDoc: `----` listing and `....` literal blocks (language from a `[source,bash]` line before), fences, inline code. */
export function asciidocSegments(text: string): Segment[] {
	let language = '';
	return documentSegments(text, line => {
		const source = /^\[(?:source)?,\s*([\w-]+)/.exec(line);
		if (source) {
			language = source[1]!;
			return undefined;
		}
		const delimiter = /^(-{4,}|\.{4,}|```+)\s*([\w-]*)\s*$/.exec(line);
		const found = delimiter ? { language: delimiter[2] || language, closes: (next: string) => next.trim() === delimiter[1]! } : undefined;
		if (!/^\s*$/.test(line)) language = '';
		return found;
	});
}

function documentSegments(
	text: string,
	opens: (line: string) => { language: string; closes: (line: string) => boolean } | undefined,
): Segment[] {
	const segments: Segment[] = [];
	const lines = text.split('\n');
	const starts = lineStarts(text);
	for (let i = 0; i < lines.length; i++) {
		const block = opens(lines[i]!);
		if (!block) {
			if (TABLE_OR_LIST.test(lines[i]!)) segments.push(...inlineCode(lines[i]!, starts[i]!));
			continue;
		}
		const start = i + 1;
		let end = start;
		while (end < lines.length && !block.closes(lines[end]!)) end++;
		const language = block.language.toLowerCase();
		if (SHELL_LANGUAGES.has(language)) {
			const body = lines.slice(start, end);
			const session = SESSION_LANGUAGES.has(language) || (language === '' && body.some(line => PROMPT.test(line)));
			let continued = false;
			for (let j = start; j < end; j++) {
				const prompt = (session ? SESSION_PROMPT : PROMPT).exec(lines[j]!);
				if (session && !prompt && !continued) continue;
				const skip = prompt?.[0].length ?? 0;
				segments.push(sliceSegment(text, starts[j]! + skip, starts[j]! + lines[j]!.length));
				continued = /\\\r?$/.test(lines[j]!);
			}
		}
		i = end;
	}
	return joinContinuations(segments);
}

/** `` `docker rm -f x` `` spans of one line; a table's `\|` is a `|` inside the cell. */
function inlineCode(line: string, offset: number): Segment[] {
	const segments: Segment[] = [];
	for (const match of line.matchAll(/(`+)(?!`)(.+?)(?<!`)\1(?!`)/g)) {
		const start = offset + match.index! + match[1]!.length;
		const code = new MappedText();
		const content = match[2]!;
		for (let i = 0; i < content.length; i++) {
			if (content[i] === '\\' && content[i + 1] === '|') continue;
			code.push(content[i]!, start + i);
		}
		segments.push(code.segment());
	}
	return segments;
}

/** Lines of a block that end in `\` are one command with the next: merged into one segment. */
function joinContinuations(segments: Segment[]): Segment[] {
	const merged: Segment[] = [];
	for (const segment of segments) {
		const previous = merged.at(-1);
		if (
			previous?.kind === 'shell' &&
			segment.kind === 'shell' &&
			/\\\r?$/.test(previous.text) &&
			previous.map(previous.text.length - 1) < segment.map(0)
		) {
			const joined = new MappedText();
			for (let i = 0; i < previous.text.length; i++) joined.push(previous.text[i]!, previous.map(i));
			joined.push('\n', previous.map(previous.text.length - 1) + 1);
			for (let i = 0; i < segment.text.length; i++) joined.push(segment.text[i]!, segment.map(i));
			merged[merged.length - 1] = joined.segment();
			continue;
		}
		merged.push(segment);
	}
	return merged;
}
