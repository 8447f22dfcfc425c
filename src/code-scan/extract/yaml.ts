import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Scalar } from 'yaml';
import { MappedText, type Segment } from '../segments.js';

/** Keys whose string values are shell: CI steps (`run`, `script`…), compose `command`, Taskfile `cmds`/`cmd`. */
const SHELL_KEYS = new Set(['run', 'script', 'before_script', 'after_script', 'command', 'commands', 'cmd', 'cmds', 'shell']);

/** The shell values of a YAML file (each document of a stream), mapped back character by character. */
export function yamlSegments(text: string): Segment[] {
	const segments: Segment[] = [];
	for (const document of documentsOf(text)) {
		const visit = (node: unknown, underShellKey: boolean) => {
			if (isMap(node)) {
				for (const pair of node.items) visit(pair.value, isScalar(pair.key) && SHELL_KEYS.has(String(pair.key.value)));
			} else if (isSeq(node)) {
				for (const item of node.items) visit(item, underShellKey);
			} else if (isScalar(node) && underShellKey && typeof node.value === 'string' && node.range) {
				segments.push(scalarText(text, node as Scalar<string>).segment());
			}
		};
		visit(document.contents, false);
	}
	return segments;
}

/**
 * A scalar's value as YAML reads it, each character at its place in the file: block literals keep their
 * lines, folded and multi-line plain scalars join lines with a space, quoted ones lose their escapes.
 */
function scalarText(text: string, node: Scalar<string>): MappedText {
	const [start, end] = node.range!;
	const out = new MappedText();
	if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') {
		const contentStart = text.indexOf('\n', start) + 1;
		const lines = text.slice(contentStart, end).split('\n');
		const indent = Math.min(...lines.filter(line => line.trim() !== '').map(line => /^[ \t]*/.exec(line)![0].length));
		let offset = contentStart;
		let previousFolds = false;
		for (const [index, line] of lines.entries()) {
			const content = line.slice(Math.min(indent, line.length));
			const folds = node.type === 'BLOCK_FOLDED' && content !== '' && !/^\s/.test(content);
			if (index > 0) out.push(previousFolds && folds ? ' ' : '\n', offset - 1);
			out.push(content, offset + Math.min(indent, line.length));
			previousFolds = folds;
			offset += line.length + 1;
		}
		return out;
	}
	const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
	const from = start + (quoted ? 1 : 0);
	const to = quoted ? text.lastIndexOf(node.type === 'QUOTE_DOUBLE' ? '"' : "'", end - 1) : end;
	const lines = text.slice(from, to).split('\n');
	let offset = from;
	for (const [index, line] of lines.entries()) {
		const lead = index === 0 ? 0 : /^[ \t]*/.exec(line)![0].length;
		const body = index === lines.length - 1 ? line.slice(lead) : line.slice(lead).trimEnd();
		if (index > 0) out.push(body === '' ? '\n' : ' ', offset - 1);
		for (let i = 0; i < body.length; i++) {
			const at = offset + lead + i;
			if (node.type === 'QUOTE_DOUBLE' && body[i] === '\\') {
				out.push(body[i + 1] === 'n' ? '\n' : body[i + 1] === 't' ? '\t' : (body[i + 1] ?? ''), at);
				i++;
			} else if (node.type === 'QUOTE_SINGLE' && body[i] === "'" && body[i + 1] === "'") {
				out.push("'", at);
				i++;
			} else out.push(body[i]!, at);
		}
		offset += line.length + 1;
	}
	return out;
}

/** Every document of a YAML stream (CI files may hold several); an unreadable one yields nothing. */
function documentsOf(text: string): Array<{ contents: unknown }> {
	try {
		return parseAllDocuments(text, { lineCounter: new LineCounter(), uniqueKeys: false }) as Array<{ contents: unknown }>;
	} catch {
		return [];
	}
}
