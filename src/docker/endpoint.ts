import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where docker would talk to the daemon. */
export type Endpoint =
	| { readonly kind: 'unix'; readonly path: string; readonly url: string }
	| { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly tls: boolean; readonly url: string }
	| { readonly kind: 'unsupported'; readonly url: string };

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The endpoint docker would use: `DOCKER_HOST`, else the current context (`DOCKER_CONTEXT`, or
 * `currentContext` in `$DOCKER_CONFIG/config.json`) and its metadata, else the default socket.
 */
export function dockerEndpoint(env: Env = process.env, home = homedir()): Endpoint {
	if (env['DOCKER_HOST']) return parseHost(env['DOCKER_HOST'], env['DOCKER_TLS_VERIFY'] !== undefined && env['DOCKER_TLS_VERIFY'] !== '');
	const configDir = env['DOCKER_CONFIG'] ?? join(home, '.docker');
	let context = env['DOCKER_CONTEXT'];
	if (!context) {
		try {
			context = (JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')) as { currentContext?: string }).currentContext;
		} catch {
			// no config: the default context
		}
	}
	if (context && context !== 'default') {
		try {
			// node:crypto only here: most calls use no context, and loading it costs start-up time.
			const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
			const meta = JSON.parse(
				readFileSync(join(configDir, 'contexts', 'meta', createHash('sha256').update(context).digest('hex'), 'meta.json'), 'utf8'),
			) as { Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } } };
			const host = meta.Endpoints?.docker?.Host;
			if (host) return parseHost(host, false);
		} catch {
			// an unreadable context: docker itself will say so
		}
	}
	return process.platform === 'win32'
		? { kind: 'unsupported', url: 'npipe:////./pipe/docker_engine' }
		: { kind: 'unix', path: '/var/run/docker.sock', url: 'unix:///var/run/docker.sock' };
}

export function parseHost(host: string, tls: boolean): Endpoint {
	if (host.startsWith('unix://')) return { kind: 'unix', path: host.slice('unix://'.length), url: host };
	const tcp = /^(?:tcp|https?):\/\/\[?([^\]/]+?)\]?(?::(\d+))?\/?$/.exec(host);
	if (tcp)
		return { kind: 'tcp', host: tcp[1]!, port: Number(tcp[2] ?? (tls ? 2376 : 2375)), tls: tls || host.startsWith('https://'), url: host };
	return { kind: 'unsupported', url: host };
}
