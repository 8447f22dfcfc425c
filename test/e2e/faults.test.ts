// Faults that must end in a bounded, visible outcome (issue 10): dead or stopped brokers, planted files, a breaker
// that opens under waiting calls. Real processes throughout: the built CLI, its broker, a fake docker in sh.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../fixtures/cli.js';
import { fakeDaemon } from '../fixtures/fake-daemon.js';
import { brokerPid, children, launch, maxConcurrency, runs, setup } from '../fixtures/limits.js';

const UNLIMITED = /running without cross-process limits/;

afterEach(() => {
	for (const child of children.splice(0)) child.kill('SIGKILL');
});

async function breakerState(env: Record<string, string | undefined>, url: string): Promise<string | undefined> {
	return JSON.parse((await runCli(['guard', 'stats', '--json'], { env })).stdout).breakers[url]?.state;
}

/** A pid that belonged to a process that has exited. */
async function deadPid(): Promise<number> {
	const child = spawn('true');
	await new Promise(resolve => child.on('exit', resolve));
	return child.pid!;
}

/** Three mutating calls at once against a limit of 1: how long they took, how many ran at once, and what they said. */
async function threeCalls(env: Record<string, string | undefined>, log: string) {
	const started = Date.now();
	const results = await Promise.all(
		['a', 'b', 'c'].map(name => runCli(['run', '-d', name], { env: { ...env, FAKE_DOCKER_SLEEP: '0.3' } })),
	);
	return { ms: Date.now() - started, peak: maxConcurrency(runs(log)), results };
}

describe('the broker start lock', () => {
	for (const withHolder of [true, false]) {
		it(`left by a dead process with a future mtime (${withHolder ? 'its pid recorded' : 'no record'}) delays no call and drops no limit`, async () => {
			const { home, log, env } = setup({ SAFE_DOCKER_LANES_MUTATE_MAX_CONCURRENT: '1', SAFE_DOCKER_LANES_MUTATE_MIN_TIME_MS: '0' });
			mkdirSync(join(home, 'broker-start.lock'), { recursive: true });
			const future = new Date(Date.now() + 3_600_000);
			utimesSync(join(home, 'broker-start.lock'), future, future);
			if (withHolder) {
				const holder = {
					env: 'broker-start',
					pid: await deadPid(),
					host: (await import('node:os')).hostname(),
					user: 'x',
					command: 'start the broker',
				};
				writeFileSync(
					join(home, 'broker-start.holder.json'),
					JSON.stringify({ ...holder, reason: null, acquiredAt: new Date().toISOString(), startTime: null, bootId: null }),
				);
			}
			const { ms, peak, results } = await threeCalls(env, log);
			for (const result of results) {
				expect(result.exitCode).toBe(0);
				expect(result.stderr).not.toMatch(UNLIMITED);
			}
			expect(peak).toBe(1);
			// Three calls of 0.3 s one after another, plus a broker start: not the 10 s and 61 s stalls of a clock-only lock.
			expect(ms).toBeLessThan(6000);
		});
	}
});

