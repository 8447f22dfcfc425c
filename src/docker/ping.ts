import type { Endpoint } from './endpoint.js';

/** The daemon's answer to `GET /_ping`, or why there was none. */
export type PingResult =
	| { readonly ok: true; readonly latencyMs: number; readonly apiVersion: string | null }
	/** `unreachable`: nothing listens (the call never reached a daemon); `timeout`: no answer in time (wedged);
	 * `error`: the daemon answered 5xx; `unknown`: an endpoint we cannot ping (TLS, named pipe). */
	| { readonly ok: false; readonly reason: 'unreachable' | 'timeout' | 'error' | 'unknown'; readonly detail: string };

/**
 * Our own `/_ping` with a deadline: the docker CLI waits forever on a wedged daemon, so neither the breaker
 * nor health may rely on it.
 */
export async function pingDaemon(endpoint: Endpoint, timeoutMs: number, now = () => performance.now()): Promise<PingResult> {
	if (endpoint.kind === 'unsupported' || (endpoint.kind === 'tcp' && endpoint.tls)) {
		return { ok: false, reason: 'unknown', detail: `cannot ping ${endpoint.url} (TLS and named pipes are not supported yet)` };
	}
	// Loaded only when needed: node:http costs a few ms of start-up that most calls never use.
	const { request } = await import('node:http');
	const started = now();
	return new Promise(resolve => {
		const target = endpoint.kind === 'unix' ? { socketPath: endpoint.path } : { host: endpoint.host, port: endpoint.port };
		const req = request({ ...target, path: '/_ping', method: 'GET', headers: { host: 'docker' } }, response => {
			response.resume();
			response.on('end', () => {
				const status = response.statusCode ?? 0;
				if (status >= 500) resolve({ ok: false, reason: 'error', detail: `the daemon answered ${status}` });
				else resolve({ ok: true, latencyMs: now() - started, apiVersion: (response.headers['api-version'] as string | undefined) ?? null });
			});
		});
		const timer = setTimeout(() => {
			req.destroy();
			resolve({ ok: false, reason: 'timeout', detail: `no answer from ${endpoint.url} within ${timeoutMs} ms` });
		}, timeoutMs);
		req.on('close', () => clearTimeout(timer));
		req.on('error', error => {
			clearTimeout(timer);
			resolve({ ok: false, reason: 'unreachable', detail: `${endpoint.url}: ${(error as NodeJS.ErrnoException).code ?? error.message}` });
		});
		req.end();
	});
}
