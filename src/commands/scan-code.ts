import { scanPaths, summaryLine } from '../code-scan/scan-paths.js';
import { stateDir } from '../config/paths.js';
import type { CommandContext } from './context.js';

/**
 * `safe-docker guard scan [paths…] [--json]`: forced docker calls and calls that destroy volume data, in code,
 * before they run. Exit 1 when a forced call or refused data loss was found (loss under a `warn` policy is
 * listed only), 0 otherwise, 2 when a path could not be read or a named file cannot be scanned. Data loss is
 * judged as `guard check` judges it: the configured `dataLoss` policy, no daemon asked.
 */
export async function scanCommand(
	paths: readonly string[],
	{ json = false }: { json?: boolean },
	{ cwd, env, stdout, stderr, loaded }: CommandContext,
): Promise<number> {
	const { config } = await loaded();
	// The hatch set for the scan itself would pass every call: only one written on a call counts.
	const { SAFE_DOCKER_ALLOW_DATA_LOSS: _hatch, ...scanEnv } = env;
	const result = scanPaths(paths, cwd, { policy: config.dataLoss, env: scanEnv, cwd, stateDir: stateDir(env) });
	const { findings, problems } = result;
	for (const problem of problems) stderr.write(`safe-docker: cannot scan ${problem.path}: ${problem.reason}\n`);
	if (json) stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
	else
		for (const finding of findings) {
			const mark = finding.fails ? '' : 'warning: ';
			const then = finding.afterBackup === null ? '' : `  then, audited: ${finding.afterBackup}`;
			stdout.write(`${finding.file}:${finding.line}:${finding.column}  ${mark}${finding.rule}  ${finding.alternative}${then}\n`);
		}
	stderr.write(`safe-docker: ${summaryLine(result)}\n`);
	if (problems.length > 0) return 2;
	return findings.some(finding => finding.fails) ? 1 : 0;
}
