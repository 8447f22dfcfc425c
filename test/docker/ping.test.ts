import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseHost } from '../../src/docker/endpoint.js';
import { pingDaemon } from '../../src/docker/ping.js';
import { refusingSocket } from '../fixtures/sockets.js';

const dir = mkdtempSync(join(tmpdir(), 'sd-health-ping-'));
const servers: Server[] = [];
afterAll(() => {
	for (const server of servers) server.close();
	rmSync(dir, { recursive: true, force: true });
});

/** Listens on a temp unix socket; `answer` decides the response, or never answers when it returns undefined. */
async function daemon(name: string, answer: () => { status: number; apiVersion?: string } | undefined): Promise<string> {
	const path = join(dir, name);
	const server = createHttpServer((request, response) => {
		const reply = request.url === '/_ping' ? answer() : { status: 404 };
		if (!reply) return;
		response.writeHead(reply.status, reply.apiVersion ? { 'Api-Version': reply.apiVersion } : {}).end('OK');
	});
	servers.push(server);
	await new Promise<void>(resolve => server.listen(path, resolve));
	return path;
}

describe('our own /_ping with a deadline', () => {
	it('a daemon that answers: latency and API version', async () => {
		const path = await daemon('ok.sock', () => ({ status: 200, apiVersion: '1.41' }));
		const result = await pingDaemon(parseHost(`unix://${path}`, false), 3000);
		expect(result).toEqual({ ok: true, latencyMs: expect.any(Number), apiVersion: '1.41' });
	});

	it('a daemon that answers 500: an error, not reachable', async () => {
		const path = await daemon('broken.sock', () => ({ status: 500 }));
		expect(await pingDaemon(parseHost(`unix://${path}`, false), 3000)).toEqual({
			ok: false,
			reason: 'error',
			detail: 'the daemon answered 500',
		});
	});

	it('a socket that accepts but never answers: timeout, at the deadline', async () => {
		const path = join(dir, 'wedged.sock');
		const server = createServer(() => undefined);
		servers.push(server);
		await new Promise<void>(resolve => server.listen(path, resolve));
		const started = performance.now();
		const result = await pingDaemon(parseHost(`unix://${path}`, false), 300);
		expect(result).toEqual({ ok: false, reason: 'timeout', detail: `no answer from unix://${path} within 300 ms` });
		expect(performance.now() - started).toBeGreaterThanOrEqual(290);
		// Ended by its deadline, not hanging: the slack is for a loaded CI machine, where these tests' own process stalled 2.7 s.
		expect(performance.now() - started).toBeLessThan(300 + 5000);
	});

	it('nothing listening: unreachable (it can come back) or missing (no such socket: it cannot), at once', async () => {
		// A deadline far above any stall of a loaded machine (2.7 s were seen for these three under two CPU hogs): "at
		// once" is then "well before the deadline", which a ping that waited for it cannot be.
		const deadlineMs = 30_000;
		const started = performance.now();
		expect(await pingDaemon(parseHost(`unix://${join(dir, 'absent.sock')}`, false), deadlineMs)).toEqual(
			expect.objectContaining({ ok: false, reason: 'missing', detail: expect.stringContaining('ENOENT') }),
		);
		expect(await pingDaemon(parseHost(`unix://${refusingSocket(join(dir, 'refusing.sock'))}`, false), deadlineMs)).toEqual(
			expect.objectContaining({ ok: false, reason: 'unreachable', detail: expect.stringContaining('ECONNREFUSED') }),
		);
		expect(await pingDaemon(parseHost('tcp://127.0.0.1:1', false), deadlineMs)).toEqual(
			expect.objectContaining({ ok: false, reason: 'unreachable', detail: expect.stringContaining('ECONNREFUSED') }),
		);
		expect(performance.now() - started).toBeLessThan(deadlineMs / 3);
	});

	it('endpoints it cannot ping (TLS, named pipe) are unknown, not reachable', async () => {
		expect(await pingDaemon(parseHost('tcp://ci-docker:2376', true), 3000)).toEqual(
			expect.objectContaining({ ok: false, reason: 'unknown' }),
		);
		expect(await pingDaemon(parseHost('npipe:////./pipe/docker_engine', false), 3000)).toEqual(
			expect.objectContaining({ ok: false, reason: 'unknown' }),
		);
	});
});
