import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { ScanLimitExceeded } from '../errors.js';
import type { CallLossContext } from './call-loss.js';
import { kindOf } from './file-kind.js';
import { type Finding, scanText } from './scan.js';

/** A file not scanned, and why. */
interface Skipped {
	readonly path: string;
	readonly reason: 'unsupported' | 'binary' | 'too-large' | 'too-complex';
	readonly detail?: string;
}

/** A path that could not be read, or a file named on the command line that cannot be scanned. */
interface ScanProblem {
	readonly path: string;
	readonly reason: string;
}

export interface ScanResult {
	readonly findings: Finding[];
	readonly problems: ScanProblem[];
	readonly skipped: Skipped[];
	readonly files: number;
}

/** Files above this are not read: a scan is a pre-commit check, not a search of data dumps. */
const MAX_BYTES = 32 * 1024 * 1024;
const WHY: Readonly<Record<Skipped['reason'], string>> = {
	unsupported:
		'not a file type guard scan reads (shell, Makefile, justfile, Dockerfile, YAML, package.json, Markdown, AsciiDoc, Robot, Jenkinsfile, PowerShell, JS/TS/Python/Go)',
	binary: 'binary',
	'too-large': `over ${MAX_BYTES / 1024 / 1024} MiB`,
	'too-complex': 'too complex to scan',
};

/**
 * Scans files and directories (walked recursively, respecting .gitignore files and .git/info/exclude, never
 * .git or node_modules). A directory's files that cannot be scanned are counted as skipped; a file named
 * on the command line that cannot be scanned is a problem. Nothing scanned is ever executed.
 */
export function scanPaths(paths: readonly string[], cwd: string, lossContext?: CallLossContext): ScanResult {
	const findings: Finding[] = [];
	const problems: ScanProblem[] = [];
	const skipped: Skipped[] = [];
	let files = 0;
	const shown = (path: string) => relative(cwd, path) || path;
	const scanFile = (path: string, named: boolean) => {
		const skip = (reason: Skipped['reason'], detail?: string) => {
			if (named) problems.push({ path: shown(path), reason: detail ? `${WHY[reason]}: ${detail}` : WHY[reason] });
			else skipped.push({ path: shown(path), reason, ...(detail ? { detail } : {}) });
		};
		let text: string;
		try {
			if (statSync(path).size > MAX_BYTES) return skip('too-large');
			text = readFileSync(path, 'utf8');
		} catch (error) {
			problems.push({ path: shown(path), reason: (error as NodeJS.ErrnoException).code ?? String(error) });
			return;
		}
		const kind = kindOf(path, text.slice(0, 200));
		if (text.slice(0, 8000).includes('\u0000')) return skip('binary');
		if (!kind) return skip('unsupported');
		try {
			findings.push(...scanText(shown(path), kind, text, lossContext));
			files++;
		} catch (error) {
			if (!(error instanceof ScanLimitExceeded)) throw error;
			skip('too-complex', error.limit);
		}
	};
	const walk = (dir: string, rules: Array<{ base: string; ignore: Ignore }>) => {
		const here = [...rules, ...ignoreRules(dir)];
		let entries: import('node:fs').Dirent[];
		try {
			entries = readdirSync(dir, { withFileTypes: true });
		} catch (error) {
			problems.push({ path: shown(dir), reason: (error as NodeJS.ErrnoException).code ?? String(error) });
			return;
		}
		for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
			if (entry.name === '.git' || entry.name === 'node_modules') continue;
			const path = join(dir, entry.name);
			const ignored = here.some(rule => rule.ignore.ignores(`${relative(rule.base, path)}${entry.isDirectory() ? '/' : ''}`));
			if (ignored) continue;
			if (entry.isDirectory()) walk(path, here);
			else if (entry.isFile()) scanFile(path, false);
		}
	};
	for (const path of paths.length === 0 ? ['.'] : paths) {
		const full = resolve(cwd, path);
		let stat: import('node:fs').Stats;
		try {
			stat = statSync(full);
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			problems.push({ path, reason: code === 'ENOENT' ? 'no such file or directory' : (code ?? String(error)) });
			continue;
		}
		if (stat.isDirectory()) walk(full, ancestorRules(full));
		else scanFile(full, true);
	}
	return { findings, problems, skipped, files };
}

/** The ignore rules a directory adds: its .gitignore, and .git/info/exclude where it is a repository's root. */
function ignoreRules(dir: string): Array<{ base: string; ignore: Ignore }> {
	const rules: Array<{ base: string; ignore: Ignore }> = [];
	for (const file of [join(dir, '.git', 'info', 'exclude'), join(dir, '.gitignore')]) {
		if (existsSync(file)) rules.push({ base: dir, ignore: ignore().add(readFileSync(file, 'utf8')) });
	}
	return rules;
}

/** For a walk that starts inside a repository: the rules of the directories from its root down to the start. */
function ancestorRules(start: string): Array<{ base: string; ignore: Ignore }> {
	const chain: string[] = [];
	for (let dir = dirname(start); ; dir = dirname(dir)) {
		chain.unshift(dir);
		if (existsSync(join(dir, '.git')) || dirname(dir) === dir) break;
	}
	if (!existsSync(join(chain[0]!, '.git'))) return [];
	return chain.flatMap(ignoreRules);
}

/** The closing line: findings, files, and what was skipped and why (naming files given up on). */
export function summaryLine({ findings, files, skipped }: ScanResult): string {
	const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
	const warned = findings.filter(finding => !finding.fails).length;
	let line = `${plural(findings.length, 'finding')}${warned > 0 ? ` (${warned} data loss only warned about)` : ''} in ${plural(files, 'file')}`;
	if (skipped.length > 0) {
		const reasons = (Object.keys(WHY) as Array<Skipped['reason']>).flatMap(reason => {
			const these = skipped.filter(skip => skip.reason === reason);
			if (these.length === 0) return [];
			const named = reason === 'too-large' || reason === 'too-complex' ? `: ${these.map(skip => skip.path).join(', ')}` : '';
			return [`${these.length} ${reason === 'unsupported' ? 'not a supported type' : WHY[reason]}${named}`];
		});
		line += `; ${plural(skipped.length, 'file')} skipped (${reasons.join('; ')})`;
	}
	return line;
}
