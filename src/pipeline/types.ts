import type { Config } from '../config/defaults.js';
import type { OutcomeKind } from '../coordination/breaker.js';
import type { Hold, Lane } from '../docker-grammar/lanes.js';
import type { ParsedCall } from '../docker-grammar/parse.js';

/** One proxied docker call as it travels through the pipeline. */
export interface Call {
	/** The argv exactly as typed after `safe-docker`; this is what docker receives. */
	readonly argv: readonly string[];
	readonly parsed: ParsedCall;
	readonly lane: Lane;
	/** Whether the call holds its slot until it exits or only for the start-up lease. */
	readonly hold: Hold;
	/** Path of the real docker binary. */
	readonly docker: string;
	readonly config: Config;
	readonly env: NodeJS.ProcessEnv;
	/** Ends docker (SIGTERM, then SIGKILL) when aborted: a read call on a daemon that stopped answering. */
	readonly signal?: AbortSignal;
	/** Tells every other call that the daemon stopped answering (the limiter step sets it: the broker opens the breaker). */
	readonly reportStall?: (detail: string) => void;
}

/** How a call ended: the record the breaker, the statistics and `--json` all read. */
export interface Outcome {
	readonly exitCode: number;
	readonly signal: NodeJS.Signals | null;
	readonly durationMs: number;
	/** Time spent waiting for a slot before docker started. */
	readonly waitedMs: number;
	readonly lane: Lane;
	/** Attempts beyond the first. */
	readonly retried: number;
	/** `daemon`: the daemon itself failed (confirmed by a ping); `failed`: docker or the container said no. */
	readonly kind?: OutcomeKind;
	/** What the daemon failure was. */
	readonly detail?: string;
}

/** The rest of the pipeline, from a step's point of view. */
export type Next = (call: Call) => Promise<Outcome>;

/** One step of the pipeline: it may answer itself, or hand the call (changed, or not) on to `next`. */
export interface Step {
	handle(call: Call, next: Next): Promise<Outcome>;
}
