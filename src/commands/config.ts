import { KEYS, type KeySpec } from '../config/keys.js';
import { formatError } from '../errors.js';
import { redactRedisUrl } from '../fleet/redis-url.js';
import type { CommandContext } from './context.js';

/** `safe-docker guard config [--json]`: the effective configuration, where each value came from, and the paths in use. */
export async function configCommand({ json = false }: { json?: boolean }, context: CommandContext): Promise<number> {
	const { env, stdout } = context;
	const { config, origins, files } = await context.loaded();
	const state = { path: context.stateDir(), source: env['SAFE_DOCKER_HOME'] ? 'env SAFE_DOCKER_HOME' : 'default' };
	let docker: { path: string } | { error: string };
	try {
		docker = { path: await context.dockerPath() };
	} catch (error) {
		docker = { error: formatError(error) };
	}

	const values = KEYS.map(key => ({ key: key.path, value: shown(key, valueAt(config, key.path)), source: origins.get(key.path)! }));
	if (json) {
		const printable = { ...config, fleet: { ...config.fleet, redis: shown(REDIS_KEY, config.fleet.redis) } };
		stdout.write(
			`${JSON.stringify({ config: printable, sources: Object.fromEntries(origins), files, stateDir: state, docker }, null, 2)}\n`,
		);
		return 0;
	}
	const width = Math.max(...values.map(({ key }) => key.length));
	const valueWidth = Math.max(...values.map(({ value }) => JSON.stringify(value).length));
	const lines = values.map(({ key, value, source }) => `  ${key.padEnd(width)}  ${JSON.stringify(value).padEnd(valueWidth)}  ${source}`);
	stdout.write(
		[
			`config files: ${files.length === 0 ? '(none; built-in defaults)' : files.join(', ')}`,
			`state dir:    ${state.path} (${state.source})`,
			`docker:       ${'path' in docker ? docker.path : docker.error}`,
			'',
			...lines,
			'',
		].join('\n'),
	);
	return 0;
}

const REDIS_KEY = KEYS.find(key => key.path === 'fleet.redis')!;

/** A value as it may be printed: a Redis URL without its credentials. */
function shown(key: KeySpec, value: unknown): unknown {
	return key.type.kind === 'redis-url' && typeof value === 'string' ? redactRedisUrl(value) : value;
}

function valueAt(config: object, path: string): unknown {
	return path.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], config);
}
