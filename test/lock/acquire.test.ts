import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, utimesSync } from 'node:fs';
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { LockTimeout } from '../../src/errors.js';
import { type AcquireOptions, acquireLock } from '../../src/lock/acquire.js';
import { type Holder, readHolder, writeHolder } from '../../src/lock/holder.js';
import { lockFiles } from '../../src/lock/paths.js';
import { lockState } from '../../src/lock/status.js';
import { tempDir } from '../fixtures/cli.js';

const STALE_MS = 10_000;

const options = (dir: string, extra: Partial<AcquireOptions> = {}): AcquireOptions => ({
	dir,
	env: 'staging',
	command: 'docker compose up',
	reason: null,
	staleMs: STALE_MS,
	pollMs: 10,
	...extra,
});

/** A lock left behind by `holder`, as a crashed process leaves it. */
function plantLock(dir: string, holder: Partial<Holder>, refreshedMsAgo = 0): void {
	const files = lockFiles(dir, 'staging');
	mkdirSync(files.lockDir, { recursive: true });
	const at = (Date.now() - refreshedMsAgo) / 1000;
	utimesSync(files.lockDir, at, at);
	writeHolder(files.holder, {
		env: 'staging',
		pid: 1,
		host: hostname(),
		user: 'someone',
		command: 'docker compose down',
		reason: null,
		acquiredAt: new Date().toISOString(),
		startTime: null,
		bootId: null,
		...holder,
	});
}

describe('acquireLock', () => {
	it('takes a free lock at once, records the holder, and frees it on release', async () => {
		const dir = tempDir();
		const lock = await acquireLock(options(dir, { reason: 'deploy' }));
		expect(lock.env).toBe('staging');
		// At once: not a stale window's wait (seconds of this process's stalls were seen on a loaded machine).
		expect(lock.waitedMs).toBeLessThan(STALE_MS / 2);
		expect(lockState(dir, 'staging', STALE_MS)).toMatchObject({
			state: 'held',
			holder: { pid: process.pid, host: hostname(), command: 'docker compose up', reason: 'deploy' },
		});
		lock.setChild(4242);
		expect(readHolder(lockFiles(dir, 'staging').holder)?.childPid).toBe(4242);
		await lock.release();
		expect(lockState(dir, 'staging', STALE_MS).state).toBe('free');
		expect(existsSync(lockFiles(dir, 'staging').holder)).toBe(false);
	});

	it('a second contender waits, told who holds it, and gets the lock once it is released', async () => {
		const dir = tempDir();
		const first = await acquireLock(options(dir, { command: 'first' }));
		const seen: Array<string | undefined> = [];
		let releasing: Promise<void> | undefined;
		const second = await acquireLock(
			options(dir, {
				command: 'second',
				onWait: holder => {
					seen.push(holder?.command);
					releasing ??= first.release();
				},
			}),
		);
		await releasing;
		expect(seen).toEqual(['first']);
		expect(second.waitedMs).toBeGreaterThan(0);
		expect(readHolder(lockFiles(dir, 'staging').holder)?.command).toBe('second');
		await second.release();
	});

	it('gives up after timeoutMs with a LockTimeout naming the holder', async () => {
		const dir = tempDir();
		const first = await acquireLock(options(dir, { command: 'docker compose up -d', reason: 'release 1.2' }));
		const started = Date.now();
		const error = await acquireLock(options(dir, { timeoutMs: 60 })).catch(caught => caught);
		expect(Date.now() - started).toBeGreaterThanOrEqual(60);
		expect(error).toBeInstanceOf(LockTimeout);
		expect(error).toMatchObject({ env: 'staging', exitCode: 75, holder: { pid: process.pid, command: 'docker compose up -d' } });
		expect(error.message).toContain(`pid ${process.pid}`);
		expect(error.message).toContain('"docker compose up -d" because "release 1.2"');
		await first.release();
	});

	it('takes over a lock whose holder on this host is dead', async () => {
		const dir = tempDir();
		const dead = spawnSync('true').pid!;
		plantLock(dir, { pid: dead });
		const lock = await acquireLock(options(dir, { timeoutMs: STALE_MS }));
		expect(lock.waitedMs).toBeLessThan(STALE_MS / 2); // the dead pid tells at once, not the stale window
		expect(readHolder(lockFiles(dir, 'staging').holder)).toMatchObject({ pid: process.pid, command: 'docker compose up' });
		expect(existsSync(lockFiles(dir, 'staging').takeover)).toBe(false);
		await lock.release();
	});

	it('never takes over a live holder on this host, however old its lock', async () => {
		const dir = tempDir();
		plantLock(dir, { pid: 1 }, STALE_MS * 10); // pid 1 lives
		await expect(acquireLock(options(dir, { timeoutMs: 50 }))).rejects.toBeInstanceOf(LockTimeout);
	});

	it('takes over a holder on another host once its lock has not been refreshed for staleMs', async () => {
		const dir = tempDir();
		plantLock(dir, { host: 'elsewhere.example', pid: 1 }, STALE_MS + 5000);
		const lock = await acquireLock(options(dir, { timeoutMs: 2000 }));
		expect(readHolder(lockFiles(dir, 'staging').holder)?.host).toBe(hostname());
		await lock.release();

		plantLock(dir, { host: 'elsewhere.example', pid: 1 }, 0); // fresh: respected
		await expect(acquireLock(options(dir, { timeoutMs: 50 }))).rejects.toBeInstanceOf(LockTimeout);
	});
});
