import { connect } from 'node:net';
import type { Endpoint } from './endpoint.js';

/** The daemon's answer to `GET /_ping`, or why there was none. */
export type PingResult =
	| { readonly ok: true; readonly latencyMs: number; readonly apiVersion: string | null }
	/** `unreachable`: nothing listens at an endpoint that exists (the call never reached a daemon; it can come
	 * back); `missing`: no such socket or host, or no permission — waiting will not bring it; `timeout`: no
	 * answer in time (wedged); `error`: the daemon answered 5xx; `unknown`: an endpoint we cannot ping (TLS, named pipe). */
	| { readonly ok: false; readonly reason: 'unreachable' | 'missing' | 'timeout' | 'error' | 'unknown'; readonly detail: string };

/** Connection errors that a few seconds of waiting do not cure: the socket file or host name is not there, or not ours. */
const MISSING = new Set(['ENOENT', 'ENOTDIR', 'ENOTFOUND', 'EACCES', 'EPERM']);

/**
 * Our own `/_ping` with a deadline: the docker CLI waits forever on a wedged daemon, so neither the breaker
 * nor health may rely on it.
 */
export async function pingDaemon(endpoint: Endpoint, timeoutMs: number, now = () => performance.now()): Promise<PingResult> {
	if (endpoint.kind === 'unsupported' || (endpoint.kind === 'tcp' && endpoint.tls)) {
		return { ok: false, reason: 'unknown', detail: `cannot ping ${endpoint.url} (TLS and named pipes are not supported yet)` };
	}
	// A bare HTTP/1.0 request over node:net (already loaded for the broker): node:http would add ~10 ms of
	// start-up to every call that pings.
	const started = now();
	return new Promise(resolve => {
		const socket = endpoint.kind === 'unix' ? connect(endpoint.path) : connect(endpoint.port, endpoint.host);
		let answer = '';
		let settled = false;
		const settle = (result: PingResult) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			socket.destroy();
			resolve(result);
		};
		const timer = setTimeout(
			() => settle({ ok: false, reason: 'timeout', detail: `no answer from ${endpoint.url} within ${timeoutMs} ms` }),
			timeoutMs,
		);
		socket.on('connect', () => socket.write('GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n'));
		socket.on('data', chunk => {
			answer += chunk.toString('latin1');
			const headEnd = answer.indexOf('\r\n\r\n');
			if (headEnd === -1) return;
			const status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(answer)?.[1] ?? 0);
			const apiVersion = /\r\napi-version:\s*([^\r]+)/i.exec(answer.slice(0, headEnd))?.[1]?.trim() ?? null;
			if (status === 0 || status >= 500)
				settle({
					ok: false,
					reason: 'error',
					detail: status === 0 ? `${endpoint.url} did not answer HTTP` : `the daemon answered ${status}`,
				});
			else settle({ ok: true, latencyMs: now() - started, apiVersion });
		});
		socket.on('end', () => settle({ ok: false, reason: 'error', detail: `${endpoint.url} closed the connection without an answer` }));
		socket.on('error', error => {
			const code = (error as NodeJS.ErrnoException).code;
			settle({
				ok: false,
				reason: code && MISSING.has(code) ? 'missing' : 'unreachable',
				detail: `${endpoint.url}: ${code ?? error.message}`,
			});
		});
	});
}
