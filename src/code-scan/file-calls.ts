import { type Alternative, shellAlternative } from './alternative.js';
import { extractSegments } from './extract.js';
import type { FileKind } from './file-kind.js';
import { lineStarts, position, type Segment } from './segments.js';
import type { LexBudget } from './shell-lexer.js';
import { argvCalls, type ShellCall, shellCalls } from './shell-walk.js';

/** A docker call in a file: where its program word is, and how an alternative is written in its place. */
export interface FileCall {
	readonly call: ShellCall;
	readonly line: number;
	readonly column: number;
	readonly render: (alternative: Alternative) => string;
}

/** The programs `guard scan` looks for. */
const SCANNED_PROGRAMS: ReadonlySet<string> = new Set(['docker', 'docker-compose', 'safe-docker']);

/** Every docker call in one file, in file order. */
export function callsInFile(kind: FileKind, text: string, budget: LexBudget): FileCall[] {
	const starts = lineStarts(text);
	const found: FileCall[] = [];
	for (const segment of extractSegments(kind, text)) {
		for (const { call, render } of segmentCalls(segment, text, budget)) found.push({ call, render, ...position(starts, call.at) });
	}
	return found.sort((a, b) => a.call.at - b.call.at);
}

function segmentCalls(
	segment: Segment,
	text: string,
	budget: LexBudget,
): Array<{ call: ShellCall; render: (alternative: Alternative) => string }> {
	const options = { budget, programs: SCANNED_PROGRAMS };
	if (segment.kind === 'argv') {
		const { quote, brackets = ['', ''] } = segment;
		const separator = quote === '' ? '    ' : ', ';
		const listed = new Set(segment.words.map(word => word.start));
		return argvCalls(segment.words, text, options).map(call => {
			// A call in the script of a listed `sh -c '…'` is shell, written back as shell.
			if (!listed.has(call.at)) return { call, render: alternative => shellAlternative(call, alternative) };
			return {
				// At the program's name, inside its quote.
				call: /['"`]/.test(text[call.at] ?? '') ? { ...call, at: call.at + 1 } : call,
				render: alternative =>
					alternative.words
						? brackets[0] +
							alternative.words.map(word => (word.written ? word.text : `${quote}${word.text}${quote}`)).join(separator) +
							brackets[1]
						: (alternative.advice ?? ''),
			};
		});
	}
	return shellCalls(segment.text, { ...options, dialect: segment.dialect }).map(call => {
		const mapped = { ...call, at: segment.map(call.at) };
		return { call: mapped, render: alternative => (segment.render ?? ((c, a) => shellAlternative(c, a)))(mapped, alternative) };
	});
}
