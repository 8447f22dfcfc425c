// Graceful removal against the real engine: `guard remove` and the rewrite policy for `rm -f`.
import { randomUUID } from 'node:crypto';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { isolatedEnv, runCli, tempDir } from '../fixtures/cli.js';
import { requireEngine, TEST_IMAGE } from '../fixtures/engine.js';

const engine = await requireEngine();
const id = randomUUID().slice(0, 8);
const containers: string[] = [];
const volumes: string[] = [];
const env = () => isolatedEnv({ SAFE_DOCKER_HOME: `${tempDir()}/state` });

/** A container that, on SIGTERM, writes "TERM" into its volume and exits 0 — proof that it was stopped gracefully. */
async function startGraceful(name: string, volume: string): Promise<void> {
	containers.push(name);
	volumes.push(volume);
	await execa('docker', [
		'run',
		'-d',
		'--name',
		name,
		'--network',
		'none',
		'-v',
		`${volume}:/data`,
		TEST_IMAGE,
		'sh',
		'-c',
		'trap "echo TERM > /data/signal; exit 0" TERM; touch /tmp/trapped; while true; do sleep 0.1; done',
	]);
	// Started is not trapping yet: a SIGTERM before the trap is set is ignored by PID 1, and docker stop then kills it
	// after the timeout. On a busy machine the shell can take a while to get there.
	for (let i = 0; i < 100; i++) {
		if ((await execa('docker', ['exec', name, 'test', '-e', '/tmp/trapped'], { reject: false })).exitCode === 0) return;
		await new Promise(resolve => setTimeout(resolve, 100));
	}
	throw new Error(`${name} never set its TERM trap`);
}

const exists = async (name: string) => (await execa('docker', ['container', 'inspect', name], { reject: false })).exitCode === 0;
const signalSeen = async (volume: string) =>
	(
		await execa('docker', ['run', '--rm', '--network', 'none', '-v', `${volume}:/data`, TEST_IMAGE, 'cat', '/data/signal'], {
			reject: false,
		})
	).stdout.trim();

describe.skipIf(!engine)('graceful removal on the real engine', () => {
	afterAll(async () => {
		if (containers.length > 0) await execa('docker', ['container', 'rm', '--force', ...containers], { reject: false });
		if (volumes.length > 0) await execa('docker', ['volume', 'rm', ...volumes], { reject: false });
	});

	it('guard remove: running, stopped and missing containers in one call', async () => {
		const running = `sd-running-${id}`;
		const stopped = `sd-stopped-${id}`;
		const missing = `sd-missing-${id}`;
		await startGraceful(running, `sd-vol-running-${id}`);
		containers.push(stopped);
		await execa('docker', ['run', '--name', stopped, '--network', 'none', TEST_IMAGE, 'true']);

		const result = await runCli(['guard', 'remove', '--time', '5', running, missing, stopped], { env: env() });
		expect(result.stderr).toBe('');
		const lines = result.stdout.trim().split('\n');
		expect(lines[0]).toMatch(new RegExp(`^${running}: removed \\(stopped gracefully in \\d+\\.\\d s, exit code 0\\)$`));
		expect(lines[1]).toBe(`${missing}: no such container, nothing to remove`);
		expect(lines[2]).toBe(`${stopped}: removed (was not running)`);
		expect(result.exitCode).toBe(0);
		expect(await exists(running)).toBe(false);
		expect(await exists(stopped)).toBe(false);
		expect(await signalSeen(`sd-vol-running-${id}`)).toBe('TERM');
	});

	it('guard remove --json gives the outcomes as data', async () => {
		const name = `sd-json-${id}`;
		containers.push(name);
		await execa('docker', ['create', '--name', name, '--network', 'none', TEST_IMAGE, 'true']);
		const result = await runCli(['guard', 'remove', '--json', name], { env: env() });
		expect(JSON.parse(result.stdout)).toEqual([{ name, status: 'removed', wasRunning: false, stoppedInMs: null, exitCode: null }]);
	});

	it('guard remove: a container that ignores SIGTERM is said to be killed after the timeout (137), not stopped gracefully', async () => {
		const name = `sd-stubborn-${id}`;
		containers.push(name);
		// PID 1 without a TERM handler ignores SIGTERM: docker stop sends SIGKILL after --time.
		await execa('docker', ['run', '-d', '--name', name, '--network', 'none', TEST_IMAGE, 'sh', '-c', 'while true; do sleep 0.1; done']);
		const result = await runCli(['guard', 'remove', '--time', '1', name], { env: env() });
		expect(result.stdout).toMatch(
			new RegExp(
				`^${name}: removed \\(did not stop on SIGTERM: killed with SIGKILL when the stop timeout ran out, after \\d+\\.\\d s, exit code 137\\)\n$`,
			),
		);
	});

	it('force.policy rewrite: `rm -f` stops the container gracefully (it sees SIGTERM), then removes it', async () => {
		const name = `sd-rewrite-${id}`;
		const volume = `sd-vol-rewrite-${id}`;
		await startGraceful(name, volume);
		const result = await runCli(['rm', '-f', name], {
			env: { ...env(), SAFE_DOCKER_FORCE_POLICY: 'rewrite', SAFE_DOCKER_REMOVE_STOP_TIMEOUT_SECONDS: '5' },
		});
		expect(result.exitCode).toBe(0);
		expect(result.stdout).toBe(`${name}\n`);
		expect(result.stderr).toBe(
			`safe-docker: \`docker rm -f ${name}\` rewritten as a graceful stop (SIGTERM, 5 s) and rm (force.policy = rewrite)\n`,
		);
		expect(await exists(name)).toBe(false);
		expect(await signalSeen(volume)).toBe('TERM');
	});

	it('force.policy rewrite: a missing container is fine, as with rm -f; other forced commands are still rejected', async () => {
		const rewriteEnv = { ...env(), SAFE_DOCKER_FORCE_POLICY: 'rewrite' };
		const missing = await runCli(['rm', '-f', `sd-nothing-${id}`], { env: rewriteEnv });
		const docker = await execa('docker', ['rm', '-f', `sd-nothing-${id}`], { reject: false });
		expect(missing.exitCode).toBe(docker.exitCode);
		expect(missing.stdout).toBe('');
		// docker's own "No such container" line is kept, after the line saying it was rewritten.
		expect(missing.stderr.split('\n').slice(1).join('\n')).toBe(`${docker.stderr}\n`);
		const prune = await runCli(['system', 'prune', '-af'], { env: rewriteEnv });
		expect(prune.exitCode).toBe(77);
		expect(prune.stderr).toContain('instead: safe-docker cleanup --dry-run --images');
	});
});
