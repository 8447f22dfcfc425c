// Environment locks with real processes: safe-docker guard lock, status, unlock, and automatic locks.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { processStartTime, readHolder } from '../../src/lock/holder.js';
import { lockFiles } from '../../src/lock/paths.js';
import { BIN, FAKE_DOCKER, isolatedEnv, runCli, tempDir } from '../fixtures/cli.js';

function setup(extra: Record<string, string> = {}) {
	const dir = tempDir();
	const home = join(dir, 'state');
	const env = isolatedEnv({ SAFE_DOCKER_HOME: home, SAFE_DOCKER_DOCKER: FAKE_DOCKER, ...extra });
	return { dir, home, env, locks: join(home, 'locks') };
}

/** A shell command that records its critical section in `file` as "start <ns>" / "end <ns>" lines. */
const critical = (file: string, seconds: number, tag: string) =>
	`echo "start $(date +%s%N) ${tag}" >> '${file}'; sleep ${seconds}; echo "end $(date +%s%N) ${tag}" >> '${file}'`;

function sections(file: string): Array<{ tag: string; start: number; end: number }> {
	const lines = readFileSync(file, 'utf8')
		.trim()
		.split('\n')
		.map(line => line.split(' '));
	const starts = new Map(lines.filter(([kind]) => kind === 'start').map(([, ns, tag]) => [tag!, Number(BigInt(ns!) / 1000n)]));
	return lines
		.filter(([kind]) => kind === 'end')
		.map(([, ns, tag]) => ({ tag: tag!, start: starts.get(tag!)!, end: Number(BigInt(ns!) / 1000n) }))
		.sort((a, b) => a.start - b.start);
}

const overlaps = (list: ReturnType<typeof sections>) => list.slice(1).filter((section, i) => section.start < list[i]!.end);

function spawnCli(args: string[], env: Record<string, string | undefined>): { child: ChildProcess; exited: Promise<number | null> } {
	const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
	return { child, exited: new Promise(resolve => child.on('exit', code => resolve(code))) };
}

async function waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!predicate()) {
		if (Date.now() > deadline) throw new Error('timed out waiting');
		await sleep(25);
	}
}

/**
 * Until the holder of `env` has recorded its command's pid. The command can be seen running (its `ready` file) before
 * safe-docker, descheduled on a busy machine, has written that pid; a fixed sleep raced it.
 */
const commandRecorded = (locks: string, env: string) => waitFor(() => readHolder(lockFiles(locks, env).holder)?.childPid !== undefined);

