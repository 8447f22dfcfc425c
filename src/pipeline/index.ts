import { ESCAPE_HATCH } from '../guard/judge.js';
import { type RunDockerOptions, runDocker } from './run-docker.js';
import type { Call, Outcome, Step } from './types.js';

/**
 * Runs a call through `steps` in order, ending in the real docker. The order is the product's
 * (guard → lock → limiter → breaker → run): a rejected call must never queue, a queued call must not
 * hold a lock it waits behind, and the breaker must see only calls that actually reach docker.
 */
export function runPipeline(call: Call, steps: readonly Step[], runOptions: RunDockerOptions = {}): Promise<Outcome> {
	const last = async (final: Call): Promise<Outcome> => {
		// The escape hatch allows one call: it does not travel on to anything docker starts.
		const { [ESCAPE_HATCH]: _hatch, ...env } = final.env;
		const exit = await runDocker(final.docker, final.argv, { ...runOptions, env });
		return { ...exit, waitedMs: 0, lane: final.lane, retried: 0 };
	};
	const chain = steps.reduceRight<(call: Call) => Promise<Outcome>>((next, step) => current => step.handle(current, next), last);
	return chain(call);
}
