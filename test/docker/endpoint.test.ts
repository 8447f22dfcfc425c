import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dockerEndpoint } from '../../src/docker/endpoint.js';

const homes: string[] = [];
afterEach(() => {
	for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

/** A home whose ~/.docker has the given current context and contexts (name → docker endpoint host). */
function home(currentContext: string | undefined, contexts: Record<string, string> = {}): string {
	const dir = mkdtempSync(join(tmpdir(), 'sd-health-home-'));
	homes.push(dir);
	mkdirSync(join(dir, '.docker'));
	if (currentContext !== undefined) writeFileSync(join(dir, '.docker', 'config.json'), JSON.stringify({ currentContext }));
	for (const [name, host] of Object.entries(contexts)) {
		const meta = join(dir, '.docker', 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
		mkdirSync(meta, { recursive: true });
		writeFileSync(join(meta, 'meta.json'), JSON.stringify({ Name: name, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }));
	}
	return dir;
}

const DEFAULT = { kind: 'unix', path: '/var/run/docker.sock', url: 'unix:///var/run/docker.sock' };

describe('the endpoint docker would use', () => {
	it('DOCKER_HOST: unix and tcp (TLS with DOCKER_TLS_VERIFY), npipe and ssh unsupported', () => {
		const none = home(undefined);
		expect(dockerEndpoint({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' }, none)).toEqual({
			kind: 'unix',
			path: '/run/user/1000/docker.sock',
			url: 'unix:///run/user/1000/docker.sock',
		});
		expect(dockerEndpoint({ DOCKER_HOST: 'tcp://10.0.0.5:2375' }, none)).toEqual({
			kind: 'tcp',
			host: '10.0.0.5',
			port: 2375,
			tls: false,
			url: 'tcp://10.0.0.5:2375',
		});
		expect(dockerEndpoint({ DOCKER_HOST: 'tcp://ci-docker', DOCKER_TLS_VERIFY: '1' }, none)).toEqual(
			expect.objectContaining({ kind: 'tcp', host: 'ci-docker', port: 2376, tls: true }),
		);
		expect(dockerEndpoint({ DOCKER_HOST: 'npipe:////./pipe/docker_engine' }, none)).toEqual({
			kind: 'unsupported',
			url: 'npipe:////./pipe/docker_engine',
		});
		expect(dockerEndpoint({ DOCKER_HOST: 'ssh://me@build-box' }, none)).toEqual({ kind: 'unsupported', url: 'ssh://me@build-box' });
	});

	it('no DOCKER_HOST and no context: the default socket', () => {
		expect(dockerEndpoint({}, home(undefined))).toEqual(DEFAULT);
		expect(dockerEndpoint({}, home('default'))).toEqual(DEFAULT);
	});

	it('the current context of ~/.docker/config.json, found by the sha256 of its name', () => {
		const dir = home('remote', { remote: 'tcp://192.168.1.20:2375', rootless: 'unix:///run/user/1000/docker.sock' });
		expect(dockerEndpoint({}, dir)).toEqual(
			expect.objectContaining({ kind: 'tcp', host: '192.168.1.20', port: 2375, url: 'tcp://192.168.1.20:2375' }),
		);
	});

	it('DOCKER_CONTEXT over config.json; DOCKER_HOST over both (as docker resolves them)', () => {
		const dir = home('remote', { remote: 'tcp://192.168.1.20:2375', rootless: 'unix:///run/user/1000/docker.sock' });
		expect(dockerEndpoint({ DOCKER_CONTEXT: 'rootless' }, dir)).toEqual(
			expect.objectContaining({ kind: 'unix', path: '/run/user/1000/docker.sock' }),
		);
		expect(dockerEndpoint({ DOCKER_CONTEXT: 'rootless', DOCKER_HOST: 'unix:///tmp/sd.sock' }, dir)).toEqual(
			expect.objectContaining({ kind: 'unix', path: '/tmp/sd.sock' }),
		);
	});

	it('DOCKER_CONFIG moves ~/.docker', () => {
		const dir = home(undefined, { elsewhere: 'unix:///tmp/elsewhere.sock' });
		expect(dockerEndpoint({ DOCKER_CONFIG: join(dir, '.docker'), DOCKER_CONTEXT: 'elsewhere' }, '/nonexistent')).toEqual(
			expect.objectContaining({ path: '/tmp/elsewhere.sock' }),
		);
	});

	it("docker's global options first: --context over -H over DOCKER_HOST over DOCKER_CONTEXT; --config moves ~/.docker", () => {
		const dir = home('remote', { remote: 'tcp://192.168.1.20:2375', rootless: 'unix:///run/user/1000/docker.sock' });
		const env = { DOCKER_HOST: 'unix:///dead.sock', DOCKER_CONTEXT: 'remote' };
		expect(dockerEndpoint(env, dir, [{ name: 'host', value: 'unix:///var/run/docker.sock' }])).toEqual(DEFAULT);
		expect(dockerEndpoint(env, dir, [{ name: 'context', value: 'rootless' }])).toEqual(
			expect.objectContaining({ path: '/run/user/1000/docker.sock' }),
		);
		expect(dockerEndpoint(env, dir, [{ name: 'context', value: 'default' }])).toEqual(expect.objectContaining({ path: '/dead.sock' }));
		expect(dockerEndpoint({}, dir, [{ name: 'context', value: 'default' }])).toEqual(DEFAULT);
		expect(
			dockerEndpoint({}, dir, [
				{ name: 'host', value: 'tcp://ci:2376' },
				{ name: 'tlsverify', value: true },
			]),
		).toEqual(expect.objectContaining({ kind: 'tcp', host: 'ci', tls: true }));
		const other = home(undefined, { elsewhere: 'unix:///tmp/elsewhere.sock' });
		expect(dockerEndpoint({ DOCKER_CONTEXT: 'elsewhere' }, '/nonexistent', [{ name: 'config', value: join(other, '.docker') }])).toEqual(
			expect.objectContaining({ path: '/tmp/elsewhere.sock' }),
		);
	});
});
