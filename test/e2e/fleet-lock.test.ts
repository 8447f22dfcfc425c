// Fleet mode's environment locks with real processes: two "hosts" (separate state directories) share one real
// redis-server (with a password, which must never show) through the built CLI.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { BIN, FAKE_DOCKER, isolatedEnv, runCli, tempDir } from '../fixtures/cli.js';
import { type RedisServer, requireRedis, startRedis, stopAllRedis } from '../fixtures/redis.js';

const PASSWORD = 's3cret-fleet-pw';

interface Host {
	readonly home: string;
	readonly env: Record<string, string | undefined>;
}

/** A running CLI whose stderr lines are timestamped as they arrive. */
interface Running {
	readonly child: ChildProcess;
	readonly lines: { at: number; text: string }[];
	readonly exited: Promise<number | null>;
	output(): string;
}

const running: ChildProcess[] = [];

function start(args: string[], host: Host): Running {
	const child = spawn(process.execPath, [BIN, ...args], { env: host.env, stdio: ['ignore', 'pipe', 'pipe'] });
	running.push(child);
	const lines: { at: number; text: string }[] = [];
	let stdout = '';
	child.stdout!.on('data', data => (stdout += data));
	child.stderr!.on('data', (data: Buffer) => {
		for (const text of data.toString().split('\n').filter(Boolean)) lines.push({ at: Date.now(), text });
	});
	const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)));
	return { child, lines, exited, output: () => stdout + lines.map(line => `${line.text}\n`).join('') };
}

/** A shell command that runs until `letGo()`: a holder that holds for as long as the test needs, however loaded the machine. */
function untilLetGo(): { command: string; letGo(): void } {
	const file = join(tempDir(), 'go');
	return { command: `while [ ! -e '${file}' ]; do sleep 0.05; done`, letGo: () => writeFileSync(file, '') };
}

const event = (run: Running, name: string) => run.lines.find(line => line.text.includes(`"event":"${name}"`));

