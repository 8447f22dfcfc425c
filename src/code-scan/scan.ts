import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { parseDockerArgv } from '../docker-grammar/parse.js';
import { detectForce, safeAlternative } from '../guard/detect-force.js';
import { displayCommand } from '../system/display-command.js';
import { callsInFile, type FileKind, kindOf } from './extract.js';

/** A forced docker call found in a file (or a suppression comment that gives no reason). */
export interface Finding {
	readonly file: string;
	readonly line: number;
	readonly column: number;
	/** `force/container rm (-f)`, or `suppression-without-reason`. */
	readonly rule: string;
	readonly command: string | null;
	readonly flag: string | null;
	readonly risk: string | null;
	readonly alternative: string | null;
	/** The source line, trimmed. */
	readonly text: string;
}

const SUPPRESSION = /safe-docker:\s*allow-force\b[ \t]*([^\n]*)/;
const MAX_BYTES = 1024 * 1024;

/**
 * Forced docker calls in one file's text, decided by the same grammar and guard as at run time. A comment
 * `safe-docker: allow-force <reason>` on the line (or the line above) suppresses its finding; without a
 * reason it suppresses nothing and is reported itself.
 */
export function scanText(file: string, kind: FileKind, text: string): Finding[] {
	const lines = text.split('\n');
	const findings: Finding[] = [];
	for (const call of callsInFile(kind, text)) {
		const parsed = parseDockerArgv(call.argv);
		const use = detectForce(parsed);
		if (!use) continue;
		const here = lines[call.line - 1] ?? '';
		const suppression = SUPPRESSION.exec(here) ?? SUPPRESSION.exec(lines[call.line - 2] ?? '');
		const reason = suppression?.[1]?.replace(/(-->|\*\/|#}).*$/, '').trim();
		if (suppression && reason) continue;
		const base = { file, line: call.line, column: call.column, text: here.trim() };
		if (suppression)
			findings.push({
				...base,
				rule: 'suppression-without-reason',
				command: null,
				flag: null,
				risk: 'a suppression must say why',
				alternative: 'safe-docker: allow-force <reason>',
			});
		findings.push({
			...base,
			rule: `force/${use.command} (${use.token})`,
			command: use.command,
			flag: use.token,
			risk: use.rule.risk,
			alternative: safeAlternative(parsed, use).map(sourceWord).join(' '),
		});
	}
	return findings;
}

/**
 * A word of a command found in source text, for the suggested alternative. A word that refers to a variable
 * (`${c}`, `$NAME`, `--name=$APP-1`) is shown as written, so that it still expands when the alternative is
 * pasted back into the script; quoting it would turn it into a literal.
 */
function sourceWord(word: string): string {
	return word.includes('$') && /^[\w@%+=:,./${}-]+$/.test(word) ? word : displayCommand([word]);
}

/** A path that could not be read. */
export interface ScanProblem {
	readonly path: string;
	readonly reason: string;
}

/**
 * Scans files and directories (walked recursively, respecting .gitignore files, never .git or
 * node_modules; binary files and files over 1 MiB are skipped). Nothing scanned is ever executed.
 */
export function scanPaths(paths: readonly string[], cwd: string): { findings: Finding[]; problems: ScanProblem[]; files: number } {
	const findings: Finding[] = [];
	const problems: ScanProblem[] = [];
	let files = 0;
	const scanFile = (path: string) => {
		let text: string;
		try {
			const stat = statSync(path);
			if (stat.size > MAX_BYTES) return;
			text = readFileSync(path, 'utf8');
		} catch (error) {
			problems.push({ path: relative(cwd, path) || path, reason: (error as NodeJS.ErrnoException).code ?? String(error) });
			return;
		}
		if (text.slice(0, 8000).includes('\u0000')) return;
		const kind = kindOf(path, text.slice(0, 200));
		if (!kind) return;
		files++;
		findings.push(...scanText(relative(cwd, path) || path, kind, text));
	};
	const walk = (dir: string, rules: Array<{ base: string; ignore: Ignore }>) => {
		const gitignore = join(dir, '.gitignore');
		const here = existsSync(gitignore) ? [...rules, { base: dir, ignore: ignore().add(readFileSync(gitignore, 'utf8')) }] : rules;
		let entries: import('node:fs').Dirent[];
		try {
			entries = readdirSync(dir, { withFileTypes: true });
		} catch (error) {
			problems.push({ path: relative(cwd, dir) || dir, reason: (error as NodeJS.ErrnoException).code ?? String(error) });
			return;
		}
		for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
			if (entry.name === '.git' || entry.name === 'node_modules') continue;
			const path = join(dir, entry.name);
			const ignored = here.some(rule => rule.ignore.ignores(`${relative(rule.base, path)}${entry.isDirectory() ? '/' : ''}`));
			if (ignored) continue;
			if (entry.isDirectory()) walk(path, here);
			else if (entry.isFile()) scanFile(path);
		}
	};
	for (const path of paths.length === 0 ? ['.'] : paths) {
		const full = resolve(cwd, path);
		let stat: import('node:fs').Stats;
		try {
			stat = statSync(full);
		} catch (error) {
			problems.push({
				path,
				reason:
					(error as NodeJS.ErrnoException).code === 'ENOENT'
						? 'no such file or directory'
						: ((error as NodeJS.ErrnoException).code ?? String(error)),
			});
			continue;
		}
		if (stat.isDirectory()) walk(full, []);
		else scanFile(full);
	}
	return { findings, problems, files };
}
