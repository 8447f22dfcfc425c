// acquireSlot against a broker in this process (on the socket path the client looks for), so no broker is spawned.
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/defaults.js';
import { runBroker } from '../../src/coordination/broker-server.js';
import { brokerStatus, tellBroker } from '../../src/coordination/broker-status.js';
import { brokerSocketPath } from '../../src/coordination/paths.js';
import type { SlotRequest } from '../../src/coordination/protocol.js';
import { acquireSlot, type QueuedInfo } from '../../src/coordination/slot.js';
import { BreakerOpen } from '../../src/errors.js';
import { tempDir } from '../fixtures/cli.js';

const BREAKER = { failureThreshold: 1, recoveryTimeoutMs: 60_000 };
const REQUEST: SlotRequest = {
	lane: 'mutate',
	hold: 'call',
	label: 'docker run busybox',
	command: 'container run',
	endpoint: { kind: 'unsupported', url: 'test://daemon' },
};

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
	for (const stop of stops.splice(0)) await stop();
});

function startBroker() {
	const stateDir = tempDir();
	const settings = {
		stateDir,
		version: 'test',
		lanes: DEFAULTS.lanes,
		breaker: BREAKER,
		probeTimeoutMs: 500,
		idleTimeoutMs: 60_000,
	};
	const stopped = runBroker({ ...settings, socketPath: brokerSocketPath(stateDir), reannounceGraceMs: 0 });
	stops.push(async () => {
		await tellBroker(stateDir, 'stop');
		await stopped;
	});
	return settings;
}

/** The broker listens once its status answers. */
async function listening(stateDir: string): Promise<void> {
	while ((await brokerStatus(stateDir)) === undefined) await new Promise(resolve => setTimeout(resolve, 5));
}

describe('acquireSlot', () => {
	it('is granted a slot; release reports the outcome to the broker', async () => {
		const settings = startBroker();
		await listening(settings.stateDir);
		const queued: QueuedInfo[] = [];
		const slot = await acquireSlot(settings, REQUEST, info => queued.push(info));
		expect(queued).toEqual([{ type: 'queued', lane: 'mutate', limit: 3, mode: 'fixed', running: [], ahead: 0 }]);
		expect(slot.waitedMs).toBeGreaterThanOrEqual(0);
		expect((await brokerStatus(settings.stateDir))?.stats.lanes.mutate).toEqual({ running: 1, queued: 0, limit: 3, mode: 'fixed' });
		await slot.release({ exitCode: 3, durationMs: 25, waitedMs: 120, kind: 'failed' });
		const { stats } = (await brokerStatus(settings.stateDir))!;
		expect(stats).toMatchObject({
			totalCalls: 1,
			failures: { failed: 1, daemon: 0 },
			waitedCalls: 1,
			waitMs: { max: 120 },
			lanes: { mutate: { running: 0, queued: 0 } },
		});
	});

	it('a reported daemon failure opens the breaker: the next call gets BreakerOpen', async () => {
		const settings = startBroker();
		await listening(settings.stateDir);
		const slot = await acquireSlot(settings, REQUEST, () => undefined);
		await slot.release({ exitCode: 1, durationMs: 5, waitedMs: 0, kind: 'daemon', detail: 'connection refused' });
		const error = await acquireSlot(settings, REQUEST, () => undefined).catch(caught => caught);
		expect(error).toBeInstanceOf(BreakerOpen);
		expect(error).toMatchObject({
			endpoint: 'test://daemon',
			exitCode: 69,
			breaker: { state: 'open', consecutiveFailures: 1, lastFailure: 'connection refused' },
		});
		const { stats } = (await brokerStatus(settings.stateDir))!;
		expect(stats.failures.daemon).toBe(1);
		expect(stats.breakers['test://daemon']?.state).toBe('open');
	});
});
