import { setTimeout as delay } from 'node:timers/promises';
import { dockerEndpoint } from '../docker/endpoint.js';
import { type PingResult, pingDaemon } from '../docker/ping.js';
import { DAEMON_STALLED_EXIT_CODE } from '../errors.js';
import type { Call, Next, Outcome, Step } from './types.js';

export interface DaemonCheckOptions {
	readonly stderr: Pick<NodeJS.WriteStream, 'write'>;
	// For testing
	readonly ping?: typeof pingDaemon;
	readonly sleep?: (ms: number) => Promise<unknown>;
}

/**
 * Tells daemon failures from every other failure, and retries only where a retry cannot double an effect.
 * A failed call counts as a daemon failure only if our own `/_ping` (with a deadline) fails too: a
 * container's exit code, a usage error or "No such container" leave the daemon answering. Read calls are
 * retried after a daemon failure; any other call is held back (and retried) only while the daemon is not
 * listening or not answering, before docker runs — such a call never reached the daemon; one whose daemon still
 * answers nothing after the retries is not run at all (exit 124), since docker would wait on it forever.
 * Backoff 1 s → 2 s → 4 s.
 */
export function daemonCheckStep({ stderr, ping = pingDaemon, sleep = delay }: DaemonCheckOptions): Step {
	return {
		async handle(call: Call, next: Next): Promise<Outcome> {
			const endpoint = dockerEndpoint(call.env);
			const { retries, initialDelayMs } = call.config.retry;
			const timeoutMs = call.config.health.pingTimeoutMs;
			const backoff = async (attempt: number, why: string) => {
				const ms = initialDelayMs * 2 ** attempt;
				stderr.write(
					`safe-docker: the Docker daemon failed (${why}); retrying \`docker ${call.argv.slice(0, 3).join(' ')}${call.argv.length > 3 ? ' …' : ''}\` in ${ms / 1000} s (${attempt + 1}/${retries})\n`,
				);
				await sleep(ms);
			};

			let attempt = 0;
			if (call.lane !== 'read') {
				for (;;) {
					const before: PingResult = await ping(endpoint, timeoutMs);
					if (before.ok || (before.reason !== 'unreachable' && before.reason !== 'timeout')) break;
					if (attempt < retries) {
						await backoff(attempt++, before.detail);
						continue;
					}
					// Nothing listens: docker runs and says so itself. A daemon that answers nothing would hang it for good.
					if (before.reason === 'unreachable') break;
					call.reportStall?.(before.detail);
					stderr.write(
						`safe-docker: the Docker daemon is not answering (${before.detail}); \`docker ${call.argv.slice(0, 3).join(' ')}${call.argv.length > 3 ? ' …' : ''}\` was not run; exit ${DAEMON_STALLED_EXIT_CODE}\n`,
					);
					return {
						exitCode: DAEMON_STALLED_EXIT_CODE,
						signal: null,
						durationMs: 0,
						waitedMs: 0,
						lane: call.lane,
						retried: attempt,
						kind: 'daemon',
						detail: before.detail,
					};
				}
			}
			for (;;) {
				const outcome = await next(call);
				// The daemon watch ended it: the daemon is not answering, and a retry would only wait again.
				if (outcome.kind === 'daemon') return { ...outcome, retried: attempt };
				if (outcome.exitCode === 0) return { ...outcome, kind: 'ok', retried: attempt };
				// Ended by a signal (Ctrl-C, a kill): the user's doing, not the daemon's.
				if (outcome.signal !== null || outcome.exitCode > 128) return { ...outcome, kind: 'failed', retried: attempt };
				const after = await ping(endpoint, timeoutMs);
				if (after.ok || after.reason === 'unknown') return { ...outcome, kind: 'failed', retried: attempt };
				if (call.lane !== 'read' || attempt >= retries) return { ...outcome, kind: 'daemon', detail: after.detail, retried: attempt };
				await backoff(attempt++, after.detail);
			}
		},
	};
}
