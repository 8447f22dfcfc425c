import { scanPaths } from '../code-scan/scan.js';
import type { CommandIO } from './context.js';

/**
 * `safe-docker guard scan [paths…] [--json]`: forced docker calls in code, before they run. Exit 1 when
 * something was found, 0 when nothing was, 2 when a path could not be read.
 */
export async function scanCommand(
	paths: readonly string[],
	{ json = false }: { json?: boolean },
	{ cwd, stdout, stderr }: CommandIO,
): Promise<number> {
	const { findings, problems, files } = scanPaths(paths, cwd);
	for (const problem of problems) stderr.write(`safe-docker: cannot read ${problem.path}: ${problem.reason}\n`);
	if (json) stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
	else {
		for (const finding of findings)
			stdout.write(`${finding.file}:${finding.line}:${finding.column}  ${finding.rule}  ${finding.alternative}\n`);
		if (findings.length > 0 || problems.length === 0)
			stderr.write(
				`safe-docker: ${findings.length} finding${findings.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}\n`,
			);
	}
	if (problems.length > 0) return 2;
	return findings.length > 0 ? 1 : 0;
}
