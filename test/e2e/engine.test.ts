// The proxy against the real Docker engine: exit codes, stdin, signals reaching the container, a TTY.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, isolatedEnv, runCli } from '../fixtures/cli.js';
import { requireEngine, TEST_IMAGE } from '../fixtures/engine.js';

const engine = await requireEngine();
const env = isolatedEnv();
const names: string[] = [];
const uniqueName = () => {
	const name = `safe-docker-test-${randomUUID().slice(0, 8)}`;
	names.push(name);
	return name;
};

async function containerState(name: string): Promise<{ running: boolean; exitCode: number } | undefined> {
	const result = await execa('docker', ['inspect', '--format', '{{.State.Running}} {{.State.ExitCode}}', name], { reject: false });
	if (result.exitCode !== 0) return undefined;
	const [running, exitCode] = result.stdout.trim().split(' ');
	return { running: running === 'true', exitCode: Number(exitCode) };
}

describe.skipIf(!engine)('against the real engine', () => {
	afterAll(async () => {
		if (names.length > 0) await execa('docker', ['rm', '--force', ...names], { reject: false });
	});

	it("returns the container's own exit code", async () => {
		const result = await runCli(['run', '--rm', '--network', 'none', TEST_IMAGE, 'sh', '-c', 'exit 7'], { env });
		expect(result.exitCode).toBe(7);
	});

	it("returns docker's codes for an unknown image (125), a missing command (127) and a non-executable one (126)", async () => {
		const missingImage = await runCli(['run', '--rm', '--pull', 'never', 'safe-docker-test/no-such-image:1', 'true'], { env });
		expect(missingImage.exitCode).toBe(125);
		expect(missingImage.stderr).toMatch(/No such image|Unable to find image/);
		const missingCommand = await runCli(['run', '--rm', '--network', 'none', TEST_IMAGE, '/no/such/command'], { env });
		expect(missingCommand.exitCode).toBe(127);
		const notExecutable = await runCli(['run', '--rm', '--network', 'none', TEST_IMAGE, '/etc'], { env });
		expect(notExecutable.exitCode).toBe(126);
	});

	it('pipes stdin into the container', async () => {
		const result = await runCli(['run', '-i', '--rm', '--network', 'none', TEST_IMAGE, 'cat'], { env, input: 'hi\n' });
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toBe('hi\n');
	});

	it('keeps stdout byte for byte: what docker prints is what the caller reads', async () => {
		const raw = await execa(
			'docker',
			['run', '--rm', '--network', 'none', TEST_IMAGE, 'sh', '-c', 'printf "a\\tb\\n\\033[31mred\\033[0m\\n"; echo err >&2'],
			{ reject: false, stripFinalNewline: false },
		);
		const proxied = await runCli(
			['run', '--rm', '--network', 'none', TEST_IMAGE, 'sh', '-c', 'printf "a\\tb\\n\\033[31mred\\033[0m\\n"; echo err >&2'],
			{ env },
		);
		expect(proxied.stdout).toBe(raw.stdout);
		expect(proxied.stderr).toBe(raw.stderr);
	});

	it("SIGTERM to safe-docker reaches the container, which stops; the exit code is docker's", async () => {
		const name = uniqueName();
		const child = spawn(
			process.execPath,
			[
				BIN,
				'run',
				'--name',
				name,
				'--network',
				'none',
				TEST_IMAGE,
				'sh',
				'-c',
				'trap "exit 42" TERM; touch /tmp/trapped; while true; do sleep 0.1; done',
			],
			{ env, stdio: 'ignore', detached: true },
		);
		const exited = new Promise<number | null>(resolve => child.on('exit', resolve));
		// Running is not enough: a SIGTERM before its trap is set is ignored by the container's PID 1 (on a busy machine
		// the shell can take a while to get there), and the call would then run on.
		const trapped = async () => (await execa('docker', ['exec', name, 'test', '-e', '/tmp/trapped'], { reject: false })).exitCode === 0;
		for (let i = 0; i < 100 && !(await trapped()); i++) await sleep(100);
		expect((await containerState(name))?.running).toBe(true);
		child.kill('SIGTERM');
		expect(await exited).toBe(42);
		expect(await containerState(name)).toEqual({ running: false, exitCode: 42 });
	});

	it('run -t sees a terminal under a pseudo-terminal', async () => {
		const command = [
			process.execPath,
			BIN,
			'run',
			'-t',
			'--rm',
			'--network',
			'none',
			TEST_IMAGE,
			'sh',
			'-c',
			'test -t 0 && test -t 1 && echo IS-A-TTY',
		]
			.map(word => `'${word}'`)
			.join(' ');
		const result = await execa('script', ['-qec', command, '/dev/null'], { env, reject: false, stdin: 'ignore' });
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toContain('IS-A-TTY');
	});

	it('docker load < image.tar streams stdin through', async () => {
		const tag = `safe-docker-test/reloaded:${randomUUID().slice(0, 8)}`;
		await execa('docker', ['tag', TEST_IMAGE, tag]);
		const saved = await execa('docker', ['save', tag], { encoding: 'buffer' });
		await execa('docker', ['rmi', tag]);
		const result = await runCli(['load'], { env, input: saved.stdout });
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toContain(tag);
		await execa('docker', ['rmi', tag]);
	});
});
