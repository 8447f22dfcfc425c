import { type RunWithTerminalOptions, runWithTerminal } from '../system/run-with-terminal.js';
import type { Call, Next, Outcome, Step } from './types.js';

/**
 * Runs a call through `steps` in order, ending in the real docker run with the terminal. The order is chosen
 * by the caller (main.ts lists it and says why).
 */
export function runPipeline(call: Call, steps: readonly Step[], runOptions: RunWithTerminalOptions = {}): Promise<Outcome> {
	const last: Next = async final => {
		const exit = await runWithTerminal(final.docker, final.argv, {
			...runOptions,
			env: final.env,
			...(final.signal ? { signal: final.signal } : {}),
		});
		return { ...exit, waitedMs: 0, lane: final.lane, retried: 0 };
	};
	const chain = steps.reduceRight<Next>((next, step) => current => step.handle(current, next), last);
	return chain(call);
}
