import type { CallLossContext } from '../code-scan/call-loss.js';
import type { Config } from '../config/defaults.js';
import type { AgentContract, HookAnswer } from './agents.js';
import { judgeShell } from './judge-shell.js';
import { MAX_INPUT_BYTES } from './read-input.js';

/**
 * One hook call: the agent's payload in, its answer out. Never throws: input that cannot be read is refused
 * with the reason (the agent would otherwise run the command unchecked), and so is a failure of our own.
 */
export function runHook(
	contract: AgentContract,
	input: { text: string } | { tooLarge: true },
	force: Config['force'],
	env: Readonly<Record<string, string | undefined>>,
	/** How data loss is judged (default: the default policy, no API version known). */
	loss?: Omit<CallLossContext, 'env'>,
): HookAnswer {
	const refuse = (reason: string) => contract.answer({ decision: 'deny', reason: `safe-docker: ${reason}` });
	try {
		if ('tooLarge' in input) return refuse(`the hook input is over ${MAX_INPUT_BYTES / 1024 / 1024} MiB; refused unread`);
		let payload: unknown;
		try {
			payload = JSON.parse(input.text);
		} catch {
			return refuse('the hook input is not valid JSON; refused unread');
		}
		const request = contract.read(payload);
		if ('otherTool' in request) return contract.answer({ decision: 'allow' });
		if ('unreadable' in request) return refuse(`${request.unreadable}; refused unread`);
		return contract.answer(judgeShell(request.command, force, env, loss));
	} catch (error) {
		return refuse(`the hook failed (${error instanceof Error ? error.message : String(error)}); refused to be safe`);
	}
}
