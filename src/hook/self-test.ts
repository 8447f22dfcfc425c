import { spawnSync } from 'node:child_process';
import type { AgentContract, HookAnswer } from './agents.js';
import { hookList, readHookFile } from './install.js';

/** Sample commands and whether a working hook must block them. */
const SAMPLES: ReadonlyArray<{ readonly command: string; readonly blocked: boolean }> = [
	{ command: 'docker rm -f web', blocked: true },
	{ command: 'docker ps -q | xargs docker rm -f', blocked: true },
	{ command: "bash -c 'docker system prune -af'", blocked: true },
	{ command: 'docker logs -f web', blocked: false },
	{ command: 'docker rm my-container-foo', blocked: false },
];

export interface SelfTestResult {
	readonly command: string;
	readonly expected: 'blocked' | 'allowed';
	readonly got: 'blocked' | 'allowed';
	readonly detail: string;
}

/**
 * Feeds sample payloads, in the agent's own format, through every command hook installed for its shell tool
 * (not only safe-docker's), the way the agent would: `sh -c <command>` with the payload on stdin.
 * A hook that reads the wrong field and never blocks shows up as "allowed" where "blocked" was expected.
 */
export function selfTest(
	contract: AgentContract,
	file: string,
	cwd: string,
	env: NodeJS.ProcessEnv,
): { commands: string[]; results: SelfTestResult[] } {
	const commands = hookList(contract, readHookFile(file)).flatMap(entry => contract.install.commandsOf(entry));
	const results = SAMPLES.map(sample => {
		const payload = JSON.stringify(contract.install.samplePayload(sample.command, cwd));
		let blocked = false;
		const details: string[] = [];
		for (const command of commands) {
			const run = spawnSync('sh', ['-c', command], { input: payload, cwd, env, encoding: 'utf8', timeout: 10_000 });
			const answer: HookAnswer = { stdout: run.stdout ?? '', exitCode: run.status ?? -1 };
			// Exit 2 blocks in every one of these agents, whatever the output.
			const blocks = contract.blocks(answer) || answer.exitCode === 2;
			blocked ||= blocks;
			if (run.error || (answer.exitCode !== 0 && answer.exitCode !== 2))
				details.push(
					`\`${command}\` failed (${run.error?.message ?? `exit ${answer.exitCode}`}${run.stderr ? `: ${run.stderr.trim().split('\n')[0]}` : ''})`,
				);
		}
		return {
			command: sample.command,
			expected: sample.blocked ? 'blocked' : 'allowed',
			got: blocked ? 'blocked' : 'allowed',
			detail: details.join('; '),
		} as const;
	});
	return { commands, results };
}
