import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { composeVolumes } from '../../src/docker-grammar/compose-volumes.js';
import { parseDockerArgv } from '../../src/docker-grammar/parse.js';
import { tempDir } from '../fixtures/cli.js';

const call = (line: string) => parseDockerArgv(line.split(' '));

/** A project directory named `My App!` with the given files. */
function project(files: Record<string, string>): string {
	const dir = join(tempDir(), 'My App!');
	for (const [name, text] of Object.entries(files)) {
		mkdirSync(join(dir, name, '..'), { recursive: true });
		writeFileSync(join(dir, name), text);
	}
	return dir;
}

const BASE = `
services:
  db: { image: postgres, volumes: [pgdata:/var/lib/postgresql/data, /tmp] }
volumes:
  pgdata:
  cache: {}
  shared: { external: true }
  legacy: { external: { name: old } }
  fixed: { name: "fixed-\${SUFFIX:-x}" }
`;

describe('composeVolumes', () => {
	it('reads the default file, skips external volumes, and prefixes the project (directory name, normalized)', () => {
		const cwd = project({ 'compose.yaml': BASE });
		expect(composeVolumes(call('compose down -v'), { env: {}, cwd })).toEqual(['myapp_pgdata', 'myapp_cache', 'fixed-x']);
	});

	it('searches the parent directories for the default names, and merges the override file', () => {
		const dir = project({ 'docker-compose.yml': BASE, 'docker-compose.override.yml': 'volumes:\n  extra:\n', 'sub/deeper/.keep': '' });
		expect(composeVolumes(call('compose down -v'), { env: { SUFFIX: 'y' }, cwd: join(dir, 'sub', 'deeper') })).toEqual([
			'myapp_pgdata',
			'myapp_cache',
			'fixed-y',
			'myapp_extra',
		]);
	});

	it('takes the project name from -p, then COMPOSE_PROJECT_NAME, then the file name:', () => {
		const cwd = project({ 'compose.yml': `name: \${STACK}\n${BASE}` });
		expect(composeVolumes(call('compose -p Prod down -v'), { env: { COMPOSE_PROJECT_NAME: 'env' }, cwd })?.[0]).toBe('prod_pgdata');
		expect(composeVolumes(call('compose down -v'), { env: { COMPOSE_PROJECT_NAME: 'env', STACK: 's' }, cwd })?.[0]).toBe('env_pgdata');
		expect(composeVolumes(call('compose down -v'), { env: { STACK: 'stack1' }, cwd })?.[0]).toBe('stack1_pgdata');
	});

	it('follows -f (later files merge over earlier ones, relative to the working directory)', () => {
		const cwd = project({ 'deploy/a.yml': BASE, 'deploy/b.yml': 'volumes:\n  shared: { external: false }\n  cache: { name: c2 }\n' });
		expect(composeVolumes(call('compose -f deploy/a.yml -f deploy/b.yml down -v'), { env: {}, cwd })).toEqual([
			'deploy_pgdata',
			'c2',
			'deploy_shared',
			'fixed-x',
		]);
	});

	it('follows COMPOSE_FILE with its separator', () => {
		const cwd = project({ 'x/one.yml': 'volumes: { a: {} }', 'x/two.yml': 'volumes: { b: {} }' });
		expect(
			composeVolumes(call('compose down -v'), { env: { COMPOSE_FILE: 'x/one.yml;x/two.yml', COMPOSE_PATH_SEPARATOR: ';' }, cwd }),
		).toEqual(['x_a', 'x_b']);
	});

	it('gives up quietly: no file, an unreadable or malformed file, stdin', () => {
		const cwd = project({ 'bad.yml': 'volumes: [unclosed', 'compose.yaml': BASE });
		expect(composeVolumes(call('compose -f missing.yml down -v'), { env: {}, cwd })).toBeUndefined();
		expect(composeVolumes(call('compose -f bad.yml down -v'), { env: {}, cwd })).toBeUndefined();
		expect(composeVolumes(call('compose -f - down -v'), { env: {}, cwd })).toBeUndefined();
		expect(composeVolumes(call('compose --project-directory /nonexistent down -v'), { env: {}, cwd })).toBeUndefined();
		expect(composeVolumes(call('compose down -v'), { env: {}, cwd: tempDir() })).toBeUndefined();
	});
});
