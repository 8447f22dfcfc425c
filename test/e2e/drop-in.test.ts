// safe-docker as a drop-in: what the shell and scripts see is what they would see with docker.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BIN, FAKE_DOCKER, isolatedEnv, runCli, tempDir } from '../fixtures/cli.js';
import { refusingSocket } from '../fixtures/sockets.js';

/** The state letter of /proc/<pid>/stat: T when stopped. */
const stateOf = (pid: number) => {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	return stat[stat.lastIndexOf(')') + 2];
};

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!check()) {
		if (Date.now() > deadline) throw new Error('timed out');
		await sleep(20);
	}
}

/**
 * safe-docker running the fake docker as a background job of a bash with job control (`set -m`), which stays
 * until the job ends: what an interactive shell sees, without a terminal. `trap`: docker keeps running on SIGTSTP.
 */
async function job(trap: boolean) {
	const dir = tempDir();
	const ready = join(dir, 'ready');
	const env = isolatedEnv({
		SAFE_DOCKER_DOCKER: FAKE_DOCKER,
		SAFE_DOCKER_HOME: join(dir, 'state'),
		SAFE_DOCKER_RETRY_RETRIES: '0',
		FAKE_DOCKER_READY: ready,
		// Long enough that the job is still there to be stopped and looked at when this test's process stalls for
		// seconds on a loaded machine (it timed out once at load 31 with 2.5 s).
		FAKE_DOCKER_SLEEP_MS: '6000',
		...(trap ? { FAKE_DOCKER_TRAP_TSTP: '1' } : {}),
	});
	const script = `set -m; '${process.execPath}' '${BIN}' logs web & echo $! > '${dir}/pid'; while kill -0 $! 2>/dev/null; do sleep 0.05; done`;
	const shell = spawn('bash', ['-c', script], { env, stdio: ['ignore', 'ignore', 'pipe'] });
	let said = '';
	shell.stderr.on('data', chunk => {
		said += chunk;
	});
	const exited = new Promise<string>(resolve => shell.on('exit', () => resolve(said)));
	await until(() => existsSync(ready));
	return { pid: Number(readFileSync(join(dir, 'pid'), 'utf8')), docker: Number(readFileSync(ready, 'utf8')), exited, said: () => said };
}

describe('job control (Ctrl-Z: SIGTSTP to the foreground process group)', () => {
	it('docker keeps running (it caught SIGTSTP, as `docker run` does): safe-docker keeps running too', async () => {
		const { pid, docker, exited } = await job(true);
		process.kill(-pid, 'SIGTSTP');
		await sleep(600);
		expect(stateOf(docker)).not.toBe('T');
		expect(stateOf(pid)).not.toBe('T');
		expect(await exited).not.toMatch(/Stopped/);
	});

	it('docker stops itself: safe-docker stops too, so the shell sees the job stopped; fg (SIGCONT) resumes both', async () => {
		const { pid, docker, exited, said } = await job(false);
		process.kill(-pid, 'SIGTSTP');
		await until(() => stateOf(docker) === 'T' && stateOf(pid) === 'T');
		await until(() => said().includes('Stopped'));
		process.kill(-pid, 'SIGCONT');
		await until(() => stateOf(pid) !== 'T');
		expect(await exited).toMatch(/Stopped[\s\S]*Done/);
	});
});

describe('the endpoint and calls that never reach the daemon, with the breaker of DOCKER_HOST open', () => {
	async function openBreaker() {
		const dir = tempDir();
		const env = isolatedEnv({
			SAFE_DOCKER_DOCKER: FAKE_DOCKER,
			SAFE_DOCKER_HOME: join(dir, 'state'),
			SAFE_DOCKER_RETRY_RETRIES: '0',
			SAFE_DOCKER_BREAKER_FAILURE_THRESHOLD: '1',
			SAFE_DOCKER_BREAKER_RECOVERY_TIMEOUT_MS: '600000',
			DOCKER_HOST: `unix://${join(dir, 'dead.sock')}`,
		});
		expect((await runCli(['ps'], { env: { ...env, FAKE_DOCKER_EXIT: '1' } })).exitCode).toBe(1);
		expect((await runCli(['ps'], { env })).exitCode).toBe(69);
		return { dir, env };
	}

	it("-H, --host and --context name the endpoint: a live one answers while DOCKER_HOST's breaker is open", async () => {
		const { dir, env } = await openBreaker();
		const live = `unix://${join(dir, 'live.sock')}`;
		refusingSocket(join(dir, 'live.sock')); // a different endpoint: its own (closed) breaker
		// A context `live` in docker's config dir, as `docker context create live --docker host=…` writes it.
		const meta = join(env['HOME']!, '.docker', 'contexts', 'meta', createHash('sha256').update('live').digest('hex'));
		mkdirSync(meta, { recursive: true });
		writeFileSync(join(meta, 'meta.json'), JSON.stringify({ Name: 'live', Endpoints: { docker: { Host: live } } }));
		for (const args of [
			['-H', live, 'ps'],
			[`--host=${live}`, 'ps'],
			['--context', 'live', 'ps'],
		]) {
			const result = await runCli(args, { env });
			expect(result.exitCode, args.join(' ')).toBe(0);
		}
		// --context default with DOCKER_HOST set is DOCKER_HOST again: still open.
		expect((await runCli(['--context', 'default', 'ps'], { env })).exitCode).toBe(69);
	});

	it.each([
		[['--help']],
		[['ps', '--help']],
		[['login', '--help']],
		[['version', '--format', '{{.Client.Version}}']],
		[['context', 'ls']],
		[['--version']],
		[['ps', '--no-such-flag']],
	])('%j runs at once', async args => {
		const { env } = await openBreaker();
		const started = Date.now();
		const result = await runCli(args, { env: { ...env, FAKE_DOCKER_PRINT_ARGV: '1' } });
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toBe(`${JSON.stringify(args)}\n`);
		expect(result.stderr).toBe('');
		expect(Date.now() - started).toBeLessThan(5000);
	});
});
