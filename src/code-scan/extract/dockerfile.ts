import { lineStarts, type Segment, sliceSegment } from '../segments.js';
import { listElements } from './code-literals.js';

/** `RUN` lines: the shell form (with continuations and heredocs) and the exec form (`RUN ["docker", …]`). */
export function dockerfileSegments(text: string): Segment[] {
	const segments: Segment[] = [];
	const lines = text.split('\n');
	const starts = lineStarts(text);
	for (let i = 0; i < lines.length; i++) {
		const match = /^\s*RUN\s+(?:--\S+\s+)*/i.exec(lines[i]!);
		if (!match) continue;
		const bodyStart = starts[i]! + match[0].length;
		const body = lines[i]!.slice(match[0].length);
		const heredoc = /^<<-?\s*["']?(\w+)["']?/.exec(body);
		if (heredoc) {
			// RUN <<EOF … EOF: the lines in between are the script.
			const first = i + 1;
			while (i + 1 < lines.length && lines[i + 1]!.trim() !== heredoc[1]) i++;
			segments.push(sliceSegment(text, starts[first] ?? text.length, starts[i + 1] ?? text.length));
			i++;
			continue;
		}
		while (/\\\s*$/.test(lines[i]!) && i + 1 < lines.length) i++;
		const end = starts[i]! + lines[i]!.length;
		const exec = /^\s*\[/.test(body) ? listElements(text, text.indexOf('[', bodyStart) + 1, end) : undefined;
		if (exec) segments.push({ kind: 'argv', words: exec.words, quote: '"', brackets: ['[', ']'] });
		else segments.push(sliceSegment(text, bodyStart, end));
	}
	return segments;
}
