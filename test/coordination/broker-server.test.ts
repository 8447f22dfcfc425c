// The broker in this process, so the test can stall its event loop the way a busy machine does.
import { existsSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/defaults.js';
import { runBroker } from '../../src/coordination/broker-server.js';
import { type BrokerMessage, encode, lineReader } from '../../src/coordination/protocol.js';
import { tempDir } from '../fixtures/cli.js';

const sockets: Socket[] = [];
afterEach(() => {
	for (const socket of sockets.splice(0)) socket.destroy();
});

function startBroker(minTimeMs: number, dir = tempDir()) {
	/** When each call was granted, by the broker's clock: the trace line of a grant is stamped with the grant's time. */
	const grants = new Map<string, number>();
	const socketPath = join(dir, 'broker.sock');
	const stopped = runBroker({
		socketPath,
		stateDir: dir,
		version: 'test',
		lanes: { ...DEFAULTS.lanes, mutate: { ...DEFAULTS.lanes.mutate, maxConcurrent: 5, minTimeMs } },
		breaker: DEFAULTS.breaker,
		probeTimeoutMs: 500,
		idleTimeoutMs: 60_000,
		reannounceGraceMs: 0,
		trace: true,
		log: (line, at) => {
			const granted = /^granted \w+ (.+)$/.exec(line);
			if (granted) grants.set(granted[1]!, at!);
		},
	});
	return { socketPath, stopped, grants };
}

/** Connects, asks for a mutate slot, and resolves when it is granted. */
function acquire(socketPath: string, label: string): Promise<void> {
	return new Promise((resolve, reject) => {
		const socket = connect(socketPath);
		sockets.push(socket);
		socket.on('error', reject);
		socket.on(
			'data',
			lineReader<BrokerMessage>(message => {
				if (message.type === 'granted') resolve();
				if (message.type === 'open') reject(new Error('breaker open'));
			}),
		);
		socket.write(
			encode({
				type: 'acquire',
				lane: 'mutate',
				hold: 'call',
				label,
				pid: process.pid,
				command: 'container run',
				endpoint: { kind: 'unsupported', url: 'test://daemon' },
			}),
		);
	});
}

function block(ms: number): void {
	const until = Date.now() + ms;
	while (Date.now() < until) {
		// a stalled event loop: a GC pause, a busy machine
	}
}

describe('broker', () => {
	it('keeps starts minTime apart on the wall clock even when the event loop stalls past a grant', async () => {
		const { socketPath, stopped, grants } = startBroker(300);
		await acquire(socketPath, 'a');
		const t0 = grants.get('a')!;
		const rest = Promise.all([acquire(socketPath, 'b'), acquire(socketPath, 'c')]);
		// A limiter that books start times ahead (Bottleneck did) puts b at t0+300 and c at t0+600. Stall from t0+250 to t0+400: b starts late, and
		// without a wall-clock floor c would start only ~200 ms after b.
		await new Promise(resolve => setTimeout(resolve, Math.max(0, t0 + 250 - Date.now())));
		block(150);
		await rest;
		expect(grants.get('b')! - t0).toBeGreaterThanOrEqual(300);
		expect(grants.get('c')! - grants.get('b')!).toBeGreaterThanOrEqual(300);
		const stop = connect(socketPath);
		sockets.push(stop);
		stop.write(encode({ type: 'stop' }));
		await stopped;
	});

	it("a second broker on the same socket fails to listen and leaves the first one's socket alone", async () => {
		const first = startBroker(0);
		await acquire(first.socketPath, 'before');
		const second = startBroker(0, join(first.socketPath, '..'));
		await second.stopped; // EADDRINUSE: it stops at once
		expect(existsSync(first.socketPath)).toBe(true);
		await acquire(first.socketPath, 'after'); // the first broker still serves
		const stop = connect(first.socketPath);
		sockets.push(stop);
		stop.write(encode({ type: 'stop' }));
		await first.stopped;
	});
});