describe('a broker that cannot be had', () => {
	const killedAtStart = { NODE_OPTIONS: `--import ${join(ROOT, 'test', 'fixtures', 'kill-broker-at-start.mjs')}` };

	it('killed by a signal as it starts: noticed at once; the call runs, says so in one line, and is counted', async () => {
		const { log, env } = setup(killedAtStart);
		const started = Date.now();
		const result = await runCli(['run', '-d', 'x'], { env });
		expect(Date.now() - started).toBeLessThan(4000); // three starts seen dying, not three 5 s waits
		expect(result.exitCode).toBe(0);
		expect(result.stderr).toMatch(
			/the broker exited at start \(SIGKILL\).*running without cross-process limits \(broker\.onUnavailable = run\)\n$/,
		);
		expect(result.stderr.trim().split('\n')).toHaveLength(1);
		expect(runs(log)).toHaveLength(1);
		const stats = JSON.parse((await runCli(['guard', 'stats', '--json'], { env })).stdout);
		expect(stats.unlimitedCalls).toBe(1);
	});

	it('broker.onUnavailable = fail: one line, exit 69, docker never runs', async () => {
		const { log, env } = setup({ ...killedAtStart, SAFE_DOCKER_BROKER_ON_UNAVAILABLE: 'fail' });
		const result = await runCli(['run', '-d', 'x'], { env });
		expect(result.exitCode).toBe(69);
		expect(result.stderr).toMatch(/^safe-docker: the broker exited at start \(SIGKILL\).*\(broker\.onUnavailable = fail\)\n$/);
		expect(runs(log)).toHaveLength(0);
	});

	it('broker.sock a directory: one line naming it, never exit 70', async () => {
		const { home, log, env } = setup();
		mkdirSync(join(home, 'broker.sock'), { recursive: true });
		const result = await runCli(['run', '-d', 'x'], { env });
		expect(result.exitCode).toBe(0);
		expect(result.stderr).toMatch(
			/broker\.sock is a directory, where the broker's socket belongs; remove it.*running without cross-process limits/,
		);
		expect(runs(log)).toHaveLength(1);
	});

	it('a stopped (SIGSTOPped) broker: calls, guard stats and broker status each end within seconds, saying why', async () => {
		const { home, log, env } = setup();
		expect((await runCli(['ps'], { env })).exitCode).toBe(0);
		const pid = brokerPid(home);
		process.kill(pid, 'SIGSTOP');
		try {
			const started = Date.now();
			const [call, stats, status] = await Promise.all([
				runCli(['run', '-d', 'x'], { env }),
				runCli(['guard', 'stats'], { env }),
				runCli(['guard', 'broker', 'status'], { env }),
			]);
			expect(Date.now() - started).toBeLessThan(9000);
			expect(call.exitCode).toBe(0);
			expect(call.stderr).toMatch(/the broker did not answer within 3 s; running without cross-process limits/);
			expect(runs(log).map(run => run.args)).toContain('run -d x');
			for (const own of [stats, status]) {
				expect(own.exitCode).toBe(69);
				expect(own.stderr).toBe('safe-docker: the broker did not answer within 3 s\n');
			}
		} finally {
			process.kill(pid, 'SIGCONT');
		}
	});
});

describe('planted and damaged state', () => {
	it('a state directory too deep for a socket path keeps its limits (a short socket elsewhere, private)', async () => {
		const deep = join(tempDir(), 'd'.repeat(60), 'e'.repeat(60));
		const { log, env } = setup({
			SAFE_DOCKER_HOME: deep,
			SAFE_DOCKER_LANES_MUTATE_MAX_CONCURRENT: '1',
			SAFE_DOCKER_LANES_MUTATE_MIN_TIME_MS: '0',
		});
		const { peak, results } = await threeCalls(env, log);
		for (const result of results) expect(result.stderr).not.toMatch(UNLIMITED);
		expect(peak).toBe(1);
		const status = await runCli(['guard', 'broker', 'status'], { env });
		expect(status.stdout).toMatch(/socket \/\S+\/broker-[0-9a-f]{8}\.sock;/);
	});

	it("broker.sock a symlink to another broker's socket is never followed: this state directory gets its own broker", async () => {
		const other = setup();
		expect((await runCli(['ps'], { env: other.env })).exitCode).toBe(0);
		const { home, env } = setup();
		mkdirSync(home, { recursive: true, mode: 0o700 });
		symlinkSync(join(other.home, 'broker.sock'), join(home, 'broker.sock'));
		const result = await runCli(['run', '-d', 'x'], { env });
		expect(result.stderr).not.toMatch(UNLIMITED);
		expect(brokerPid(home)).not.toBe(brokerPid(other.home));
		const otherStats = JSON.parse((await runCli(['guard', 'stats', '--json'], { env: other.env })).stdout);
		expect(otherStats.totalCalls).toBe(1); // its own `ps` only
	});

	it('stats.json with fields of the wrong type: one line in broker.log per field, and calls go on at full speed', async () => {
		const { home, log, env } = setup({ SAFE_DOCKER_LANES_MUTATE_MIN_TIME_MS: '0' });
		mkdirSync(home, { recursive: true, mode: 0o700 });
		writeFileSync(
			join(home, 'stats.json'),
			JSON.stringify({ waits: 'abc', totalCalls: -1, breakers: { 'unix:///x': { state: 'nonsense' } } }),
		);
		const started = Date.now();
		for (let i = 0; i < 4; i++) expect((await runCli(['run', '-d', `c${i}`], { env })).exitCode).toBe(0);
		expect(Date.now() - started).toBeLessThan(8000);
		expect(runs(log)).toHaveLength(4);
		const brokerLog = readFileSync(join(home, 'broker.log'), 'utf8');
		expect(brokerLog).toMatch(/stats\.json: waits is not valid; reset to its default/);
		expect(brokerLog).toMatch(/stats\.json: totalCalls is not valid/);
		expect(brokerLog).toMatch(/stats\.json: breakers\["unix:\/\/\/x"\] is not valid/);
		const stats = JSON.parse((await runCli(['guard', 'stats', '--json'], { env })).stdout);
		expect(stats.totalCalls).toBe(4);
	});

	it('stats.json a directory: the broker logs it and serves on; no temporary files are left', async () => {
		const { home, env } = setup();
		mkdirSync(join(home, 'stats.json'), { recursive: true });
		expect((await runCli(['run', '-d', 'a'], { env })).exitCode).toBe(0);
		const pid = brokerPid(home);
		await new Promise(resolve => setTimeout(resolve, 400)); // past the write that follows a call
		expect((await runCli(['run', '-d', 'b'], { env })).stderr).not.toMatch(UNLIMITED);
		expect(brokerPid(home)).toBe(pid);
		expect(readFileSync(join(home, 'broker.log'), 'utf8')).toMatch(/cannot save statistics to .*stats\.json/);
		expect(readdirSync(home).filter(name => name.endsWith('.tmp'))).toEqual([]);
	});
});

