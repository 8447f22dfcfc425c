import { dockerEndpoint } from '../docker/endpoint.js';
import { pingDaemon } from '../docker/ping.js';
import { DAEMON_STALLED_EXIT_CODE } from '../errors.js';
import { type Clock, systemClock } from '../system/clock.js';
import type { Call, Next, Outcome, Step } from './types.js';

export interface DaemonWatchOptions {
	readonly stderr: Pick<NodeJS.WriteStream, 'write'>;
	// For testing
	readonly ping?: typeof pingDaemon;
	readonly clock?: Clock;
}

/** The longest gap between two pings while a call runs. */
const MAX_INTERVAL_MS = 5000;

/**
 * Watches the daemon while docker runs, because the docker CLI waits forever on a daemon that stopped answering
 * (a wedged or SIGSTOPped dockerd). After the call has run for a ping interval, our own `/_ping` (with its deadline)
 * runs every interval; a call on a daemon that answers pays nothing. Once the daemon has answered no ping for
 * `daemon.stallMs`, every other call is told (the broker opens the endpoint's breaker) and stderr says so, once; a
 * read call is ended once no ping was answered for `daemon.readDeadlineMs` (exit 124). A mutating or attached call
 * is never killed — ending it half-way could leave worse than waiting.
 */
export function daemonWatchStep({ stderr, ping = pingDaemon, clock = systemClock }: DaemonWatchOptions): Step {
	return {
		async handle(call: Call, next: Next): Promise<Outcome> {
			const endpoint = dockerEndpoint(call.env, undefined, call.parsed.globals);
			if (endpoint.kind === 'unsupported' || (endpoint.kind === 'tcp' && endpoint.tls)) return next(call);
			const { stallMs, readDeadlineMs } = call.config.daemon;
			const pingTimeoutMs = Math.min(call.config.health.pingTimeoutMs, stallMs);
			const intervalMs = Math.max(100, Math.min(MAX_INTERVAL_MS, Math.floor(stallMs / 3)));
			const shown = `\`docker ${call.argv.slice(0, 3).join(' ')}${call.argv.length > 3 ? ' …' : ''}\``;
			const abort = new AbortController();
			let lastAnswerAt = clock.now();
			let stalled = false;
			let ended: string | undefined;
			let done = false;
			let cancel = clock.setTimer(() => void watch(), intervalMs);

			const watch = async () => {
				const result = await ping(endpoint, pingTimeoutMs);
				if (done) return;
				const now = clock.now();
				if (result.ok || result.reason === 'unknown') lastAnswerAt = now;
				const silentMs = now - lastAnswerAt;
				if (silentMs >= stallMs && !stalled) {
					stalled = true;
					const detail = `no answer from ${endpoint.url} for ${Math.round(silentMs / 1000)} s`;
					call.reportStall?.(detail);
					stderr.write(
						call.lane === 'read'
							? `safe-docker: the Docker daemon is not answering (${detail}); ${shown} ends at ${readDeadlineMs / 1000} s without an answer\n`
							: `safe-docker: the Docker daemon is not answering (${detail}); ${shown} keeps running: a ${call.lane} call is never killed\n`,
					);
				}
				if (call.lane === 'read' && silentMs >= readDeadlineMs) {
					ended = `no answer from ${endpoint.url} for ${Math.round(silentMs / 1000)} s`;
					stderr.write(
						`safe-docker: ended ${shown}: the Docker daemon gave ${ended} (daemon.readDeadlineMs); exit ${DAEMON_STALLED_EXIT_CODE}\n`,
					);
					abort.abort();
					return;
				}
				cancel = clock.setTimer(() => void watch(), intervalMs);
			};

			try {
				const outcome = await next({ ...call, signal: abort.signal });
				if (ended === undefined) return outcome;
				return { ...outcome, exitCode: DAEMON_STALLED_EXIT_CODE, kind: 'daemon', detail: ended };
			} finally {
				done = true;
				cancel();
			}
		},
	};
}
