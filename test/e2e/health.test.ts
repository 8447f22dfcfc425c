// guard health against the real engine, an absent daemon, a wedged one, and a failing measurement.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { isolatedEnv, ROOT, runCli, tempDir } from '../fixtures/cli.js';
import { requireEngine } from '../fixtures/engine.js';

const engine = await requireEngine();
const hasScript = (await execa('sh', ['-c', 'command -v script'], { reject: false })).exitCode === 0;
const volume = `sd-health-${randomUUID().slice(0, 8)}`;
const servers: Server[] = [];
const budgets = {
	SAFE_DOCKER_HEALTH_DISK_BUDGET_BYTES: '1000000000000000',
	SAFE_DOCKER_HEALTH_MAX_CONTAINERS: '1000000',
	SAFE_DOCKER_HEALTH_MAX_NETWORKS: '100000',
	SAFE_DOCKER_HEALTH_MAX_VOLUMES: '1000000',
};

afterAll(async () => {
	for (const server of servers) server.close();
	await execa('docker', ['volume', 'rm', volume], { reject: false });
});

describe('guard health without a daemon', () => {
	it('an absent daemon: UNREACHABLE, exit 5, at once', async () => {
		// A ping deadline far above a CLI's start on a loaded machine: "at once" is then "well before it".
		const started = Date.now();
		const result = await runCli(['guard', 'health'], {
			env: isolatedEnv({ DOCKER_HOST: `unix://${join(tempDir(), 'absent.sock')}`, SAFE_DOCKER_HEALTH_PING_TIMEOUT_MS: '20000' }),
		});
		expect(result.exitCode).toBe(5);
		expect(result.stdout).toMatch(
			/^daemon {2}UNREACHABLE at unix:\/\/\S+absent\.sock: unix:\/\/\S+: ENOENT; breaker: no broker running\noverall UNREACHABLE\n$/,
		);
		expect(Date.now() - started).toBeLessThan(10_000); // not the 20 s deadline
	});

	it('a wedged daemon that accepts but never answers: UNREACHABLE within the ping deadline (docker itself would hang)', async () => {
		const socket = join(tempDir(), 'wedged.sock');
		const server = createServer(() => undefined);
		servers.push(server);
		await new Promise<void>(resolve => server.listen(socket, resolve));
		const started = Date.now();
		const result = await runCli(['health', '--json'], {
			env: isolatedEnv({ DOCKER_HOST: `unix://${socket}`, SAFE_DOCKER_HEALTH_PING_TIMEOUT_MS: '3000' }),
		});
		expect(result.exitCode).toBe(5);
		expect(JSON.parse(result.stdout).daemon.problem).toBe(`no answer from unix://${socket} within 3000 ms`);
		// One deadline, not two in a row: under two, with a CLI's start on a loaded machine (up to a deadline) included.
		expect(Date.now() - started).toBeLessThan(2 * 3000);
	});
});