describe('guard lock', () => {
	it('20 concurrent holders: no two critical sections overlap, and every one runs', async () => {
		const { dir, env } = setup();
		const log = join(dir, 'sections');
		const runs = Array.from({ length: 20 }, (_, i) =>
			runCli(['guard', 'lock', 'e', '--', 'sh', '-c', critical(log, 0.05, `c${i}`)], { env }),
		);
		const results = await Promise.all(runs);
		expect(results.map(result => result.exitCode)).toEqual(Array(20).fill(0));
		const list = sections(log);
		expect(list).toHaveLength(20);
		expect(overlaps(list)).toEqual([]);
	}, 120_000);

	it("exits with the command's code, and children see the held lock", async () => {
		const { env } = setup();
		const result = await runCli(['guard', 'lock', 'ci-env', '--', 'sh', '-c', 'echo "$SAFE_DOCKER_LOCKS"; exit 3'], { env });
		expect(result.exitCode).toBe(3);
		expect(result.stdout).toBe('ci-env\n');
	});

	it('a missing command: one line, exit 127, lock released', async () => {
		const { env } = setup();
		const result = await runCli(['guard', 'lock', 'e', '--', 'no-such-command-xyz'], { env });
		expect(result.exitCode).toBe(127);
		expect(result.stderr).toBe('safe-docker: cannot run no-such-command-xyz: no such command\n');
		expect((await runCli(['guard', 'lock', 'status', 'e'], { env })).stdout).toBe('e: free\n');
	});

	it('SIGTERM reaches the command, and the lock is released', async () => {
		const { dir, env } = setup();
		const ready = join(dir, 'ready');
		const { child, exited } = spawnCli(
			['guard', 'lock', 'e', '--', 'sh', '-c', `trap 'exit 42' TERM; touch '${ready}'; while true; do sleep 0.05; done`],
			env,
		);
		await waitFor(() => existsSync(ready));
		child.kill('SIGTERM');
		expect(await exited).toBe(42);
		expect((await runCli(['guard', 'lock', 'status', 'e'], { env })).stdout).toBe('e: free\n');
	});

	it("times out with the holder's details and exit 75; a waiter in CI prints one plain line", async () => {
		const { dir, env } = setup({ CI: 'true' });
		const ready = join(dir, 'ready');
		const holder = spawnCli(['guard', 'lock', 'e', '--reason', 'migrating the db', '--', 'sh', '-c', `touch '${ready}'; sleep 5`], env);
		await waitFor(() => existsSync(ready));
		const result = await runCli(['guard', 'lock', 'e', '--timeout', '1500ms', '--', 'true'], { env });
		expect(result.exitCode).toBe(75);
		const lines = result.stderr.trim().split('\n');
		expect(lines).toHaveLength(2);
		expect(lines[0]).toMatch(
			new RegExp(
				`^safe-docker: waiting for the lock of environment 'e': held by \\S+@${hostname()} pid ${holder.child.pid} since \\S+ \\(\\d+ s\\) running "sh -c .*" because "migrating the db"$`,
			),
		);
		expect(lines[1]).toMatch(
			/^safe-docker: timed out after 1\.5 s waiting for the lock of environment 'e': held by .* because "migrating the db"$/,
		);
		holder.child.kill('SIGTERM');
		await holder.exited;
	}, 30_000);

	it('a holder that dies with SIGKILL (and its command with it) does not block the next one', async () => {
		const { dir, env } = setup();
		const ready = join(dir, 'ready');
		const holder = spawnCli(['guard', 'lock', 'e', '--', 'sh', '-c', `touch '${ready}'; sleep 60`], env);
		await waitFor(() => existsSync(ready));
		process.kill(-holder.child.pid!, 'SIGKILL'); // the whole process group: safe-docker and its command
		const started = Date.now();
		const next = await runCli(['guard', 'lock', 'e', '--timeout', '20s', '--', 'true'], { env });
		expect(next.exitCode).toBe(0);
		expect(Date.now() - started).toBeLessThan(5_000); // well inside the 10 s stale window: the dead pid tells at once
	}, 30_000);

	it('a killed safe-docker whose command still runs keeps the lock until the command ends', async () => {
		const { dir, env, locks } = setup();
		const ready = join(dir, 'ready');
		const log = join(dir, 'sections');
		const holder = spawnCli(['guard', 'lock', 'e', '--', 'sh', '-c', `touch '${ready}'; ${critical(log, 2, 'orphan')}`], env);
		await waitFor(() => existsSync(ready));
		await commandRecorded(locks, 'e');
		holder.child.kill('SIGKILL'); // safe-docker only; its command goes on
		const next = await runCli(['guard', 'lock', 'e', '--timeout', '20s', '--', 'sh', '-c', critical(log, 0, 'next')], { env });
		expect(next.exitCode).toBe(0);
		expect(overlaps(sections(log))).toEqual([]);
	}, 30_000);

	it('a holder alive far longer than the stale window keeps its lock', async () => {
		const { dir, env } = setup({ SAFE_DOCKER_LOCK_STALE_MS: '3000' });
		const ready = join(dir, 'ready');
		const holder = spawnCli(['guard', 'lock', 'e', '--', 'sh', '-c', `touch '${ready}'; sleep 12`], env);
		await waitFor(() => existsSync(ready));
		const result = await runCli(['guard', 'lock', 'e', '--timeout', '8s', '--', 'true'], { env });
		expect(result.exitCode).toBe(75);
		holder.child.kill('SIGTERM');
		await holder.exited;
	}, 30_000);

	it('a recorded pid that is dead, or reused by another process, is stale at once; racing waiters take it over one at a time', async () => {
		for (const [pid, startTime] of [
			[2 ** 22 - 1, 1],
			[process.pid, (processStartTime(process.pid) ?? 0) + 12345],
		] as const) {
			const { dir, env, locks } = setup();
			mkdirSync(join(locks, 'e.lock'), { recursive: true });
			writeFileSync(
				join(locks, 'e.holder.json'),
				JSON.stringify({
					env: 'e',
					pid,
					host: hostname(),
					user: 'ghost',
					command: 'gone',
					reason: null,
					acquiredAt: new Date().toISOString(),
					startTime,
					bootId: null,
				}),
			);
			const log = join(dir, 'sections');
			const started = Date.now();
			const results = await Promise.all(
				Array.from({ length: 6 }, (_, i) =>
					runCli(['guard', 'lock', 'e', '--timeout', '20s', '--', 'sh', '-c', critical(log, 0.1, `w${i}`)], { env }),
				),
			);
			expect(results.map(result => result.exitCode)).toEqual(Array(6).fill(0));
			expect(overlaps(sections(log))).toEqual([]);
			expect(sections(log)[0]!.start / 1000 - started).toBeLessThan(5_000);
		}
	}, 60_000);
});

