import { statusLine } from '../cli/status-line.js';
import { ensureStateDir } from '../config/paths.js';
import { BrokerUnavailable } from '../coordination/client.js';
import { acquireSlot, type QueuedInfo, type Slot } from '../coordination/slot.js';
import { dockerEndpoint } from '../docker/endpoint.js';
import type { Call, Outcome, Step } from './types.js';

export interface LimiterStepOptions {
	readonly stateDir: string;
	readonly version: string;
	readonly stderr: Pick<NodeJS.WriteStream, 'write'> & { readonly isTTY?: boolean };
	/** Show the waiting line after this long. */
	readonly showAfterMs?: number;
}

/**
 * The cross-process limiter: waits for a slot of the call's lane from the per-user broker, holds it while
 * docker runs, and reports the outcome. If no broker can be had, the call runs without cross-process
 * limits, saying so in one line: a docker call must never hang on safe-docker.
 */
export function limiterStep({ stateDir, version, stderr, showAfterMs = 1000 }: LimiterStepOptions): Step {
	return {
		name: 'limiter',
		async handle(call: Call, next: (call: Call) => Promise<Outcome>): Promise<Outcome> {
			const line = statusLine(stderr, call.env);
			let info: QueuedInfo | undefined;
			const show = () => {
				if (!info) return;
				const running = info.running.length === 0 ? '' : ` (${info.running.slice(0, 3).join(', ')}${info.running.length > 3 ? ', …' : ''})`;
				line.show(
					`safe-docker: waiting for a ${info.lane} slot: ${info.running.length} running${running}, ${info.ahead.length} queued ahead`,
				);
			};
			const timer = setTimeout(show, showAfterMs);
			let slot: Slot;
			try {
				slot = await acquireSlot(
					{
						stateDir: ensureStateDir(stateDir),
						version,
						lanes: call.config.lanes,
						breaker: call.config.breaker,
						probeTimeoutMs: call.config.health.pingTimeoutMs,
						idleTimeoutMs: call.config.broker.idleTimeoutMs,
					},
					{ lane: call.lane, hold: call.hold, label: label(call.argv), endpoint: dockerEndpoint(call.env) },
					queued => (info = queued),
				);
			} catch (error) {
				if (!(error instanceof BrokerUnavailable)) throw error;
				stderr.write(`safe-docker: ${error.message}; running without cross-process limits\n`);
				return next(call);
			} finally {
				clearTimeout(timer);
				line.clear();
			}
			let outcome: Outcome | undefined;
			// One `compose up` is one slot holding many API calls: bound compose's own fan-out by the same limit.
			const env =
				call.parsed.command?.startsWith('compose ') && call.env['COMPOSE_PARALLEL_LIMIT'] === undefined
					? { ...call.env, COMPOSE_PARALLEL_LIMIT: String(call.config.lanes.mutate.maxConcurrent) }
					: call.env;
			try {
				outcome = await next({ ...call, env });
				return { ...outcome, waitedMs: slot.waitedMs };
			} finally {
				await slot.release({
					exitCode: outcome?.exitCode ?? 1,
					durationMs: outcome?.durationMs ?? 0,
					waitedMs: slot.waitedMs,
					kind: outcome?.kind ?? (outcome?.exitCode === 0 ? 'ok' : 'failed'),
					...(outcome?.detail === undefined ? {} : { detail: outcome.detail }),
				});
			}
		},
	};
}

/** What other waiters see of this call: `docker build -t app .`, shortened. */
function label(argv: readonly string[]): string {
	const text = ['docker', ...argv].join(' ');
	return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}
