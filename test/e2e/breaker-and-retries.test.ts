// The shared breaker, daemon-failure detection and retries, with real processes and a daemon we control.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, FAKE_DOCKER, isolatedEnv, ROOT, runCli, tempDir } from '../fixtures/cli.js';
import { requireEngine, TEST_IMAGE } from '../fixtures/engine.js';
import { refusingSocket } from '../fixtures/sockets.js';

const SH_DOCKER = join(ROOT, 'test', 'fixtures', 'bin-sh', 'docker');
const servers: Server[] = [];
afterEach(() => {
	for (const server of servers.splice(0)) server.close();
});

/** A "daemon" on a Unix socket that answers /_ping. */
function startDaemon(path: string, status = 200): Promise<void> {
	rmSync(path, { force: true });
	const server = createServer((request, response) => {
		response.writeHead(request.url === '/_ping' ? status : 404, { 'api-version': '1.41' }).end('OK');
	});
	servers.push(server);
	return new Promise(resolve => server.listen(path, () => resolve()));
}

function setup(extra: Record<string, string> = {}) {
	const dir = tempDir();
	const socket = join(dir, 'daemon.sock');
	const home = join(dir, 'state');
	const env = isolatedEnv({
		SAFE_DOCKER_HOME: home,
		SAFE_DOCKER_DOCKER: SH_DOCKER,
		FAKE_DOCKER_LOG: join(dir, 'docker.log'),
		DOCKER_HOST: `unix://${socket}`,
		SAFE_DOCKER_RETRY_RETRIES: '0',
		SAFE_DOCKER_BREAKER_FAILURE_THRESHOLD: '3',
		SAFE_DOCKER_BREAKER_RECOVERY_TIMEOUT_MS: '1500',
		...extra,
	});
	return { dir, socket, home, env };
}

const breakerOf = async (env: Record<string, string | undefined>, socket: string) =>
	JSON.parse((await runCli(['guard', 'stats', '--json'], { env })).stdout).breakers[`unix://${socket}`];

describe('the breaker', () => {
	it('opens after N consecutive daemon failures, fails fast while open, and one probe closes it when the daemon is back', async () => {
		// A recovery period long enough that the fast-fail check below never lands after it on a loaded machine.
		const { socket, home, env } = setup({ SAFE_DOCKER_BREAKER_RECOVERY_TIMEOUT_MS: '5000' });
		const failing = { ...env, FAKE_DOCKER_EXIT: '1' };
		for (let i = 0; i < 3; i++) expect((await runCli(['ps'], { env: failing })).exitCode).toBe(1);
		expect(await breakerOf(env, socket)).toEqual(expect.objectContaining({ state: 'open', consecutiveFailures: 3 }));

		const started = Date.now();
		const fast = await runCli(['ps'], { env: failing });
		expect(fast.exitCode).toBe(69);
		expect(fast.stderr).toMatch(
			new RegExp(
				`^safe-docker: the Docker daemon at unix://${socket} is failing \\(unix://${socket}: ENOENT\\) since \\S+; calls fail fast until the next probe at \\S+; details: safe-docker guard health\\n$`,
			),
		);
		// Failed fast: a CLI start on a loaded machine, well before the 5 s recovery (after it, this call would have been the
		// probe, run docker and exited 1).
		expect(Date.now() - started).toBeLessThan(4000);

		await startDaemon(socket);
		await sleep(5100 - (Date.now() - started));
		const results = await Promise.all(Array.from({ length: 5 }, () => runCli(['ps'], { env })));
		// Exactly one probe ran; it closed the breaker; calls that raced it failed fast or went through after it.
		expect(readFileSync(join(home, 'broker.log'), 'utf8').match(/probe of /g)).toHaveLength(1);
		expect(results.filter(result => result.exitCode === 0).length).toBeGreaterThanOrEqual(1);
		expect(results.every(result => result.exitCode === 0 || result.exitCode === 69)).toBe(true);
		expect(await breakerOf(env, socket)).toEqual(expect.objectContaining({ state: 'closed', consecutiveFailures: 0 }));
		expect((await runCli(['ps'], { env })).exitCode).toBe(0);
	}, 60_000);

	it('a failed probe re-opens it for another recovery period', async () => {
		const { socket, home, env } = setup();
		const failing = { ...env, FAKE_DOCKER_EXIT: '1' };
		for (let i = 0; i < 3; i++) await runCli(['ps'], { env: failing });
		await sleep(1600);
		expect((await runCli(['ps'], { env: failing })).exitCode).toBe(69);
		expect(readFileSync(join(home, 'broker.log'), 'utf8')).toMatch(/probe of unix:\/\/\S+: unix:\/\/\S+: ENOENT, breaker open/);
		expect(await breakerOf(env, socket)).toEqual(expect.objectContaining({ state: 'open', transitions: 3 }));
	}, 30_000);

	it('failures the daemon answered never count: a failing container is not a failing daemon', async () => {
		const { socket, env } = setup();
		await startDaemon(socket);
		for (let i = 0; i < 6; i++)
			expect((await runCli(['run', '--rm', 'img', 'sh', '-c', 'exit 1'], { env: { ...env, FAKE_DOCKER_EXIT: '1' } })).exitCode).toBe(1);
		expect(await breakerOf(env, socket)).toEqual(expect.objectContaining({ state: 'closed', consecutiveFailures: 0 }));
	}, 30_000);
});

