import { DEFAULTS } from '../config/defaults.js';
import { parseDockerArgv } from '../docker-grammar/parse.js';
import { detectForce } from '../guard/detect-force.js';
import { type CallLossContext, lossFinding, safeWayFor } from './call-loss.js';
import { callsInFile } from './file-calls.js';
import type { FileKind } from './file-kind.js';
import type { LexBudget } from './shell-lexer.js';

/** A forced or lossy docker call found in a file (or a suppression comment that gives no reason). */
export interface Finding {
	readonly file: string;
	readonly line: number;
	readonly column: number;
	/** `force/container rm (-f)`, `data-loss/named (volume rm)`, both joined by ` + `, or `suppression-without-reason`. */
	readonly rule: string;
	readonly command: string | null;
	readonly flag: string | null;
	readonly risk: string | null;
	/** The safe command to put in the call's place, as written in the file's own syntax (or what to do, in words). */
	readonly alternative: string | null;
	/** After a backup (the alternative): the call itself with the data-loss escape hatch, as a shell line. */
	readonly afterBackup: string | null;
	/** What the call destroys of volume data, as `guard check --json` reports it. */
	readonly loss: {
		readonly class: string;
		readonly flag: string | null;
		readonly volumes: readonly string[] | null;
		readonly apiVersion: string | null;
	};
	/** Whether it fails the scan: all do but data loss under a `warn` policy, which is only listed. */
	readonly fails: boolean;
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

/** Judged as the proxy judges by default: the default policy, no API version known, compose files from here. */
const DEFAULT_LOSS_CONTEXT: CallLossContext = { policy: DEFAULTS.dataLoss, env: {}, cwd: process.cwd(), stateDir: undefined };

/**
 * Forced and lossy docker calls in one file's text, decided by the same grammar and guards as at run time. A
 * comment `safe-docker: allow-force <reason>` on the line (or the line above) suppresses a force finding;
 * without a reason it suppresses nothing and is reported itself. Data loss is judged by `dataLoss` (refused
 * loss fails the scan, warned-about loss is listed); a call that sets `SAFE_DOCKER_ALLOW_DATA_LOSS=<reason>`
 * itself is passed, as the proxy would (audited). Throws ScanLimitExceeded past the file's budget.
 */
export function scanText(file: string, kind: FileKind, text: string, lossContext: CallLossContext = DEFAULT_LOSS_CONTEXT): Finding[] {
	const lines = text.split('\n');
	const findings: Finding[] = [];
	for (const { call, line, column, render } of callsInFile(kind, text, budgetFor(text))) {
		const parsed = parseDockerArgv(call.argv);
		const forced = detectForce(parsed);
		const loss = lossFinding(call, parsed, lossContext);
		if (!forced && !loss) continue;
		const here = lines[line - 1] ?? '';
		const suppression = forced && (SUPPRESSION.exec(here) ?? SUPPRESSION.exec(lines[line - 2] ?? ''));
		const reason = suppression?.[1]?.replace(/(-->|\*\/|#}).*$/, '').trim();
		const use = suppression && reason ? undefined : forced;
		if (!use && !loss) continue;
		const lossData = loss?.loss ?? { class: 'none', flag: null, volumes: null, apiVersion: null };
		const base = {
			file,
			line,
			column,
			text: here.trim(),
			loss: { class: lossData.class, flag: lossData.flag, volumes: lossData.volumes, apiVersion: lossData.apiVersion },
		};
		if (suppression && !reason)
			findings.push({
				...base,
				rule: 'suppression-without-reason',
				command: null,
				flag: null,
				risk: 'a suppression must say why',
				alternative: 'safe-docker: allow-force <reason>',
				afterBackup: null,
				fails: true,
			});
		const { alternative, afterBackup } = safeWayFor(call, parsed, use, loss);
		const lossRule = loss && `data-loss/${loss.loss.class} (${loss.loss.flag ?? parsed.command})`;
		findings.push({
			...base,
			rule: [use && `force/${use.command} (${use.token})`, lossRule].filter(Boolean).join(' + '),
			command: use?.command ?? parsed.command ?? null,
			flag: use?.token ?? loss?.loss.flag ?? null,
			risk: [use?.rule.risk, loss?.loss.reason].filter(Boolean).join('; '),
			alternative: render(alternative),
			afterBackup,
			fails: use !== undefined || loss?.decision === 'reject',
		});
	}
	return findings;
}
