import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments } from 'yaml';
import { dockerCallsInShell, type FoundCall } from './shell-commands.js';

/** What kind of file it is, by name (and shebang for files without an extension). */
export type FileKind = 'shell' | 'makefile' | 'dockerfile' | 'yaml' | 'package-json' | 'markdown' | 'code';

export function kindOf(path: string, head: string): FileKind | undefined {
	const name = path.slice(path.lastIndexOf('/') + 1);
	if (/\.(sh|bash|zsh|ksh)$/.test(name)) return 'shell';
	if (name === 'Makefile' || name === 'makefile' || name === 'GNUmakefile' || name.endsWith('.mk')) return 'makefile';
	if (name === 'Dockerfile' || name === 'Containerfile' || name.endsWith('.Dockerfile') || name.startsWith('Dockerfile.'))
		return 'dockerfile';
	if (/\.ya?ml$/.test(name)) return 'yaml';
	if (name === 'package.json') return 'package-json';
	if (/\.(md|markdown)$/.test(name)) return 'markdown';
	if (/\.(m?[jt]sx?|cjs|cts|py)$/.test(name)) return 'code';
	if (!name.includes('.') && /^#!.*\b(ba|z|k)?sh\b/.test(head)) return 'shell';
	return undefined;
}

/** Shell found inside a file, shifted to where it sits in the file. */
function shifted(calls: FoundCall[], line: number, column: number): FoundCall[] {
	return calls.map(call => ({ ...call, line: call.line + line - 1, column: call.line === 1 ? call.column + column - 1 : call.column }));
}

/** The docker calls of one file, by its kind. */
export function callsInFile(kind: FileKind, text: string): FoundCall[] {
	switch (kind) {
		case 'shell':
			return dockerCallsInShell(text);
		case 'makefile':
			return makefileCalls(text);
		case 'dockerfile':
			return dockerfileCalls(text);
		case 'yaml':
			return yamlCalls(text);
		case 'package-json':
			return packageJsonCalls(text);
		case 'markdown':
			return markdownCalls(text);
		case 'code':
			return codeCalls(text);
	}
}

/**
 * Recipe lines start with a tab; make's @, - and + prefixes are not part of the command, `$$` is a `$`, and
 * a recipe line ending in `\` goes on on the next one (scanned together, positions kept per line).
 */
function makefileCalls(text: string): FoundCall[] {
	const lines = text.split('\n');
	const calls: FoundCall[] = [];
	for (let i = 0; i < lines.length; i++) {
		if (!lines[i]!.startsWith('\t')) continue;
		const start = i;
		const prefixes: number[] = [];
		const body: string[] = [];
		for (let continued = true; continued && i < lines.length; i++) {
			const prefix = (body.length === 0 ? /^\t[@+-]*/ : /^\t?/).exec(lines[i]!)![0].length;
			prefixes.push(prefix);
			body.push(lines[i]!.slice(prefix).replace(/\$\$/g, '$'));
			continued = /\\\s*$/.test(lines[i]!);
		}
		i--;
		for (const call of dockerCallsInShell(body.join('\n')))
			calls.push({ ...call, line: start + call.line, column: call.column + prefixes[call.line - 1]! });
	}
	return calls;
}

function dockerfileCalls(text: string): FoundCall[] {
	const calls: FoundCall[] = [];
	const lines = text.split('\n');
	for (let i = 0; i < lines.length; i++) {
		const match = /^\s*RUN\s+(?:--\S+\s+)*/i.exec(lines[i]!);
		if (!match) continue;
		let body = lines[i]!.slice(match[0].length);
		const start = i;
		const heredoc = /^<<-?\s*["']?(\w+)["']?/.exec(body);
		if (heredoc) {
			// RUN <<EOF … EOF: the lines in between are the script.
			const first = i + 1;
			while (i + 1 < lines.length && lines[i + 1]!.trim() !== heredoc[1]) i++;
			calls.push(...shifted(dockerCallsInShell(lines.slice(first, i + 1).join('\n')), first + 1, 1));
			i++;
			continue;
		}
		while (/\\\s*$/.test(lines[i]!) && i + 1 < lines.length) body += `\n${lines[++i]}`;
		const exec = /^\[.*\]\s*$/s.exec(body.trim()) ? safeArray(body.trim()) : undefined;
		if (exec) {
			const [program, ...rest] = exec;
			if (program?.endsWith('docker')) calls.push({ argv: rest, line: start + 1, column: match[0].length + 1 });
			continue;
		}
		calls.push(...shifted(dockerCallsInShell(body), start + 1, match[0].length + 1));
	}
	return calls;
}

const SHELL_KEYS = new Set(['run', 'script', 'before_script', 'after_script', 'command', 'commands', 'cmd', 'shell']);

function yamlCalls(text: string): FoundCall[] {
	const lineCounter = new LineCounter();
	const calls: FoundCall[] = [];
	for (const document of documentsOf(text, lineCounter)) {
		const visit = (node: unknown, underShellKey: boolean) => {
			if (isMap(node)) {
				for (const pair of node.items) visit(pair.value, isScalar(pair.key) && SHELL_KEYS.has(String(pair.key.value)));
			} else if (isSeq(node)) {
				for (const item of node.items) visit(item, underShellKey);
			} else if (isScalar(node) && underShellKey && typeof node.value === 'string' && node.range) {
				const block = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
				const source = text.slice(node.range[0], node.range[1]);
				if (node.type === 'BLOCK_FOLDED') {
					// `>` folds lines into one: scanned as YAML reads it, reported at its first content line.
					const start = lineCounter.linePos(node.range[0]).line + 1;
					const indent = /\n([ \t]*)/.exec(source)?.[1]?.length ?? 0;
					calls.push(
						...dockerCallsInShell(node.value).map(call => ({
							...call,
							line: start + call.line - 1,
							column: call.line === 1 ? call.column + indent : call.column,
						})),
					);
				} else if (block) {
					// The content starts on the line after the `|` / `>` indicator; keep the file's own lines.
					const start = lineCounter.linePos(node.range[0]).line + 1;
					const content = source.slice(source.indexOf('\n') + 1);
					const indent = /^[ \t]*/.exec(content)![0].length;
					calls.push(
						...shifted(
							dockerCallsInShell(
								content
									.split('\n')
									.map(line => line.slice(indent))
									.join('\n'),
							),
							start,
							1,
						).map(call => ({ ...call, column: call.column + indent })),
					);
				} else {
					const { line, col } = lineCounter.linePos(node.range[0]);
					const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : 0;
					calls.push(...shifted(dockerCallsInShell(node.value), line, col + quoted));
				}
			}
		};
		visit(document.contents, false);
	}
	return calls;
}

/** Every document of a YAML stream (CI files may hold several); an unreadable one yields nothing. */
function documentsOf(text: string, lineCounter: LineCounter): Array<{ contents: unknown }> {
	try {
		return parseAllDocuments(text, { lineCounter, uniqueKeys: false }) as Array<{ contents: unknown }>;
	} catch {
		return [];
	}
}

function packageJsonCalls(text: string): FoundCall[] {
	let scripts: Record<string, unknown> = {};
	try {
		scripts = (JSON.parse(text) as { scripts?: Record<string, unknown> }).scripts ?? {};
	} catch {
		return [];
	}
	const lines = text.split('\n');
	// Keys are looked up after "scripts", so that a "name": "clean" elsewhere is not taken for a script.
	const scriptsLine = Math.max(
		0,
		lines.findIndex(line => /"scripts"\s*:/.test(line)),
	);
	return Object.entries(scripts).flatMap(([name, script]) => {
		if (typeof script !== 'string') return [];
		const key = new RegExp(`${JSON.stringify(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:\\s*"`);
		const index = lines.findIndex((line, i) => i >= scriptsLine && key.test(line));
		if (index === -1) return dockerCallsInShell(script).map(call => ({ ...call, line: scriptsLine + 1, column: 1 }));
		const valueStart = key.exec(lines[index]!)!.index + key.exec(lines[index]!)![0].length;
		// Columns in the file count the JSON escapes (\" and \\) before the call.
		return dockerCallsInShell(script).map(call => ({
			...call,
			line: index + 1,
			column: valueStart + JSON.stringify(script.slice(0, call.column - 1)).length - 2 + 1,
		}));
	});
}

function markdownCalls(text: string): FoundCall[] {
	const calls: FoundCall[] = [];
	const lines = text.split('\n');
	for (let i = 0; i < lines.length; i++) {
		const fence = /^\s*(```+|~~~+)\s*([\w-]*)/.exec(lines[i]!);
		if (!fence) continue;
		const language = fence[2]!.toLowerCase();
		const start = i + 1;
		let end = start;
		while (end < lines.length && !lines[end]!.trim().startsWith(fence[1]!)) end++;
		if (['', 'sh', 'bash', 'shell', 'console', 'zsh', 'shell-session'].includes(language)) {
			for (let j = start; j < end; j++) {
				const prompt = /^\s*(?:\$|#|>)\s+/.exec(lines[j]!);
				const line = prompt ? lines[j]!.slice(prompt[0].length) : lines[j]!;
				calls.push(...shifted(dockerCallsInShell(line), j + 1, (prompt?.[0].length ?? 0) + 1));
			}
		}
		i = end;
	}
	return calls;
}

/** argv arrays in code, where simple: `spawn('docker', ['rm', '-f', name])`, `subprocess.run(["docker", "rm", "-f", x])`. */
function codeCalls(text: string): FoundCall[] {
	const calls: FoundCall[] = [];
	const lineOf = (offset: number) => {
		const before = text.slice(0, offset);
		return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
	};
	const patterns = [/(['"`])docker\1\s*,\s*\[([^\]]*)\]/g, /\[\s*(['"])docker\1\s*,([^\]]*)\]/g];
	for (const pattern of patterns) {
		for (const match of text.matchAll(pattern)) {
			const argv = elements(match[2]!);
			if (argv.length > 0) calls.push({ argv, ...lineOf(match.index! + match[0].indexOf('docker')) });
		}
	}
	return calls;
}

/** String literals of an array's elements; anything else is the word SUBST. */
function elements(list: string): string[] {
	const items: string[] = [];
	// A string literal (commas inside it included), or anything else up to the next comma.
	for (const match of list.matchAll(/\s*(?:(['"`])((?:\\.|(?!\1)[^\\])*)\1|([^,]+?))\s*(?:,|$)/gs)) {
		if (match[0].trim() === '') continue;
		const [, quote, literal] = match;
		items.push(quote !== undefined && !(quote === '`' && literal!.includes('${')) ? literal! : 'SUBST');
	}
	return items;
}

function safeArray(text: string): string[] | undefined {
	try {
		const value: unknown = JSON.parse(text);
		return Array.isArray(value) && value.every(item => typeof item === 'string') ? value : undefined;
	} catch {
		return undefined;
	}
}
