import { scanPaths, summaryLine } from '../code-scan/scan-paths.js';
import type { CommandIO } from './context.js';

/**
 * `safe-docker guard scan [paths…] [--json]`: forced docker calls in code, before they run. Exit 1 when
 * something was found, 0 when nothing was, 2 when a path could not be read or a named file cannot be scanned.
 */
export async function scanCommand(
	paths: readonly string[],
	{ json = false }: { json?: boolean },
	{ cwd, stdout, stderr }: CommandIO,
): Promise<number> {
	const result = scanPaths(paths, cwd);
	const { findings, problems } = result;
	for (const problem of problems) stderr.write(`safe-docker: cannot scan ${problem.path}: ${problem.reason}\n`);
	if (json) stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
	else
		for (const finding of findings)
			stdout.write(`${finding.file}:${finding.line}:${finding.column}  ${finding.rule}  ${finding.alternative}\n`);
	stderr.write(`safe-docker: ${summaryLine(result)}\n`);
	if (problems.length > 0) return 2;
	return findings.length > 0 ? 1 : 0;
}