describe('the breaker and the queue', () => {
	it('when the breaker opens, the calls waiting for that daemon fail at once instead of running', async () => {
		const { log, env } = setup({
			DOCKER_HOST: `unix://${join(tempDir(), 'gone.sock')}`,
			SAFE_DOCKER_LANES_MUTATE_MAX_CONCURRENT: '1',
			SAFE_DOCKER_LANES_MUTATE_MIN_TIME_MS: '0',
			SAFE_DOCKER_BREAKER_FAILURE_THRESHOLD: '1',
			SAFE_DOCKER_RETRY_RETRIES: '0',
		});
		const first = launch(['run', '-d', 'first'], { ...env, FAKE_DOCKER_SLEEP: '1', FAKE_DOCKER_EXIT: '1' });
		await new Promise(resolve => setTimeout(resolve, 500));
		const started = Date.now();
		const waiting = await Promise.all(['b', 'c', 'd'].map(name => runCli(['run', '-d', name], { env })));
		expect(await first.exited).toBe(1);
		// Failed when the first call's daemon failure opened the breaker, not after their own retries and runs.
		expect(Date.now() - started).toBeLessThan(3000);
		for (const result of waiting) {
			expect(result.exitCode).toBe(69);
			expect(result.stderr).toMatch(/^safe-docker: the Docker daemon at unix:\/\/\S+ is failing/);
		}
		expect(runs(log).map(run => run.args)).toEqual(['run -d first']);
	});

	it("the half-open probe's client killed during a slow ping leaves no slot behind", async () => {
		const daemon = await fakeDaemon(1000);
		try {
			const { home, log, env } = setup({ DOCKER_HOST: daemon.url, SAFE_DOCKER_LANES_MUTATE_MAX_CONCURRENT: '1' });
			mkdirSync(home, { recursive: true, mode: 0o700 });
			const open = {
				state: 'open',
				consecutiveFailures: 5,
				openedAt: Date.now() - 60_000,
				nextProbeAt: 0,
				lastFailure: 'test',
				transitions: 1,
			};
			writeFileSync(join(home, 'stats.json'), JSON.stringify({ breakers: { [daemon.url]: open } }));
			// The broker runs already (started by a call to another daemon), so that the probe's ping starts at once.
			expect((await runCli(['version'], { env: { ...env, DOCKER_HOST: 'unix:///var/run/docker.sock' } })).exitCode).toBe(0);
			const probe = launch(['run', '-d', 'probe'], env);
			for (let waited = 0; daemon.pings() === 0; waited += 20) {
				expect(waited).toBeLessThan(5000);
				await new Promise(resolve => setTimeout(resolve, 20));
			}
			probe.child.kill('SIGKILL'); // while the broker pings for it
			await probe.exited;
			// The ping answers: the probe (its client gone) closes the breaker.
			for (let waited = 0; (await breakerState(env, daemon.url)) !== 'closed'; waited += 100) {
				expect(waited).toBeLessThan(5000);
				await new Promise(resolve => setTimeout(resolve, 100));
			}
			const started = Date.now();
			const next = await runCli(['run', '-d', 'next'], { env, timeout: 10_000 });
			expect(next.exitCode).toBe(0);
			expect(Date.now() - started).toBeLessThan(3000);
			expect(runs(log).map(run => run.args)).toEqual(['version', 'run -d next']);
			expect(existsSync(join(home, 'broker.log'))).toBe(true);
		} finally {
			daemon.close();
		}
	});
});
