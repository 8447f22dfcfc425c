import { parseDockerArgv } from '../docker-grammar/parse.js';
import { detectForce } from '../guard/detect-force.js';
import { alternativeFor } from './alternative.js';
import { callsInFile } from './file-calls.js';
import type { FileKind } from './file-kind.js';
import type { LexBudget } from './shell-lexer.js';

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
	/** The safe command to put in the call's place, as written in the file's own syntax (or what to do, in words). */
	readonly alternative: string | null;
	/** The source line, trimmed. */
	readonly text: string;
}

const SUPPRESSION = /safe-docker:\s*allow-force\b[ \t]*([^\n]*)/;
/** Nesting of substitutions and inner scripts a file may have; deeper is a file given up on, not a crash. */
const MAX_DEPTH = 64;

/** The work one file may cost: its length many times over (inner scripts are read again), at least 4 M characters. */
function budgetFor(text: string): LexBudget {
	return { maxDepth: MAX_DEPTH, remaining: Math.max(4_000_000, text.length * 16) };
}

/**
 * Forced docker calls in one file's text, decided by the same grammar and guard as at run time. A comment
 * `safe-docker: allow-force <reason>` on the line (or the line above) suppresses its finding; without a
 * reason it suppresses nothing and is reported itself. Throws ScanLimitExceeded past the file's budget.
 */
export function scanText(file: string, kind: FileKind, text: string): Finding[] {
	const lines = text.split('\n');
	const findings: Finding[] = [];
	for (const { call, line, column, render } of callsInFile(kind, text, budgetFor(text))) {
		const parsed = parseDockerArgv(call.argv);
		const use = detectForce(parsed);
		if (!use) continue;
		const here = lines[line - 1] ?? '';
		const suppression = SUPPRESSION.exec(here) ?? SUPPRESSION.exec(lines[line - 2] ?? '');
		const reason = suppression?.[1]?.replace(/(-->|\*\/|#}).*$/, '').trim();
		if (suppression && reason) continue;
		const base = { file, line, column, text: here.trim() };
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
			alternative: render(alternativeFor(call, parsed, use)),
		});
	}
	return findings;
}