describe('lock status and unlock', () => {
	it("status --json shows the holder's metadata; unlock needs --force, says what it released, and is audited", async () => {
		const { dir, env, home, locks } = setup();
		const ready = join(dir, 'ready');
		const holder = spawnCli(['guard', 'lock', 'staging', '--reason', 'demo', '--', 'sh', '-c', `touch '${ready}'; sleep 30`], env);
		await waitFor(() => existsSync(ready));
		await commandRecorded(locks, 'staging');
		const status = JSON.parse((await runCli(['guard', 'lock', 'status', '--json'], { env })).stdout);
		expect(status).toEqual([
			expect.objectContaining({
				env: 'staging',
				state: 'held',
				holder: expect.objectContaining({
					pid: holder.child.pid,
					host: hostname(),
					reason: 'demo',
					command: expect.stringContaining('sleep 30'),
					childPid: expect.any(Number),
				}),
			}),
		]);

		const refused = await runCli(['guard', 'unlock', 'staging'], { env });
		expect(refused.exitCode).toBe(64);
		expect(refused.stderr).toMatch(/^safe-docker: refusing to release the lock of 'staging' without --force: it is held by /);

		const released = await runCli(['guard', 'unlock', 'staging', '--force', '--reason', 'stuck in CI'], { env });
		expect(released.exitCode).toBe(0);
		expect(released.stdout).toMatch(/^released the lock of 'staging', which was held by \S+ pid \d+ /);
		expect((await runCli(['guard', 'lock', 'status', 'staging'], { env })).stdout).toBe('staging: free\n');
		const audit = readFileSync(join(home, 'audit.log'), 'utf8')
			.trim()
			.split('\n')
			.map(line => JSON.parse(line));
		expect(audit).toEqual([
			expect.objectContaining({
				decision: 'unlocked',
				command: 'guard unlock',
				reason: 'stuck in CI',
				argv: ['guard', 'unlock', 'staging', '--force', '--reason', 'stuck in CI'],
			}),
		]);
		holder.child.kill('SIGTERM');
		await holder.exited;
	}, 30_000);

	it("--json reports the lock's events as JSON lines on stderr, stdout stays the command's; a timeout too", async () => {
		const { dir, env } = setup();
		const ready = join(dir, 'ready');
		const holder = spawnCli(['guard', 'lock', 'qa', '--reason', 'first', '--', 'sh', '-c', `touch '${ready}'; sleep 2`], env);
		await waitFor(() => existsSync(ready));
		const waiter = await runCli(['guard', 'lock', 'qa', '--json', '--', 'echo', 'ran'], { env });
		expect(waiter.exitCode).toBe(0);
		expect(waiter.stdout).toBe('ran\n');
		const events = waiter.stderr
			.trim()
			.split('\n')
			.map(line => JSON.parse(line));
		expect(events).toEqual([
			{
				event: 'waiting',
				env: 'qa',
				holder: expect.objectContaining({ pid: holder.child.pid, reason: 'first', command: expect.stringContaining('sleep 2') }),
			},
			{ event: 'acquired', env: 'qa', waitedMs: expect.any(Number), inherited: false },
			{ event: 'released', env: 'qa', heldMs: expect.any(Number) },
		]);
		expect(events[1].waitedMs).toBeGreaterThan(500);
		await holder.exited;

		rmSync(ready);
		const second = spawnCli(['guard', 'lock', 'qa', '--reason', 'second', '--', 'sh', '-c', `touch '${ready}'; sleep 5`], env);
		await waitFor(() => existsSync(ready));
		await sleep(200);
		const timedOut = await runCli(['guard', 'lock', 'qa', '--json', '--timeout', '1s', '--', 'echo', 'never'], { env });
		expect(timedOut.exitCode).toBe(75);
		expect(timedOut.stdout).toBe('');
		expect(
			timedOut.stderr
				.trim()
				.split('\n')
				.map(line => JSON.parse(line))
				.at(-1),
		).toEqual({ event: 'timeout', env: 'qa', waitedMs: expect.any(Number), holder: expect.objectContaining({ reason: 'second' }) });
		second.child.kill('SIGTERM');
		await second.exited;
	}, 30_000);

	it('rejects a bad environment name in one line', async () => {
		const result = await runCli(['guard', 'lock', '../etc', '--', 'true'], { env: setup().env });
		expect(result.exitCode).toBe(64);
		expect(result.stderr).toBe(
			"safe-docker: environment name \"../etc\" is not allowed: use letters, digits, '.', '_' and '-' (up to 128), starting with a letter or digit\n",
		);
	});
});

