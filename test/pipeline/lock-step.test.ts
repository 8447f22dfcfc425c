import { describe, expect, it } from 'vitest';
import { type LockState, lockState } from '../../src/lock/status.js';
import { lockStep } from '../../src/pipeline/lock-step.js';
import { tempDir } from '../fixtures/cli.js';
import { captureStream, fakeNext, type MutableConfig, makeCall } from '../fixtures/pipeline.js';

const STALE_MS = 30_000;

function setup() {
	const locks = tempDir();
	let asked = 0;
	const step = lockStep({
		stateDir: () => {
			asked++;
			return tempDir();
		},
		stderr: captureStream(),
	});
	const locking = (environment: string | null) => (config: MutableConfig) => {
		config.lock.commands = ['compose up', 'container run'];
		config.lock.environment = environment;
		config.lock.directory = locks;
		config.lock.timeoutMs = 2000;
	};
	return { step, locks, locking, asked: () => asked };
}

describe('lockStep', () => {
	it('without lock.commands, calls next directly with the same call', async () => {
		const { step, asked } = setup();
		const call = makeCall(['compose', 'up'], { env: { COMPOSE_PROJECT_NAME: 'app' } });
		const { next, calls } = fakeNext({ exitCode: 4 });
		expect((await step.handle(call, next)).exitCode).toBe(4);
		expect(calls).toHaveLength(1);
		expect(calls[0]).toBe(call);
		expect(asked()).toBe(0);
	});

	it('holds lock.environment while next runs, and frees it afterwards', async () => {
		const { step, locks, locking } = setup();
		const call = makeCall(['compose', 'up', '-d'], { env: { PATH: '/bin' }, configure: locking('staging') });
		let during: LockState | undefined;
		const { next, calls } = fakeNext(async () => {
			during = lockState(locks, 'staging', STALE_MS);
			return { exitCode: 0 };
		});
		await step.handle(call, next);
		expect(during).toMatchObject({ env: 'staging', state: 'held', holder: { pid: process.pid, command: 'docker compose up -d' } });
		expect(calls[0]!.env).toEqual({ PATH: '/bin', SAFE_DOCKER_LOCKS: 'staging' });
		expect(lockState(locks, 'staging', STALE_MS).state).toBe('free');
	});

	it('frees the lock when the call fails', async () => {
		const { step, locks, locking } = setup();
		const call = makeCall(['run', 'busybox'], { configure: locking('staging') });
		const failure = new Error('docker vanished');
		const { next } = fakeNext(async () => {
			expect(lockState(locks, 'staging', STALE_MS).state).toBe('held');
			throw failure;
		});
		await expect(step.handle(call, next)).rejects.toBe(failure);
		expect(lockState(locks, 'staging', STALE_MS).state).toBe('free');
	});

	it('without lock.environment, locks the compose project (-p before COMPOSE_PROJECT_NAME)', async () => {
		const { step, locks, locking } = setup();
		const call = makeCall(['compose', '-p', 'shop', 'up'], { env: { COMPOSE_PROJECT_NAME: 'other' }, configure: locking(null) });
		const seen: string[] = [];
		const { next } = fakeNext(async () => {
			for (const env of ['shop', 'other']) seen.push(`${env}:${lockState(locks, env, STALE_MS).state}`);
			return {};
		});
		await step.handle(call, next);
		expect(seen).toEqual(['shop:held', 'other:free']);
	});

	it('runs unlocked when no environment can be named, or the command is not listed', async () => {
		const { step, locking } = setup();
		for (const argv of [['run', 'busybox'], ['compose', 'up'], ['ps']]) {
			const call = makeCall(argv, { configure: locking(null) });
			const { next, calls } = fakeNext();
			await step.handle(call, next);
			expect(calls).toEqual([call]);
		}
	});

	it('a nested call under the same held lock does not wait for it', async () => {
		const { step, locks, locking } = setup();
		const outer = makeCall(['compose', 'up'], { configure: locking('staging') });
		const { next } = fakeNext(async held => {
			const inner = makeCall(['run', 'busybox'], { env: held.env, configure: locking('staging') });
			const nested = fakeNext({ exitCode: 7 });
			const outcome = await step.handle(inner, nested.next);
			expect(nested.calls).toEqual([inner]);
			return outcome;
		});
		expect((await step.handle(outer, next)).exitCode).toBe(7);
		expect(lockState(locks, 'staging', STALE_MS).state).toBe('free');
	});
});
