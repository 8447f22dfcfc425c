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
 * Tells daemon failures from every other failure, and retries only where the daemon can come back and a
 * retry cannot double an effect. Before docker runs, our own `/_ping` (with a deadline) holds the call back
 * while the daemon is down in a way it can come back from — a socket that refuses, a 5xx, and for a non-read
 * call no answer (a read call runs, and the daemon watch ends it at its deadline) — so that docker runs once, on
 * the last attempt, and its own error is printed once; a socket path or host that does not exist is not waited for. A non-read call whose daemon still answers nothing after the retries is not run
 * at all (exit 124), since docker would wait on it forever. After a failure, the call counts as a daemon
 * failure only if the ping fails too: a container's exit code, a usage error or "No such container" leave the
 * daemon answering. A read call whose daemon failed while it ran is run again; any other call may have had its
 * effect. Backoff 1 s → 2 s → 4 s.
 */
/** A daemon that can come back within the backoff: a socket that refuses, a timeout, a 5xx. Not one that is not there. */
function canComeBack(ping: PingResult): boolean {
	return !ping.ok && (ping.reason === 'unreachable' || ping.reason === 'timeout' || ping.reason === 'error');
}

export function daemonCheckStep({ stderr, ping = pingDaemon, sleep = delay }: DaemonCheckOptions): Step {
	return {
		async handle(call: Call, next: Next): Promise<Outcome> {
			const endpoint = dockerEndpoint(call.env, undefined, call.parsed.globals);
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
			for (;;) {
				for (;;) {
					const before: PingResult = await ping(endpoint, timeoutMs);
					// A read call on a daemon that answers nothing runs at once: the daemon watch ends it at its deadline.
					if (before.ok || !canComeBack(before) || (before.reason === 'timeout' && call.lane === 'read')) break;
					if (attempt < retries) {
						await backoff(attempt++, before.detail);
						continue;
					}
					// Nothing listens: docker runs and says so itself. A daemon that answers nothing would hang it for good.
					if (before.reason !== 'timeout') break;
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
				const outcome = await next(call);
				// The daemon watch ended it: the daemon is not answering, and a retry would only wait again.
				if (outcome.kind === 'daemon') return { ...outcome, retried: attempt };
				if (outcome.exitCode === 0) return { ...outcome, kind: 'ok', retried: attempt };
				// Ended by a signal (Ctrl-C, a kill): the user's doing, not the daemon's.
				if (outcome.signal !== null || outcome.exitCode > 128) return { ...outcome, kind: 'failed', retried: attempt };
				const after = await ping(endpoint, timeoutMs);
				if (after.ok || after.reason === 'unknown') return { ...outcome, kind: 'failed', retried: attempt };
				if (call.lane !== 'read' || attempt >= retries || !canComeBack(after))
					return { ...outcome, kind: 'daemon', detail: after.detail, retried: attempt };
				await backoff(attempt++, after.detail);
			}
		},
	};
}