describe('retries', () => {
	it('waits for a daemon that refuses with exponential backoff, saying so each time, then runs docker once', async () => {
		const { env, socket, dir } = setup({
			SAFE_DOCKER_RETRY_RETRIES: '2',
			SAFE_DOCKER_RETRY_INITIAL_DELAY_MS: '100',
			SAFE_DOCKER_BREAKER_FAILURE_THRESHOLD: '10',
		});
		refusingSocket(socket);
		const result = await runCli(['ps'], { env: { ...env, FAKE_DOCKER_EXIT: '1' } });
		expect(result.exitCode).toBe(1);
		expect(result.stderr).toBe(
			[
				`safe-docker: the Docker daemon failed (unix://${socket}: ECONNREFUSED); retrying \`docker ps\` in 0.1 s (1/2)`,
				`safe-docker: the Docker daemon failed (unix://${socket}: ECONNREFUSED); retrying \`docker ps\` in 0.2 s (2/2)`,
				'',
			].join('\n'),
		);
		// docker ran once, on the last attempt: its own error is printed once.
		expect(readFileSync(join(dir, 'docker.log'), 'utf8').match(/^start /gm)).toHaveLength(1);
	}, 30_000);

	it('holds back a mutating call while the daemon is not listening (it never reached it), then runs it once it is', async () => {
		const { env, socket, dir } = setup({ SAFE_DOCKER_RETRY_RETRIES: '3', SAFE_DOCKER_RETRY_INITIAL_DELAY_MS: '300' });
		refusingSocket(socket);
		const call = spawn(process.execPath, [BIN, 'run', '-d', 'img'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
		let stderr = '';
		// The daemon comes up once the call has said it is holding back (however slowly the call starts on a busy machine).
		let started = false;
		call.stderr.on('data', chunk => {
			stderr += chunk;
			if (started || !stderr.includes('retrying')) return;
			started = true;
			void startDaemon(socket);
		});
		const exitCode = await new Promise(resolve => call.on('exit', resolve));
		expect(exitCode).toBe(0);
		expect(stderr).toMatch(/^safe-docker: the Docker daemon failed \(.*ECONNREFUSED\); retrying `docker run -d img` in 0\.3 s \(1\/3\)\n/);
		expect(readFileSync(join(dir, 'docker.log'), 'utf8').match(/^start /gm)).toHaveLength(1);
	}, 30_000);

	it('a socket path that does not exist is not waited for: docker runs once', async () => {
		const { env, dir } = setup({ SAFE_DOCKER_RETRY_RETRIES: '3', SAFE_DOCKER_RETRY_INITIAL_DELAY_MS: '1000' });
		const started = Date.now();
		const result = await runCli(['ps'], { env: { ...env, FAKE_DOCKER_EXIT: '1' } });
		expect(result.exitCode).toBe(1);
		expect(result.stderr).toBe('');
		expect(Date.now() - started).toBeLessThan(5000); // no 1 + 2 + 4 s of backoff
		expect(readFileSync(join(dir, 'docker.log'), 'utf8').match(/^start /gm)).toHaveLength(1);
	}, 30_000);

	it('never retries a mutating call that failed after it ran', async () => {
		const { env, dir } = setup({ SAFE_DOCKER_RETRY_RETRIES: '3', SAFE_DOCKER_RETRY_INITIAL_DELAY_MS: '50' });
		const { socket } = { socket: env['DOCKER_HOST']!.slice('unix://'.length) };
		await startDaemon(socket);
		// The daemon answers the pre-flight ping, then dies while docker runs: the call may have had an effect.
		const docker = runCli(['run', '-d', 'img'], { env: { ...env, FAKE_DOCKER_EXIT: '1', FAKE_DOCKER_SLEEP: '1' } });
		while (!existsSync(join(dir, 'docker.log'))) await sleep(20);
		servers[0]!.close();
		const result = await docker;
		expect(result.exitCode).toBe(1);
		expect(result.stderr).toBe('');
		expect(readFileSync(join(dir, 'docker.log'), 'utf8').match(/^start /gm)).toHaveLength(1);
		expect(JSON.parse((await runCli(['guard', 'stats', '--json'], { env })).stdout).failures).toEqual({ failed: 0, daemon: 1 });
	}, 30_000);
});

describe('compose fan-out', () => {
	it('sets COMPOSE_PARALLEL_LIMIT from the mutate lane when unset, and leaves a set one alone', async () => {
		const dir = tempDir();
		const log = join(dir, 'log');
		const env = isolatedEnv({ SAFE_DOCKER_DOCKER: FAKE_DOCKER, FAKE_DOCKER_LOG: log, SAFE_DOCKER_HOME: join(dir, 'state') });
		await runCli(['compose', 'up', '-d'], { env });
		await runCli(['compose', 'up', '-d'], { env: { ...env, COMPOSE_PARALLEL_LIMIT: '9' } });
		await runCli(['ps'], { env });
		const entries = readFileSync(log, 'utf8')
			.trim()
			.split('\n')
			.map(line => JSON.parse(line));
		expect(entries.map(entry => entry.composeParallelLimit)).toEqual(['3', '9', null]);
	}, 30_000);
});

const engine = await requireEngine();
describe.skipIf(!engine)('the breaker on the real engine', () => {
	it('twenty containers exiting 1 leave it closed', async () => {
		const dir = tempDir();
		const env = isolatedEnv({ SAFE_DOCKER_HOME: join(dir, 'state') });
		for (let i = 0; i < 20; i++)
			expect((await runCli(['run', '--rm', '--network', 'none', TEST_IMAGE, 'sh', '-c', 'exit 1'], { env })).exitCode).toBe(1);
		const stats = JSON.parse((await runCli(['guard', 'stats', '--json'], { env })).stdout);
		expect(stats.breakers['unix:///var/run/docker.sock']).toEqual(expect.objectContaining({ state: 'closed', consecutiveFailures: 0 }));
		expect(stats.failures).toEqual({ failed: 20, daemon: 0 });
	}, 120_000);

	it('an unreachable daemon opens it after 5 failures of the real docker client, which then fails fast', async () => {
		const dir = tempDir();
		const env = isolatedEnv({
			SAFE_DOCKER_HOME: join(dir, 'state'),
			DOCKER_HOST: `unix://${join(dir, 'no-daemon.sock')}`,
			SAFE_DOCKER_RETRY_RETRIES: '0',
		});
		for (let i = 0; i < 5; i++) {
			const result = await runCli(['version', '--format', '{{.Server.Version}}'], { env });
			expect(result.exitCode).toBe(1);
			expect(result.stderr).toContain('Cannot connect to the Docker daemon');
		}
		const fast = await runCli(['version'], { env });
		expect(fast.exitCode).toBe(69);
	}, 60_000);

	it("a daemon socket that does not exist costs no backoff, and docker's error is printed once", async () => {
		const dir = tempDir();
		const env = isolatedEnv({ SAFE_DOCKER_HOME: join(dir, 'state'), DOCKER_HOST: 'unix:///nope.sock' });
		const started = Date.now();
		const result = await runCli(['ps'], { env });
		expect(result.exitCode).toBe(1);
		expect(result.stderr.match(/Cannot connect to the Docker daemon/g)).toHaveLength(1);
		expect(result.stderr).not.toContain('safe-docker');
		expect(Date.now() - started).toBeLessThan(5000);
	}, 30_000);
});

describe('breaker state across broker restarts', () => {
	it('an open breaker stays open when the broker exits and a new one starts', async () => {
		const { socket, env } = setup({ SAFE_DOCKER_BREAKER_RECOVERY_TIMEOUT_MS: '60000' });
		for (let i = 0; i < 3; i++) await runCli(['ps'], { env: { ...env, FAKE_DOCKER_EXIT: '1' } });
		await runCli(['guard', 'broker', 'stop'], { env });
		expect(await breakerOf(env, socket)).toEqual(expect.objectContaining({ state: 'open' }));
		expect((await runCli(['ps'], { env })).exitCode).toBe(69);
	}, 30_000);
});