describe('automatic locks for proxied calls', () => {
	it('lock.commands serialises compose up across processes', async () => {
		const { dir, env } = setup({ SAFE_DOCKER_LOCK_COMMANDS: 'compose up', FAKE_DOCKER_LOG: '', FAKE_DOCKER_SLEEP_MS: '300' });
		const log = join(dir, 'docker.log');
		const calls = await Promise.all(
			Array.from({ length: 4 }, () => runCli(['compose', '-p', 'shop', 'up', '-d'], { env: { ...env, FAKE_DOCKER_LOG: log } })),
		);
		expect(calls.map(call => call.exitCode)).toEqual([0, 0, 0, 0]);
		const runs = readFileSync(log, 'utf8')
			.trim()
			.split('\n')
			.map(line => JSON.parse(line) as { start: number; end: number })
			.sort((a, b) => a.start - b.start);
		expect(runs.slice(1).filter((run, i) => run.start < runs[i]!.end)).toEqual([]);
	}, 30_000);

	it('a nested safe-docker compose up under guard lock of the same environment does not deadlock', async () => {
		const { env } = setup({ SAFE_DOCKER_LOCK_COMMANDS: 'compose up,compose down', SAFE_DOCKER_ENV: 'e', FAKE_DOCKER_PRINT_ARGV: '1' });
		const result = await runCli(['guard', 'lock', 'e', '--timeout', '10s', '--', process.execPath, BIN, 'compose', 'up', '-d'], {
			env,
			timeout: 20_000,
		});
		expect(result.exitCode).toBe(0);
		expect(JSON.parse(result.stdout)).toEqual(['compose', 'up', '-d']);
	});
});
