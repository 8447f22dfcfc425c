import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { FlagUse } from '../docker-grammar/scan-flags.js';

/** Where docker would talk to the daemon. */
export type Endpoint =
	| { readonly kind: 'unix'; readonly path: string; readonly url: string }
	| { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly tls: boolean; readonly url: string }
	| { readonly kind: 'unsupported'; readonly url: string };

type Env = Readonly<Record<string, string | undefined>>;

/** docker's global options that choose the endpoint, as parsed from the argv (`-H`, `--context`, `--config`, `--tls*`). */
type Globals = readonly Pick<FlagUse, 'name' | 'value'>[];

/**
 * The endpoint docker would use, decided as docker decides it (docker/cli cli/command/cli.go,
 * resolveContextName): `--context`, else `-H/--host`, else `DOCKER_HOST`, else `DOCKER_CONTEXT`, else
 * `currentContext` in the config dir's config.json (`--config`, else `DOCKER_CONFIG`, else ~/.docker);
 * a named context's endpoint comes from its metadata; the default context is `-H`, `DOCKER_HOST` or the
 * default socket.
 */
export function dockerEndpoint(env: Env = process.env, home = homedir(), globals: Globals = []): Endpoint {
	const last = (name: string) =>
		globals.findLast(flag => flag.name === name && typeof flag.value === 'string')?.value as string | undefined;
	const tls =
		globals.some(flag => (flag.name === 'tls' || flag.name === 'tlsverify') && flag.value === true) ||
		(env['DOCKER_TLS_VERIFY'] !== undefined && env['DOCKER_TLS_VERIFY'] !== '');
	// docker refuses more than one -H; the first is as good as any for the ping.
	const host = globals.find(flag => flag.name === 'host' && typeof flag.value === 'string')?.value as string | undefined;
	let context = last('context');
	if (context === undefined && host === undefined && !env['DOCKER_HOST']) {
		context = env['DOCKER_CONTEXT'] || undefined;
		context ??= currentContext(configDirOf(env, home, last('config')));
	}
	if (context && context !== 'default') {
		const endpoint = contextEndpoint(configDirOf(env, home, last('config')), context);
		if (endpoint) return endpoint;
	}
	const given = host ?? env['DOCKER_HOST'];
	if (given) return parseHost(given, tls);
	return process.platform === 'win32'
		? { kind: 'unsupported', url: 'npipe:////./pipe/docker_engine' }
		: { kind: 'unix', path: '/var/run/docker.sock', url: 'unix:///var/run/docker.sock' };
}

function configDirOf(env: Env, home: string, flag: string | undefined): string {
	return flag ?? env['DOCKER_CONFIG'] ?? join(home, '.docker');
}

function currentContext(configDir: string): string | undefined {
	try {
		return (JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')) as { currentContext?: string }).currentContext;
	} catch {
		return undefined; // no config: the default context
	}
}

function contextEndpoint(configDir: string, context: string): Endpoint | undefined {
	try {
		// node:crypto only here: most calls use no context, and loading it costs start-up time.
		const { createHash } = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
		const meta = JSON.parse(
			readFileSync(join(configDir, 'contexts', 'meta', createHash('sha256').update(context).digest('hex'), 'meta.json'), 'utf8'),
		) as { Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } } };
		const host = meta.Endpoints?.docker?.Host;
		return host ? parseHost(host, false) : undefined;
	} catch {
		return undefined; // an unreadable context: docker itself will say so
	}
}

export function parseHost(host: string, tls: boolean): Endpoint {
	if (host.startsWith('unix://')) return { kind: 'unix', path: host.slice('unix://'.length), url: host };
	const tcp = /^(?:tcp|https?):\/\/\[?([^\]/]+?)\]?(?::(\d+))?\/?$/.exec(host);
	if (tcp)
		return { kind: 'tcp', host: tcp[1]!, port: Number(tcp[2] ?? (tls ? 2376 : 2375)), tls: tls || host.startsWith('https://'), url: host };
	return { kind: 'unsupported', url: host };
}
