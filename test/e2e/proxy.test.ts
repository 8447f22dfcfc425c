import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { BIN, FAKE_BIN_DIR, FAKE_DOCKER, isolatedEnv, pathWithFakeDocker, runCli, tempDir } from '../fixtures/cli.js';

// No retries: these tests are about exit codes, whether or not an engine answers the daemon check.
const fakeEnv = (extra: Record<string, string> = {}) =>
	isolatedEnv({ SAFE_DOCKER_DOCKER: FAKE_DOCKER, SAFE_DOCKER_RETRY_RETRIES: '0', ...extra });

async function waitFor(file: string, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!existsSync(file)) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${file}`);
		await sleep(20);
	}
}

const readLog = (file: string) =>
	readFileSync(file, 'utf8')
		.trim()
		.split('\n')
		.map(line => JSON.parse(line));

describe('argv fidelity', () => {
	it('docker receives exactly what was typed, as an argv array', async () => {
		const args = [
			'run',
			'--rm',
			'with space',
			"it's",
			'"double"',
			'$(rm -rf /)',
			'`id`',
			'*',
			'?',
			'~',
			'$HOME',
			'a;b',
			'a|b',
			'>x',
			'line1\nline2',
			'tab\there',
			'ünïcödé ✓ 容器',
			'',
			' ',
			'--',
			'-f',
			'\\',
			'%PATH%',
			'x'.repeat(100_000),
		];
		const result = await runCli(args, { env: fakeEnv({ FAKE_DOCKER_PRINT_ARGV: '1' }) });
		expect(result.exitCode).toBe(0);
		expect(JSON.parse(result.stdout)).toEqual(args);
		expect(result.stderr).toBe('');
	});

	it('passes an empty argv through', async () => {
		const result = await runCli([], { env: fakeEnv({ FAKE_DOCKER_PRINT_ARGV: '1' }) });
		expect(JSON.parse(result.stdout)).toEqual([]);
	});

	it('pipes stdin through to docker', async () => {
		const result = await runCli(['load'], { env: fakeEnv({ FAKE_DOCKER_CAT: '1' }), input: 'image bytes\u0000\u00ff' });
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toBe('image bytes\u0000\u00ff');
	});
});

describe('exit codes', () => {
	it.each([0, 1, 2, 7, 125, 126, 127, 255])("exits with docker's code %i", async code => {
		const result = await runCli(['ps'], { env: fakeEnv({ FAKE_DOCKER_EXIT: String(code) }) });
		expect(result.exitCode).toBe(code);
	});

	it.each([
		['SIGKILL', 137],
		['SIGTERM', 143],
		['SIGSEGV', 139],
	])('exits 128+n when docker dies by %s', async (signal, code) => {
		const result = await runCli(['ps'], { env: fakeEnv({ FAKE_DOCKER_KILL_SELF: signal }) });
		expect(result.exitCode).toBe(code);
	});
});

describe('signals', () => {
	it.each([
		['SIGTERM', 143],
		['SIGINT', 130],
		['SIGHUP', 129],
	] as const)('forwards %s to docker once and waits for it', async (signal, code) => {
		const dir = tempDir();
		const ready = join(dir, 'ready');
		const log = join(dir, 'log');
		// detached: a new session with no controlling terminal, as in CI or under a process manager.
		const child = spawn(process.execPath, [BIN, 'run', 'img', 'sleep', '100'], {
			env: fakeEnv({ FAKE_DOCKER_READY: ready, FAKE_DOCKER_LOG: log, FAKE_DOCKER_SLEEP_MS: '30000', FAKE_DOCKER_ON_SIGNAL: 'exit-later' }),
			stdio: 'ignore',
			detached: true,
		});
		const exited = new Promise<number | null>(resolve => child.on('exit', resolve));
		await waitFor(ready);
		child.kill(signal);
		expect(await exited).toBe(code);
		expect(readLog(log)[0].signals).toEqual([signal]);
	});

	it("does not send the keyboard's Ctrl-C twice: the terminal already delivered it to docker", async () => {
		const dir = tempDir();
		const ready = join(dir, 'ready');
		const log = join(dir, 'log');
		const command = [process.execPath, BIN, 'compose', 'up'].map(word => `'${word}'`).join(' ');
		// script(1) gives the command a pseudo-terminal; ^C written to it becomes SIGINT for the foreground group.
		const child = spawn('script', ['-qfec', command, '/dev/null'], {
			env: fakeEnv({ FAKE_DOCKER_READY: ready, FAKE_DOCKER_LOG: log, FAKE_DOCKER_SLEEP_MS: '30000', FAKE_DOCKER_ON_SIGNAL: 'exit-later' }),
			stdio: ['pipe', 'pipe', 'pipe'],
		});
		const exited = new Promise<number | null>(resolve => child.on('exit', resolve));
		await waitFor(ready);
		child.stdin.write('\u0003');
		expect(await exited).toBe(130);
		expect(readLog(log)[0].signals).toEqual(['SIGINT']);
	});
});

describe('finding the real docker', () => {
	it('skips itself when installed as `docker` first on PATH', async () => {
		const shimDir = tempDir();
		symlinkSync(BIN, join(shimDir, 'docker'));
		const result = await runCli(['version'], {
			env: isolatedEnv({ PATH: `${shimDir}:${pathWithFakeDocker()}`, FAKE_DOCKER_PRINT_ARGV: '1' }),
		});
		expect(result.exitCode).toBe(0);
		expect(JSON.parse(result.stdout)).toEqual(['version']);
	});

	it('passes through a wrapper-script shim (`exec safe-docker "$@"`) to the next docker on PATH, guarded once, limited once', async () => {
		const shimDir = tempDir();
		writeFileSync(join(shimDir, 'docker'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`);
		chmodSync(join(shimDir, 'docker'), 0o755);
		const log = join(tempDir(), 'log');
		const env = isolatedEnv({ PATH: `${shimDir}:${pathWithFakeDocker()}`, FAKE_DOCKER_LOG: log, FAKE_DOCKER_PRINT_ARGV: '1' });
		const result = await runCli(['ps', '-a'], { env, timeout: 20_000 });
		expect(result).toEqual(expect.objectContaining({ exitCode: 0, stdout: '["ps","-a"]\n', stderr: '' }));
		expect(readLog(log).map(entry => entry.argv)).toEqual([['ps', '-a']]);
		// The outer safe-docker guards: a forced call never reaches the shim.
		const refused = await runCli(['rm', '-f', 'web'], { env, timeout: 20_000 });
		expect(refused.exitCode).toBe(77);
		expect(readLog(log)).toHaveLength(1);
		// One call, one slot: the inner pass-through never asks the broker.
		expect(JSON.parse((await runCli(['guard', 'stats', '--json'], { env })).stdout).totalCalls).toBe(1);
	});

	it('a chain of two wrapper shims still ends at the real docker', async () => {
		const [one, two] = [tempDir(), tempDir()];
		for (const dir of [one, two]) {
			writeFileSync(join(dir, 'docker'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`);
			chmodSync(join(dir, 'docker'), 0o755);
		}
		const env = isolatedEnv({ PATH: `${one}:${two}:${pathWithFakeDocker()}`, FAKE_DOCKER_PRINT_ARGV: '1' });
		const result = await runCli(['version'], { env, timeout: 20_000 });
		expect(result).toEqual(expect.objectContaining({ exitCode: 0, stdout: '["version"]\n' }));
	});

	it('no docker anywhere: one line, exit 127', async () => {
		const result = await runCli(['ps'], { env: isolatedEnv({ PATH: tempDir() }) });
		expect(result.exitCode).toBe(127);
		expect(result.stderr).toBe('safe-docker: cannot find the real docker on PATH; install docker or set SAFE_DOCKER_DOCKER to its path\n');
	});

	it('SAFE_DOCKER_DOCKER naming nothing: one line, exit 127', async () => {
		const result = await runCli(['ps'], { env: isolatedEnv({ SAFE_DOCKER_DOCKER: '/nonexistent/docker' }) });
		expect(result.exitCode).toBe(127);
		expect(result.stderr).toBe('safe-docker: env SAFE_DOCKER_DOCKER names /nonexistent/docker, which is not an executable file\n');
	});

	it('docker.path from the config file', async () => {
		const dir = tempDir();
		writeFileSync(join(dir, 'guard.config.json'), JSON.stringify({ docker: { path: FAKE_DOCKER } }));
		const result = await runCli(['info'], { cwd: dir, env: isolatedEnv({ PATH: '/usr/bin:/bin', FAKE_DOCKER_PRINT_ARGV: '1' }) });
		expect(JSON.parse(result.stdout)).toEqual(['info']);
	});
});

describe('--version', () => {
	it("is docker's alone; safe-docker's own version is `guard --version`", async () => {
		const { version } = JSON.parse(readFileSync(join(FAKE_BIN_DIR, '..', '..', '..', 'package.json'), 'utf8'));
		for (const flag of ['--version', '-v']) {
			const result = await runCli([flag], { env: fakeEnv({ FAKE_DOCKER_PRINT_ARGV: '1' }) });
			expect(result.exitCode).toBe(0);
			expect(result.stdout).toBe(`${JSON.stringify([flag])}\n`);
		}
		const own = await runCli(['guard', '--version'], { env: fakeEnv() });
		expect(own.stdout).toBe(`${version}\n`);
	});
});
