import { readAudit } from '../audit/audit-log.js';
import { UsageError } from '../errors.js';
import { displayCommand } from '../system/display-command.js';
import { parseSince } from '../system/duration.js';
import type { CommandContext } from './context.js';

/** `safe-docker guard audit [--json] [--since DUR|DATE] [--limit N]`: recent guard decisions, oldest first. */
export async function auditCommand(
	{ json = false, since, limit = 50 }: { json?: boolean; since?: string; limit?: number },
	{ stdout, stateDir }: CommandContext,
): Promise<number> {
	const from = since === undefined ? undefined : parseSince(since);
	if (since !== undefined && from === undefined)
		throw new UsageError(`--since ${JSON.stringify(since)} is not a duration (30m, 24h, 7d) or a date (2026-11-22, ISO 8601)`);
	const entries = readAudit(stateDir())
		.filter(entry => from === undefined || Date.parse(entry.time) >= from)
		.slice(-limit);
	if (json) {
		stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
		return 0;
	}
	if (entries.length === 0) {
		stdout.write('no audit entries\n');
		return 0;
	}
	const rows = entries.map(entry => [
		entry.time,
		entry.decision,
		`${entry.user}@${entry.host}`,
		`exit ${entry.exitCode ?? '-'}`,
		displayCommand(['docker', ...entry.argv]),
		entry.reason === undefined ? '' : `(reason: ${entry.reason})`,
	]);
	// Every column but the last two as wide as its widest cell, so the columns line up.
	const widths = rows[0]!.slice(0, -2).map((_, column) => Math.max(...rows.map(row => row[column]!.length)));
	stdout.write(
		`${rows
			.map(row =>
				row
					.map((cell, column) => cell.padEnd(widths[column] ?? 0))
					.join('  ')
					.trimEnd(),
			)
			.join('\n')}\n`,
	);
	return 0;
}