describe.runIf(requireRedis())('fleet environment locks across hosts', () => {
	let redis: RedisServer;
	beforeAll(async () => {
		redis = await startRedis({ password: PASSWORD });
	});
	afterEach(() => {
		for (const child of running.splice(0)) child.kill('SIGKILL');
		redis.cli('FLUSHALL');
	});
	afterAll(stopAllRedis);

	function host(extra: Record<string, string> = {}): Host {
		const home = join(tempDir(), 'state');
		return {
			home,
			env: isolatedEnv({ SAFE_DOCKER_HOME: home, SAFE_DOCKER_DOCKER: FAKE_DOCKER, SAFE_DOCKER_FLEET_REDIS: redis.url, ...extra }),
		};
	}

	async function heldBy(observer: Host, env: string): Promise<{ pid: number; childPid?: number; host: string; command: string }> {
		let holder: { pid: number; childPid?: number; host: string; command: string } | undefined;
		await vi.waitFor(
			async () => {
				const status = await runCli(['guard', 'lock', 'status', env, '--json'], { env: observer.env });
				holder = JSON.parse(status.stdout)[0].holder;
				expect(holder?.childPid).toBeDefined();
			},
			{ timeout: 10_000, interval: 100 },
		);
		return holder!;
	}

	it('two hosts contend: the second waits without polling, names the holder, and runs once the first releases', async () => {
		// The holder's lease is a minute, so that it does not renew while the waiter's commands are counted.
		const [a, b] = [host({ SAFE_DOCKER_FLEET_LEASE_MS: '60000' }), host()];
		const log = join(tempDir(), 'sections');
		const hold = untilLetGo();
		const section = (tag: string, until: string) =>
			`echo "start $(date +%s%3N) ${tag}" >> '${log}'; ${until}; echo "end $(date +%s%3N) ${tag}" >> '${log}'`;
		const first = start(['guard', 'lock', 'staging', '--reason', 'deploy', '--', 'sh', '-c', section('a', hold.command)], a);
		const holder = await heldBy(b, 'staging');
		const status = await runCli(['guard', 'lock', 'status'], { env: b.env });
		expect(status.stdout).toMatch(
			new RegExp(
				`^staging: held by \\S+@${hostname()} pid ${holder.pid} since .* running "sh -c .*" because "deploy"; lease \\d+\\.\\d s left\\n$`,
			),
		);
		redis.cli('CONFIG', 'RESETSTAT');
		const second = start(['guard', 'lock', 'staging', '--json', '--', 'sh', '-c', section('b', 'true')], b);
		await vi.waitFor(() => expect(event(second, 'waiting')).toBeDefined(), { timeout: 10_000, interval: 50 });
		await sleep(3000);
		hold.letGo();
		expect(await first.exited).toBe(0);
		expect(await second.exited).toBe(0);
		const stats = redis.cli('INFO', 'commandstats');
		const calls = (name: string) => Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
		const sections = readFileSync(log, 'utf8').trim().split('\n');
		const [, aEnd, bStart] = sections.map(line => Number(line.split(' ')[1]));
		expect(sections.map(line => line.replace(/ \d+ /, ' '))).toEqual(['start a', 'end a', 'start b', 'end b']);
		const waiting = JSON.parse(event(second, 'waiting')!.text);
		expect(waiting.holder).toMatchObject({ pid: holder.pid, host: hostname(), reason: 'deploy' });
		const acquired = JSON.parse(event(second, 'acquired')!.text);
		expect(acquired.waitedMs).toBeGreaterThan(3000);
		// Over 3 s of waiting: the waiter's first two tries and the one the release woke, its pid announced and its
		// release; the holder's release. A poll every 150 ms would be 20+ tries.
		const tries = calls('evalsha') + calls('eval');
		process.stderr.write(
			`fleet lock: waited ${acquired.waitedMs} ms with ${tries} lock scripts run; from the end of the first command to the start of the second ${bStart! - aEnd!} ms\n`,
		);
		expect(tries).toBeLessThanOrEqual(7);
		expect(first.output() + second.output() + status.stdout + status.stderr).not.toContain(PASSWORD);
	}, 30_000);

	it('a holder host killed with SIGKILL (its command too) is taken over when its lease ends, not before', async () => {
		const [a, b] = [host({ SAFE_DOCKER_FLEET_LEASE_MS: '2000' }), host({ SAFE_DOCKER_FLEET_LEASE_MS: '2000' })];
		start(['guard', 'lock', 'staging', '--', 'sleep', '60'], a);
		const holder = await heldBy(b, 'staging');
		// The waiter waits before the kill, so that its own start on a busy machine is not part of what is timed.
		const second = start(['guard', 'lock', 'staging', '--json', '--', 'true'], b);
		await vi.waitFor(() => expect(event(second, 'waiting')).toBeDefined(), { timeout: 10_000, interval: 50 });
		process.kill(holder.pid, 'SIGKILL');
		process.kill(holder.childPid!, 'SIGKILL');
		const killedAt = Date.now();
		// What is left of its lease, on Redis's clock, read after the kill. Its last renewal (due every lease / 3) can come
		// late on a busy machine, so this is not a fixed share of the lease.
		const leftMs = Number(redis.cli('PTTL', 'safe-docker:lock:{staging}'));
		expect(leftMs).toBeGreaterThan(0);
		expect(await second.exited).toBe(0);
		const takeoverMs = event(second, 'acquired')!.at - killedAt;
		process.stderr.write(
			`fleet lock: a SIGKILLed holder (lease 2000 ms) was taken over ${takeoverMs} ms after the kill (${leftMs} ms of lease left)\n`,
		);
		// Not before its lease ran out (a dead pid on this host is no reason to take a fleet lock early)…
		expect(takeoverMs).toBeGreaterThanOrEqual(leftMs);
		// …and then at once: the waiter sleeps until the lease's end as Redis told it, not a poll or another lease.
		expect(takeoverMs).toBeLessThan(leftMs + 1500);
	}, 30_000);

	it('a live holder keeps its lock past 3 leases; a waiter with --timeout gives up with exit 75, naming the holder', async () => {
		const [a, b] = [host({ SAFE_DOCKER_FLEET_LEASE_MS: '2000' }), host({ SAFE_DOCKER_FLEET_LEASE_MS: '2000' })];
		const hold = untilLetGo();
		const first = start(['guard', 'lock', 'staging', '--', 'sh', '-c', hold.command], a);
		const holder = await heldBy(b, 'staging');
		const waiter = await runCli(['guard', 'lock', 'staging', '--timeout', '6.5s', '--', 'true'], { env: b.env });
		hold.letGo();
		expect(waiter.exitCode).toBe(75);
		expect(waiter.stderr).toMatch(
			new RegExp(
				`^safe-docker: waiting for the lock of environment 'staging': held by \\S+@${hostname()} pid ${holder.pid} .*\\nsafe-docker: timed out after 6\\.5 s waiting for the lock of environment 'staging': held by \\S+@${hostname()} pid ${holder.pid} .*"sh -c .*"\\n$`,
			),
		);
		expect(await first.exited).toBe(0);
		expect(first.lines).toEqual([]);
	}, 30_000);

	it('unlock --force from another host: audited there, the holder is told, the lock is free', async () => {
		const [a, b] = [host(), host()];
		const first = start(['guard', 'lock', 'staging', '--', 'sleep', '30'], a);
		const holder = await heldBy(b, 'staging');
		const refused = await runCli(['guard', 'unlock', 'staging'], { env: b.env });
		expect(refused.exitCode).toBe(64);
		const unlocked = await runCli(['guard', 'unlock', 'staging', '--force', '--reason', 'stuck deploy'], { env: b.env });
		expect(unlocked.exitCode).toBe(0);
		expect(unlocked.stdout).toMatch(new RegExp(`^released the lock of 'staging', which was held by \\S+@${hostname()} pid ${holder.pid} `));
		const audit = readFileSync(join(b.home, 'audit.log'), 'utf8')
			.trim()
			.split('\n')
			.map(line => JSON.parse(line));
		expect(audit).toEqual([
			expect.objectContaining({
				command: 'guard unlock',
				argv: ['guard', 'unlock', 'staging', '--force', '--reason', 'stuck deploy'],
				decision: 'unlocked',
				reason: 'stuck deploy',
			}),
		]);
		expect((await runCli(['guard', 'lock', 'status', 'staging'], { env: b.env })).stdout).toBe('staging: free\n');
		await vi.waitFor(
			() =>
				expect(first.lines.map(line => line.text).join('\n')).toContain(
					'was taken over while held (it was released with guard unlock --force)',
				),
			{
				timeout: 10_000,
			},
		);
		expect(JSON.stringify(audit)).not.toContain(PASSWORD);
	}, 30_000);

	it('Redis restarted empty under a holder: its command keeps running and the lock is re-announced', async () => {
		const [a, b] = [host({ SAFE_DOCKER_FLEET_LEASE_MS: '1000' }), host()];
		const hold = untilLetGo();
		const first = start(['guard', 'lock', 'staging', '--', 'sh', '-c', hold.command], a);
		await heldBy(b, 'staging');
		await redis.stop();
		await sleep(1000);
		await redis.start();
		await heldBy(b, 'staging');
		hold.letGo();
		expect(await first.exited).toBe(0);
		expect((await runCli(['guard', 'lock', 'status', 'staging'], { env: b.env })).stdout).toBe('staging: free\n');
	}, 30_000);

	it('automatic locks (compose up) are held in Redis', async () => {
		const a = host({ SAFE_DOCKER_LOCK_COMMANDS: 'compose up', FAKE_DOCKER_SLEEP_MS: '3000' });
		const compose = start(['compose', '-p', 'shop', 'up'], a);
		const holder = await vi.waitFor(
			async () => {
				const holder = JSON.parse(redis.cli('HGET', 'safe-docker:lock:{shop}', 'holder'));
				return holder as { command: string };
			},
			{ timeout: 10_000, interval: 100 },
		);
		expect(holder.command).toBe('docker compose -p shop up');
		expect(await compose.exited).toBe(0);
		expect(redis.cli('EXISTS', 'safe-docker:lock:{shop}')).toBe('0');
	}, 30_000);
});

