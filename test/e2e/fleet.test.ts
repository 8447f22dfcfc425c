// Fleet mode with real processes: three "hosts" (separate state dirs, brokers and clients) on this machine share one
// real redis-server. Each host's calls go through its own broker; the limits, spacing and order hold across them.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../fixtures/cli.js';
import { brokerPid, children, launch, maxConcurrency, runs, setup, untilTraced } from '../fixtures/limits.js';
import { type RedisServer, requireRedis, startRedis, stopAllRedis } from '../fixtures/redis.js';

afterEach(() => {
	for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Lines of a broker's log with their time, for the trace of what it queued and granted. */
function trace(home: string, what: string): Array<{ at: number; label: string }> {
	return readFileSync(join(home, 'broker.log'), 'utf8')
		.split('\n')
		.filter(line => line.includes(` ${what} mutate `))
		.map(line => ({ at: Date.parse(line.slice(0, 24)), label: line.slice(line.lastIndexOf(' ') + 1) }));
}

describe.runIf(requireRedis())('fleet mode', () => {
	let redis: RedisServer;
	beforeAll(async () => {
		redis = await startRedis();
	});
	afterAll(stopAllRedis);

	/** Three hosts of one fleet, writing to one fake-docker log. */
	function fleet(extra: Record<string, string> = {}) {
		const first = setup({
			SAFE_DOCKER_FLEET_REDIS: redis.url,
			SAFE_DOCKER_FLEET_PREFIX: `t${Date.now()}`,
			SAFE_DOCKER_BROKER_TRACE: '1',
			...extra,
		});
		const hosts = [first, ...[1, 2].map(() => setup({ ...extra }))].map(host => ({
			...host,
			env: {
				...host.env,
				FAKE_DOCKER_LOG: first.log,
				SAFE_DOCKER_FLEET_REDIS: redis.url,
				SAFE_DOCKER_FLEET_PREFIX: first.env['SAFE_DOCKER_FLEET_PREFIX'],
				SAFE_DOCKER_BROKER_TRACE: '1',
			},
		}));
		return { hosts, log: first.log };
	}

	it('33 calls across 3 hosts: fleet-wide never more than 3 at once, starts ≥ 500 ms apart, served in arrival order', async () => {
		const { hosts, log } = fleet({ FAKE_DOCKER_SLEEP: '1.6' });
		const calls = [];
		for (let i = 0; i < 33; i++) {
			calls.push(launch(['run', '-d', `img${String(i).padStart(2, '0')}`], hosts[i % 3]!.env));
			await sleep(i < 3 ? 400 : 120); // a definite arrival order, across hosts
		}
		expect(await Promise.all(calls.map(call => call.exited))).toEqual(Array(33).fill(0));
		const mutating = runs(log).filter(run => run.args.startsWith('run -d'));
		expect(mutating).toHaveLength(33);
		expect(maxConcurrency(mutating)).toBeLessThanOrEqual(3);
		expect(maxConcurrency(mutating)).toBe(3);
		const granted = hosts.flatMap(host => trace(host.home, 'granted')).sort((a, b) => a.at - b.at);
		// Arrival order is Redis's: the TIME (µs) each ticket got when it joined the fleet's queue.
		const arrived = hosts
			.flatMap(host => readFileSync(join(host.home, 'broker.log'), 'utf8').split('\n'))
			.filter(line => line.includes(' fleet arrival ') && line.includes(' mutate docker run -d'))
			.map(line => ({ score: BigInt(line.split(' fleet arrival ')[1]!.split(' ')[0]!), label: line.slice(line.lastIndexOf(' ') + 1) }))
			.sort((a, b) => (a.score < b.score ? -1 : a.score > b.score ? 1 : 0));
		expect(granted).toHaveLength(33);
		// Spacing is kept on Redis's clock: the TIME (ms) each permit was granted at, as the broker traced it.
		const permitted = hosts
			.flatMap(host => readFileSync(join(host.home, 'broker.log'), 'utf8').split('\n'))
			.filter(line => line.includes(' fleet grant ') && line.includes(' mutate docker run -d'))
			.map(line => Number(line.split(' fleet grant ')[1]!.split(' ')[0]))
			.sort((a, b) => a - b);
		expect(permitted).toHaveLength(33);
		const gaps = permitted.slice(1).map((at, i) => at - permitted[i]!);
		expect(Math.min(...gaps)).toBeGreaterThanOrEqual(500);
		// Each host alone would have run 3 at once: the fleet as a whole is held to the limit.
		expect(granted.map(grant => grant.label)).toEqual(arrived.map(entry => entry.label));
		expect(new Set(granted.map(grant => grant.label)).size).toBe(33);
	}, 120_000);

	/** Waits until the fake-docker log shows `count` starts. */
	async function started(log: string, count: number, timeoutMs = 20_000) {
		const deadline = Date.now() + timeoutMs;
		while (runs(log).length < count) {
			if (Date.now() > deadline) throw new Error(`only ${runs(log).length} of ${count} calls started`);
			await sleep(50);
		}
		return runs(log);
	}

	it("a host killed while it holds every permit: another host's call starts when the lease ends, not before", async () => {
		const leaseMs = 2000;
		const { hosts, log } = fleet({
			FAKE_DOCKER_SLEEP: '60',
			SAFE_DOCKER_FLEET_LEASE_MS: String(leaseMs),
			SAFE_DOCKER_LANES_MUTATE_MIN_TIME_MS: '0',
		});
		const [a, b] = hosts as [(typeof hosts)[0], (typeof hosts)[0]];
		const holders = [0, 1, 2].map(i => launch(['run', '-d', `held${i}`], a.env));
		const before = await started(log, 3);
		const waiter = launch(['run', '-d', 'waiter'], { ...b.env, FAKE_DOCKER_SLEEP: '0' });
		await untilTraced(b.home, / fleet arrival \d+ mutate docker run -d waiter$/m); // in the fleet's queue
		await sleep(300);
		expect(runs(log)).toHaveLength(3); // the fleet's limit holds: host b waits
		// The host dies at once: its broker, its clients and their docker processes, before any can say goodbye.
		const killedAt = Date.now();
		for (const pid of [brokerPid(a.home), ...holders.map(h => h.child.pid!), ...before.map(run => Number(run.pid))]) {
			try {
				process.kill(pid, 'SIGKILL');
			} catch {
				// already gone
			}
		}
		// When its first permit's lease ends, on Redis's clock, as Redis holds it after the kill: ms from now. (Its last
		// renewal, due every lease / 3, can come late on a busy machine, so the end is not at a fixed time after the kill.)
		const [seconds, micros] = redis.cli('TIME').split('\n').map(Number);
		const held = redis.cli('KEYS', `${a.env['SAFE_DOCKER_FLEET_PREFIX']}:{*:mutate}:h`);
		const leaseEnds = redis.cli('ZRANGE', held, '0', '0', 'WITHSCORES').split('\n');
		const leftMs = Number(leaseEnds[1]) - (seconds! * 1000 + Math.floor(micros! / 1000));
		expect(leftMs).toBeGreaterThan(0);
		expect(leftMs).toBeLessThanOrEqual(leaseMs);
		expect(await waiter.exited).toBe(0);
		const startedAfter = runs(log).find(run => run.args.includes('waiter'))!.start - killedAt;
		// Not before the lease ended (the dead host's permits are not taken from it early)…
		expect(startedAfter).toBeGreaterThanOrEqual(leftMs);
		// …and woken when it ended (then a grant, a client and docker's start on a busy machine), not polling for it, nor
		// when the holders' 60 s runs would have ended.
		expect(startedAfter).toBeLessThan(leftMs + 1500);
	}, 60_000);

	it("a client killed on a live host frees its fleet permit at once, not at the lease's end", async () => {
		const { hosts, log } = fleet({ SAFE_DOCKER_FLEET_LEASE_MS: '10000', SAFE_DOCKER_LANES_MUTATE_MAX_CONCURRENT: '1' });
		const holder = launch(['run', '-d', 'held'], { ...hosts[0]!.env, FAKE_DOCKER_SLEEP: '60' });
		const [held] = await started(log, 1);
		const waiter = launch(['run', '-d', 'next'], hosts[1]!.env);
		await untilTraced(hosts[1]!.home, / fleet arrival \d+ mutate docker run -d next$/m);
		await sleep(300);
		expect(runs(log)).toHaveLength(1);
		const killedAt = Date.now();
		holder.child.kill('SIGKILL');
		process.kill(Number(held!.pid), 'SIGKILL');
		expect(await waiter.exited).toBe(0);
		// Freed when the client's connection closed (then a release, a wake-up, a grant and docker's start on a busy
		// machine), not when the 10 s lease ran out.
		expect(runs(log).find(run => run.args.includes('next'))!.start - killedAt).toBeLessThan(5000);
	}, 60_000);

	it('a call on a live host keeps its permit by renewal for 3 × the lease', async () => {
		const leaseMs = 1500;
		const { hosts, log } = fleet({ SAFE_DOCKER_FLEET_LEASE_MS: String(leaseMs), SAFE_DOCKER_LANES_MUTATE_MAX_CONCURRENT: '1' });
		const long = launch(['run', '-d', 'long'], { ...hosts[0]!.env, FAKE_DOCKER_SLEEP: String((3 * leaseMs) / 1000 + 0.5) });
		await started(log, 1);
		const other = launch(['run', '-d', 'other'], hosts[1]!.env);
		expect(await long.exited).toBe(0);
		expect(await other.exited).toBe(0);
		const [first, second] = runs(log);
		expect(first!.args).toContain('long');
		expect(second!.start).toBeGreaterThanOrEqual(first!.end);
	}, 60_000);

	it('Redis restarted empty under load: the held permits are re-announced and the limit holds again within one lease', async () => {
		const leaseMs = 2000;
		const { hosts, log } = fleet({
			FAKE_DOCKER_SLEEP: '1.5',
			SAFE_DOCKER_FLEET_LEASE_MS: String(leaseMs),
			SAFE_DOCKER_LANES_MUTATE_MIN_TIME_MS: '0',
		});
		const calls = [];
		for (let i = 0; i < 12; i++) {
			calls.push(launch(['run', '-d', `c${i}`], hosts[i % 3]!.env));
			await sleep(30);
		}
		await started(log, 3);
		await redis.stop();
		await redis.start();
		const restartedAt = Date.now();
		for (let i = 12; i < 24; i++) calls.push(launch(['run', '-d', `c${i}`], hosts[i % 3]!.env));
		expect(await Promise.all(calls.map(call => call.exited))).toEqual(Array(24).fill(0));
		const all = runs(log);
		expect(all).toHaveLength(24);
		// From one lease after the restart on, no call starts while 3 others run.
		const settled = all.filter(run => run.start >= restartedAt + leaseMs);
		expect(settled.length).toBeGreaterThan(3);
		for (const run of settled)
			expect(all.filter(other => other !== run && other.start <= run.start && other.end > run.start).length).toBeLessThan(3);
	}, 90_000);

	it("Redis out of reach: `local` runs the call under this host's limits with one line; `fail` exits 69 with one line; no credentials shown", async () => {
		// Port 1: nothing listens there, ever (a stopped server's port can be handed to another server meanwhile).
		const gone = { port: 1 };
		const url = `redis://:s3cret@127.0.0.1:${gone.port}`;
		const { hosts } = fleet();
		const local = await runCli(['run', '-d', 'img'], { env: { ...hosts[0]!.env, SAFE_DOCKER_FLEET_REDIS: url } });
		expect(local.exitCode).toBe(0);
		expect(local.stderr).toBe(
			`safe-docker: the fleet's Redis at redis://***@127.0.0.1:${gone.port} cannot be reached (connect ECONNREFUSED 127.0.0.1:${gone.port}); running under this host's limits only (fleet.onUnavailable = local)\n`,
		);
		const failing = await runCli(['run', '-d', 'img'], {
			env: { ...hosts[1]!.env, SAFE_DOCKER_FLEET_REDIS: url, SAFE_DOCKER_FLEET_ON_UNAVAILABLE: 'fail' },
		});
		expect(failing.exitCode).toBe(69);
		expect(failing.stderr.trim().split('\n')).toHaveLength(1);
		expect(failing.stderr).toMatch(
			/the fleet's Redis at redis:\/\/\*\*\*@127\.0\.0\.1:\d+ cannot be reached .* fleet\.onUnavailable is "fail"/,
		);
		expect(local.stderr + failing.stderr).not.toContain('s3cret');
	}, 60_000);

	it('a Redis Cluster node for fleet.redis: one line that says so, then `local` runs the call and `fail` exits 69', async () => {
		const cluster = await startRedis({ cluster: true });
		const { hosts } = fleet();
		const said = `the fleet's Redis at ${cluster.url} cannot be reached (it is a Redis Cluster node; fleet mode needs one Redis server (a primary, or a proxy that serves the whole keyspace))`;
		const local = await runCli(['run', '-d', 'img'], { env: { ...hosts[0]!.env, SAFE_DOCKER_FLEET_REDIS: cluster.url } });
		expect(local.exitCode).toBe(0);
		expect(local.stderr).toBe(`safe-docker: ${said}; running under this host's limits only (fleet.onUnavailable = local)\n`);
		const failing = await runCli(['run', '-d', 'img'], {
			env: { ...hosts[1]!.env, SAFE_DOCKER_FLEET_REDIS: cluster.url, SAFE_DOCKER_FLEET_ON_UNAVAILABLE: 'fail' },
		});
		expect(failing.exitCode).toBe(69);
		expect(failing.stderr.trim().split('\n')).toHaveLength(1);
		expect(failing.stderr).toContain('it is a Redis Cluster node');
		await cluster.stop();
	}, 60_000);

	it("a breaker opened on host A fails host B's calls fast; one probe in the whole fleet closes it", async () => {
		const socket = join(tempDir(), 'daemon.sock');
		const { hosts } = fleet({
			DOCKER_HOST: `unix://${socket}`,
			SAFE_DOCKER_RETRY_RETRIES: '0',
			SAFE_DOCKER_BREAKER_FAILURE_THRESHOLD: '3',
			// Long enough that host b's first call (its CLI and broker starting on a loaded machine) lands before the probe.
			SAFE_DOCKER_BREAKER_RECOVERY_TIMEOUT_MS: '6000',
		});
		const [a, b, c] = hosts as [(typeof hosts)[0], (typeof hosts)[0], (typeof hosts)[0]];
		for (let i = 0; i < 3; i++) expect((await runCli(['ps'], { env: { ...a.env, FAKE_DOCKER_EXIT: '1' } })).exitCode).toBe(1);
		const openedAt = Date.now();
		const fast = await runCli(['ps'], { env: b.env });
		expect(fast.exitCode).toBe(69);
		expect(fast.stderr).toMatch(
			new RegExp(
				`^safe-docker: the Docker daemon at unix://${socket} is failing \\(.*ENOENT.*seen by .*\\) since \\S+; calls fail fast until the next probe at \\S+; details: safe-docker guard health\\n$`,
			),
		);
		// Failed fast (host b's CLI and broker start included, on a loaded machine), before the 6 s recovery's probe.
		expect(Date.now() - openedAt).toBeLessThan(6000);

		const daemon = createServer((_request, response) => response.writeHead(200, { 'api-version': '1.41' }).end('OK'));
		await new Promise<void>(resolve => daemon.listen(socket, resolve));
		try {
			await sleep(6100 - (Date.now() - openedAt));
			const results = await Promise.all([a, b, c, a, b, c].map(host => runCli(['ps'], { env: host.env })));
			const probes = hosts.map(host => (readFileSync(join(host.home, 'broker.log'), 'utf8').match(/probe of /g) ?? []).length);
			expect(probes.reduce((sum, count) => sum + count, 0)).toBe(1);
			expect(results.filter(result => result.exitCode === 0).length).toBeGreaterThanOrEqual(1);
			expect(results.every(result => result.exitCode === 0 || result.exitCode === 69)).toBe(true);
			for (const host of hosts) expect((await runCli(['ps'], { env: host.env })).exitCode).toBe(0);
		} finally {
			daemon.close();
		}
	}, 60_000);

	it('guard broker status and guard stats show the fleet: its hosts, its limits, who holds permits fleet-wide; a waiting call says what it waits for', async () => {
		const {
			hosts: [first, second],
			log,
		} = fleet();
		// Configured differently: the fleet holds to the strictest, 1 at once, for b's calls too.
		const a = { ...first!, env: { ...first!.env, SAFE_DOCKER_LANES_MUTATE_MAX_CONCURRENT: '1' } };
		const b = { ...second!, env: { ...second!.env, SAFE_DOCKER_LANES_MUTATE_MAX_CONCURRENT: '3' } };
		// Long enough for the waiter to queue and for the status and stats below to be read while it runs, however slowly
		// each CLI starts on a busy machine.
		const long = launch(['run', '-d', 'long'], { ...a.env, FAKE_DOCKER_SLEEP: '10' });
		await started(log, 1);
		const waiter = runCli(['run', '-d', 'later'], { env: b.env });
		await untilTraced(b.home, / fleet arrival \d+ mutate docker run -d later$/m); // in the fleet's queue
		const status = JSON.parse((await runCli(['guard', 'broker', 'status', '--json'], { env: b.env })).stdout);
		expect(status.fleet).toMatchObject({ redis: redis.url, state: 'joined', waiting: { mutate: 1 } });
		expect(status.fleet.hosts).toHaveLength(2);
		expect(status.fleet.holders).toEqual([expect.objectContaining({ lane: 'mutate', host: hostname(), label: 'docker run -d long' })]);
		expect(status.fleet.limits).toEqual([expect.objectContaining({ lane: 'mutate', limit: 1, spacingMs: 500 })]);
		expect(status.fleet.limits[0].said.map((said: { limit: number }) => said.limit).sort()).toEqual([1, 3]);
		const text = (await runCli(['guard', 'stats'], { env: a.env })).stdout;
		expect(text).toMatch(new RegExp(`^fleet          joined through ${redis.url}; 2 hosts: `, 'm'));
		expect(text).toMatch(
			/^fleet limit {4}mutate on \S+: 1 at once, 500 ms apart, the strictest of: .+ [13] at once, 500 ms; .+ [13] at once, 500 ms$/m,
		);
		expect(text).toMatch(/^fleet mutate {3}1 held fleet-wide, 1 waiting: \S+: docker run -d long \(lease \d+\.\d s\)$/m);
		expect(readFileSync(join(b.home, 'broker.log'), 'utf8')).toContain(
			"fleet mutate: 1 at once fleet-wide, the strictest limit of the hosts that use this daemon (this host's own: 3)",
		);
		const waited = await waiter;
		expect(waited.exitCode).toBe(0);
		expect(waited.stderr).toBe('safe-docker: waiting for a fleet permit (mutate: 1 at once across the hosts that use this daemon)\n');
		expect(await long.exited).toBe(0);
	}, 60_000);

	it('a frozen Redis (SIGSTOP) never hangs a call: it runs under local limits within the command deadline, and the fleet is used again once Redis thaws', async () => {
		const frozen = await startRedis();
		const { hosts } = fleet();
		const env = { ...hosts[0]!.env, SAFE_DOCKER_FLEET_REDIS: frozen.url };
		expect((await runCli(['run', '-d', 'joined'], { env })).stderr).toBe('');
		frozen.signal('SIGSTOP');
		try {
			const started = Date.now();
			const during = await runCli(['run', '-d', 'frozen'], { env });
			expect(during.exitCode).toBe(0);
			expect(during.stderr).toMatch(
				/^safe-docker: the fleet's Redis at redis:\/\/127\.0\.0\.1:\d+ cannot be reached \(Command timed out\); running under this host's limits only \(fleet\.onUnavailable = local\)\n$/,
			);
			expect(Date.now() - started).toBeLessThan(15_000);
		} finally {
			frozen.signal('SIGCONT');
		}
		// ioredis reconnects within its backoff (at most 2 s).
		let after = await runCli(['run', '-d', 'thawed'], { env });
		for (let i = 0; i < 10 && after.stderr !== ''; i++) {
			await sleep(500);
			after = await runCli(['run', '-d', 'thawed'], { env });
		}
		expect(after.stderr).toBe('');
		await frozen.stop();
	}, 60_000);
});
