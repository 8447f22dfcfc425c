import { type Segment, sliceSegment } from '../segments.js';
import type { Word } from '../shell-lexer.js';

/** OperatingSystem keywords whose argument is a shell command line. */
const SHELL_KEYWORDS = /^(run|run and return rc|run and return rc and output|run and return output|start process)$/i;
/** Process keywords whose arguments are an argv (a shell command line with `shell=True`). */
const PROCESS_KEYWORDS = /^(run process|start process)$/i;

/**
 * Robot Framework: `Run    docker rm -f x` (OperatingSystem) and `Run Process    docker    rm    -f    x`
 * (Process; cells are argv, or one shell line with `shell=True`). Cells are separated by two spaces, a
 * tab, or ` | `.
 */
export function robotSegments(text: string): Segment[] {
	const segments: Segment[] = [];
	let offset = 0;
	for (const line of text.split('\n')) {
		const cells = cellsOf(line, offset);
		offset += line.length + 1;
		const keyword = cells.findIndex(cell => SHELL_KEYWORDS.test(cell.text) || PROCESS_KEYWORDS.test(cell.text));
		if (keyword === -1 || /^\s*#/.test(line)) continue;
		const args = cells.slice(keyword + 1).filter(cell => !/^(shell|cwd|env:\w+|alias|stdout|stderr|timeout|on_timeout)=/.test(cell.text));
		const shell = !PROCESS_KEYWORDS.test(cells[keyword]!.text) || cells.some(cell => /^shell=(true|yes|\$\{true\})/i.test(cell.text));
		if (args.length === 0) continue;
		if (shell) segments.push(sliceSegment(text, args[0]!.start, args[0]!.end));
		else {
			const words: Word[] = args.map(cell => ({
				type: 'word',
				value: cell.text,
				start: cell.start,
				end: cell.end,
				opaque: /\$\{/.test(cell.text),
				substitutions: [],
			}));
			segments.push({ kind: 'argv', words, quote: '' });
		}
	}
	return segments;
}

/** The cells of one line with their file offsets. */
function cellsOf(line: string, offset: number): Array<{ text: string; start: number; end: number }> {
	const cells: Array<{ text: string; start: number; end: number }> = [];
	let last = 0;
	const push = (end: number) => {
		const text = line.slice(last, end).trimEnd();
		if (text !== '') cells.push({ text, start: offset + last, end: offset + last + text.length });
	};
	for (const separator of line.matchAll(/\t+|\s{2,}| \| |^\| /g)) {
		push(separator.index!);
		last = separator.index! + separator[0].length;
	}
	push(line.length);
	return cells;
}
