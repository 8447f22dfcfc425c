import type { Alternative } from './alternative.js';
import type { Dialect, Word } from './shell-lexer.js';
import type { ShellCall } from './shell-walk.js';

/** Shell text found in a file, with the way back to where each character is written. */
export interface ShellSegment {
	readonly kind: 'shell';
	readonly text: string;
	/** File offset of `text[index]`. */
	readonly map: (index: number) => number;
	readonly dialect?: Dialect;
	/** Writes an alternative back in the file's own syntax (a string literal in code); a shell line by default. */
	readonly render?: (call: ShellCall, alternative: Alternative) => string;
}

/** An argv written as a list in the file (`["docker", "rm", "-f", name]`): words with file offsets. */
interface ArgvSegment {
	readonly kind: 'argv';
	readonly words: readonly Word[];
	/** The quote the list's string literals use, for the words of an alternative. */
	readonly quote: string;
	/** Brackets an alternative is written in when the list is the whole command (`RUN [ … ]`). */
	readonly brackets?: readonly [string, string];
}

export type Segment = ShellSegment | ArgvSegment;

/** Text built piece by piece from a file, each character remembering its file offset. */
export class MappedText {
	text = '';
	private readonly offsets: number[] = [];

	/** Appends `piece`, written in the file from `at` (each character at its own offset unless `spread` is false). */
	push(piece: string, at: number, spread = true): this {
		for (let i = 0; i < piece.length; i++) this.offsets.push(spread ? at + i : at);
		this.text += piece;
		return this;
	}

	/** File offset of `text[index]`. */
	at(index: number): number {
		return this.offsets[index] ?? (this.offsets.at(-1) ?? -1) + 1;
	}

	segment(extra: Omit<ShellSegment, 'kind' | 'text' | 'map'> = {}): ShellSegment {
		const { offsets, text } = this;
		const last = offsets.at(-1) ?? 0;
		return { kind: 'shell', text, map: index => offsets[index] ?? last + 1, ...extra };
	}
}

/** A slice of the file read as shell as it is. */
export function sliceSegment(
	text: string,
	start: number,
	end: number,
	extra: Omit<ShellSegment, 'kind' | 'text' | 'map'> = {},
): ShellSegment {
	return { kind: 'shell', text: text.slice(start, end), map: index => start + index, ...extra };
}

/** Offsets where each line starts, for turning an offset into line and column. */
export function lineStarts(text: string): number[] {
	const starts = [0];
	for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
	return starts;
}

/** 1-based line and column of a file offset. */
export function position(starts: readonly number[], offset: number): { line: number; column: number } {
	let low = 0;
	let high = starts.length - 1;
	while (low < high) {
		const mid = (low + high + 1) >> 1;
		if (starts[mid]! <= offset) low = mid;
		else high = mid - 1;
	}
	return { line: low + 1, column: offset - starts[low]! + 1 };
}
