import { redactArgv } from '../audit/redact.js';
import { maxConcurrentOf } from '../config/lane-profile.js';
import { acquireSlot, type QueuedInfo, type Slot } from '../coordination/slot.js';
import { dockerEndpoint } from '../docker/endpoint.js';
import { BrokerUnavailable } from '../errors.js';
import { statusLine } from '../system/status-line.js';
import type { Call, Next, Outcome, Step } from './types.js';

export interface LimiterStepOptions {
	/** The state directory (created and checked on first use), where the broker's socket lives. */
	readonly stateDir: () => string;
	readonly version: string;
	readonly stderr: Pick<NodeJS.WriteStream, 'write'> & { readonly isTTY?: boolean };
	/** Show the waiting line after this long. */
	readonly showAfterMs?: number;
	// For testing
	readonly acquire?: typeof acquireSlot;
}

/**
 * The cross-process limiter and the breaker's admission: asks the per-user broker for a slot of the call's
 * lane — the broker answers "open" at once when the endpoint's breaker is open, so a refused call never queues —
 * holds it while docker runs, and reports the outcome, which the broker's statistics and breaker count. If no
 * broker can be had, the call runs without cross-process limits, saying so in one line: a docker call must
 * never hang on safe-docker.
 */
export function limiterStep({ stateDir, version, stderr, showAfterMs = 1000, acquire = acquireSlot }: LimiterStepOptions): Step {
	return {
		async handle(call: Call, next: Next): Promise<Outcome> {
			const line = statusLine(stderr, call.env);
			let info: QueuedInfo | undefined;
			// The count and the reason first, so that a line cut to an 80-column terminal keeps them; then who runs.
			const show = () => {
				// Said only of a real wait, behind other calls: a slow broker start on a busy machine is not one.
				if (!info) return;
				if (info.fleet) {
					line.show(`safe-docker: waiting for a fleet permit (${info.lane}: ${info.limit} at once across the hosts that use this daemon)`);
					return;
				}
				if (info.ahead === 0 && info.running.length < info.limit) return;
				const running = info.running.length === 0 ? '' : `: ${info.running.slice(0, 3).join(', ')}${info.running.length > 3 ? ', …' : ''}`;
				line.show(
					info.mode === 'adaptive'
						? `safe-docker: waiting, ${info.ahead} ahead; ${info.running.length} ${info.lane} slots busy, limit ${info.limit} (adaptive)${running}`
						: `safe-docker: waiting, ${info.ahead} ahead; ${info.running.length} of ${info.limit} ${info.lane} slots busy${running}`,
				);
			};
			let shown = false;
			const timer = setTimeout(() => {
				shown = true;
				show();
			}, showAfterMs);
			let slot: Slot;
			try {
				slot = await acquire(
					{
						stateDir: stateDir(),
						version,
						lanes: call.config.lanes,
						breaker: call.config.breaker,
						fleet: call.config.fleet,
						probeTimeoutMs: call.config.health.pingTimeoutMs,
						idleTimeoutMs: call.config.broker.idleTimeoutMs,
					},
					{
						lane: call.lane,
						hold: call.hold,
						label: label(call),
						command: call.parsed.command ?? null,
						endpoint: dockerEndpoint(call.env, undefined, call.parsed.globals),
					},
					queued => {
						info = queued;
						// Every second while it waits: a terminal's line follows the queue (a CI log keeps its one line).
						if (shown) show();
					},
				);
			} catch (error) {
				if (!(error instanceof BrokerUnavailable)) throw error;
				if (call.config.broker.onUnavailable === 'fail') {
					throw new BrokerUnavailable(`${error.detail} (broker.onUnavailable = fail)`, error.reason, { cause: error });
				}
				stderr.write(`safe-docker: ${error.message}; running without cross-process limits (broker.onUnavailable = run)\n`);
				await recordUnlimited(call, stateDir, error.detail).catch(() => undefined);
				return next(call);
			} finally {
				clearTimeout(timer);
				line.clear();
			}
			if (slot.note !== undefined) stderr.write(`safe-docker: ${slot.note}\n`);
			let outcome: Outcome | undefined;
			// One `compose up` is one slot holding many API calls: bound compose's own fan-out by the same limit.
			const env =
				call.parsed.command?.startsWith('compose ') && call.env['COMPOSE_PARALLEL_LIMIT'] === undefined
					? { ...call.env, COMPOSE_PARALLEL_LIMIT: String(maxConcurrentOf(call.config.lanes, 'mutate')) }
					: call.env;
			try {
				outcome = await next({ ...call, env, reportStall: detail => slot.stall(detail) });
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

/** What other waiters — other users' CI jobs among them — see of this call: its argv with secrets masked, shortened. */
function label(call: Call): string {
	const text = ['docker', ...redactArgv(call.parsed)].join(' ');
	return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

/** A call that runs without limits is counted: an audit entry, which `guard stats` counts as well. */
async function recordUnlimited(call: Call, stateDir: () => string, why: string): Promise<void> {
	const { appendAudit } = await import('../audit/audit-log.js');
	appendAudit(
		stateDir(),
		{
			cwd: process.cwd(),
			argv: redactArgv(call.parsed),
			command: call.parsed.command ?? null,
			flag: null,
			decision: 'unlimited',
			policy: 'broker.onUnavailable = run',
			exitCode: null,
			reason: why,
		},
		call.config.audit.maxBytes,
	);
}