describe('fleet environment locks when Redis cannot be reached', () => {
	const unreachable = `redis://admin:${PASSWORD}@127.0.0.1:1`;
	const host = (extra: Record<string, string> = {}) =>
		isolatedEnv({ SAFE_DOCKER_HOME: join(tempDir(), 'state'), SAFE_DOCKER_FLEET_REDIS: unreachable, ...extra });

	it('local (the default): one line on stderr, without credentials, then this host lock directory', async () => {
		const env = host();
		const result = await runCli(['guard', 'lock', 'staging', '--', 'echo', 'ran'], { env });
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toBe('ran\n');
		expect(result.stderr).toMatch(
			/^safe-docker: the fleet's Redis at redis:\/\/\*\*\*@127\.0\.0\.1:1 cannot be reached \(connect ECONNREFUSED 127\.0\.0\.1:1\); environment locks use this host's lock directory \S+\/locks\n$/,
		);
		const status = await runCli(['guard', 'lock', 'status'], { env });
		expect(status.stderr.split('\n')).toHaveLength(2);
		expect(status.stdout).toMatch(/^no locks in lock directory /);
		expect(result.stderr + status.stderr + status.stdout).not.toContain(PASSWORD);
	});

	it('fail: exit 69 with one line, without credentials; the command does not run', async () => {
		const result = await runCli(['guard', 'lock', 'staging', '--', 'echo', 'ran'], {
			env: host({ SAFE_DOCKER_FLEET_ON_UNAVAILABLE: 'fail' }),
		});
		expect(result.exitCode).toBe(69);
		expect(result.stdout).toBe('');
		expect(result.stderr).toBe(
			`safe-docker: the fleet's Redis at redis://***@127.0.0.1:1 cannot be reached (connect ECONNREFUSED 127.0.0.1:1) and fleet.onUnavailable is "fail"; set it to "local" to run with this host's limits meanwhile\n`,
		);
	});
});