describe.skipIf(!engine)('guard health on the real engine', () => {
	it('with generous budgets: every resource measured, SAFE, exit 0', async () => {
		const result = await runCli(['guard', 'health', '--json'], { env: isolatedEnv(budgets) });
		expect(result.exitCode).toBe(0);
		const report = JSON.parse(result.stdout);
		expect(report.daemon).toEqual(expect.objectContaining({ reachable: true, serverVersion: expect.stringMatching(/^\d+\.\d+/) }));
		expect(report.daemon.latencyMs).toBeLessThan(1000);
		expect(
			report.measurements
				.filter((m: { partOf?: string }) => m.partOf === undefined)
				.map((m: { name: string; level: string }) => [m.name, m.level]),
		).toEqual([
			['disk used by docker', 'SAFE'],
			['data root file system', expect.stringMatching(/SAFE|WARNING|CRITICAL|EMERGENCY/)],
			['containers', 'SAFE'],
			['memory of running containers', 'SAFE'],
			['networks', 'SAFE'],
			['volumes', 'SAFE'],
		]);
		expect(report.level).toBe(
			report.measurements.find((m: { name: string }) => m.name === 'data root file system').level === 'SAFE' ? 'SAFE' : report.level,
		);
	});

	it('a limit the engine is past: EMERGENCY, exit 4', async () => {
		await execa('docker', ['volume', 'create', volume]);
		const result = await runCli(['guard', 'health', '--json'], { env: isolatedEnv({ ...budgets, SAFE_DOCKER_HEALTH_MAX_VOLUMES: '1' }) });
		expect(result.exitCode).toBe(4);
		const volumes = JSON.parse(result.stdout).measurements.find((m: { name: string }) => m.name === 'volumes');
		expect(volumes.level).toBe('EMERGENCY');
		expect(volumes.value).toBeGreaterThanOrEqual(1);
	});

	it('a measurement made to fail is UNKNOWN, not SAFE: exit 2', async () => {
		const fake = join(ROOT, 'test', 'fixtures', 'health', 'docker');
		const real = (await execa('sh', ['-c', 'command -v docker'])).stdout.trim();
		const result = await runCli(['guard', 'health'], { env: isolatedEnv({ ...budgets, SAFE_DOCKER_DOCKER: fake, REAL_DOCKER: real }) });
		expect(result.exitCode).toBe(2);
		expect(result.stdout).toMatch(
			/^disk used by docker +- +- +- +UNKNOWN +docker system df failed: Error response from daemon: simulated failure of system df$/m,
		);
	});

	it('--watch without a terminal prints one line per interval and stops cleanly', async () => {
		const child = execa(process.execPath, [join(ROOT, 'bin', 'safe-docker.js'), 'guard', 'health', '--watch', '0.5'], {
			env: isolatedEnv(budgets),
			extendEnv: false,
			reject: false,
			buffer: true,
		});
		let printed = '';
		child.stdout!.on('data', chunk => (printed += String(chunk)));
		for (let i = 0; i < 300 && printed.split('\n').length < 3; i++) await new Promise(resolve => setTimeout(resolve, 50));
		child.kill('SIGINT');
		const result = await child;
		expect(result.exitCode).toBe(0);
		const lines = String(result.stdout).trim().split('\n');
		expect(lines.length).toBeGreaterThanOrEqual(2);
		for (const line of lines) expect(line).toMatch(/^\S+Z (SAFE|WARNING|CRITICAL|EMERGENCY|UNKNOWN) ping=[\d.]+ms disk=/);
	});

	it.skipIf(!hasScript)('--watch on a terminal redraws in place, coloured, and Ctrl-C ends it with 0', async () => {
		// script(1) gives the CLI a pseudo-terminal; SIGINT reaches it as a Ctrl-C would.
		const command = `${process.execPath} ${join(ROOT, 'bin', 'safe-docker.js')} guard health --watch 0.5`;
		const child = execa('script', ['-qfec', command, '/dev/null'], { env: isolatedEnv(budgets), extendEnv: false, reject: false });
		let printed = '';
		child.stdout!.on('data', chunk => (printed += String(chunk)));
		for (let i = 0; i < 300 && printed.split('\u001B[H\u001B[2J').length < 3; i++) await new Promise(resolve => setTimeout(resolve, 50));
		const started = Date.now();
		child.kill('SIGINT');
		const result = await child;
		expect(Date.now() - started).toBeLessThan(3000);
		expect(result.exitCode).toBe(0);
		const frames = printed.split('\u001B[H\u001B[2J').slice(1);
		expect(frames.length).toBeGreaterThanOrEqual(2);
		expect(frames[0]).toMatch(
			// biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's colour escapes are what is checked
			/^daemon {2}reachable at .*\r?\n[\s\S]*overall \u001B\[\d+m(SAFE|WARNING|CRITICAL|EMERGENCY|UNKNOWN)\u001B\[39m\r?\n\(every 0\.5 s; Ctrl-C to stop\)/,
		);
	});

	it('cleanup --if-above runs only at or above the disk threshold', async () => {
		const env = isolatedEnv({ ...budgets, SAFE_DOCKER_HOME: join(tempDir(), 'state') });
		const skipped = await runCli(['guard', 'cleanup', '--if-above', '50', '--label', 'sd-health-none'], { env });
		expect(skipped.exitCode).toBe(0);
		expect(skipped.stdout).toMatch(/^disk use 0\.0 % is below 50 %: nothing to do\n$/);
		const ran = await runCli(['guard', 'cleanup', '--if-above', '0', '--label', 'sd-health-none', '--dry-run'], { env });
		expect(ran.stdout).toMatch(/^cleanup plan \(dry run, nothing removed\): nothing to remove\n/);
		const unmeasurable = await runCli(['guard', 'cleanup', '--if-above', '10'], {
			env: { ...env, DOCKER_HOST: `unix://${join(tempDir(), 'absent.sock')}` },
		});
		expect(unmeasurable.exitCode).toBe(2);
		expect(unmeasurable.stderr).toMatch(/^safe-docker: cannot tell docker's disk use \(unix:\/\/\S+: ENOENT\); not cleaning on a guess\n$/);
	});
});
