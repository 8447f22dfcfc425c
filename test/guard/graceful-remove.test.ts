import { describe, expect, it } from 'vitest';
import type { DockerClient, DockerResult } from '../../src/docker/client.js';
import { describeOutcome, removeGracefully } from '../../src/guard/graceful-remove.js';

/** A docker that answers from a script and records the calls. */
function scriptedDocker(answer: (args: readonly string[]) => Partial<DockerResult>): DockerClient & { calls: string[][] } {
	const calls: string[][] = [];
	const client = (async (args: readonly string[]) => {
		calls.push([...args]);
		return { exitCode: 0, stdout: '', stderr: '', ...answer(args) };
	}) as DockerClient & { calls: string[][] };
	client.calls = calls;
	return client;
}

describe('removeGracefully', () => {
	it('reports a failed stop and goes on with the others, never using force', async () => {
		const docker = scriptedDocker(args => {
			const name = args.at(-1);
			if (args[1] === 'inspect' && args[3] === '{{.State.Status}}')
				return name === 'gone' ? { exitCode: 1, stderr: 'Error: No such object: gone' } : { stdout: 'running\n' };
			if (args[1] === 'stop' && name === 'stuck')
				return { exitCode: 1, stderr: 'Error response from daemon: cannot stop container: stuck: permission denied\n' };
			if (args[1] === 'inspect') return { stdout: 'false 143\n' };
			return {};
		});
		const outcomes = await removeGracefully(['stuck', 'gone', 'web'], { timeSeconds: 7, volumes: true, now: () => 0 }, docker);
		expect(outcomes).toEqual([
			{
				name: 'stuck',
				status: 'failed',
				step: 'stop',
				detail: 'Error response from daemon: cannot stop container: stuck: permission denied',
			},
			{ name: 'gone', status: 'missing' },
			{ name: 'web', status: 'removed', wasRunning: true, stoppedInMs: 0, exitCode: 143 },
		]);
		expect(docker.calls).toContainEqual(['container', 'stop', '--time', '7', 'web']);
		expect(docker.calls).toContainEqual(['container', 'rm', '--volumes', 'web']);
		expect(docker.calls.flat()).not.toContain('--force');
		expect(docker.calls.flat()).not.toContain('-f');
	});

	it('fails a container that is still running after stop, without removing it', async () => {
		const docker = scriptedDocker(args =>
			args[3] === '{{.State.Status}}' ? { stdout: 'running' } : args[1] === 'inspect' ? { stdout: 'true 0' } : {},
		);
		const [outcome] = await removeGracefully(['web'], { timeSeconds: 0, volumes: false }, docker);
		expect(outcome).toEqual({ name: 'web', status: 'failed', step: 'verify', detail: 'still running after stop' });
		expect(docker.calls.some(args => args[1] === 'rm')).toBe(false);
	}, 20_000);
});

describe('describeOutcome', () => {
	it('says that exit code 137 means killed with SIGKILL after the stop timeout, not a graceful stop', () => {
		expect(describeOutcome({ name: 'web', status: 'removed', wasRunning: true, stoppedInMs: 10_800, exitCode: 137 })).toBe(
			'web: removed (did not stop on SIGTERM: killed with SIGKILL when the stop timeout ran out, after 10.8 s, exit code 137)',
		);
		expect(describeOutcome({ name: 'web', status: 'removed', wasRunning: true, stoppedInMs: 300, exitCode: 0 })).toBe(
			'web: removed (stopped gracefully in 0.3 s, exit code 0)',
		);
	});
});

describe('progress while a container stops', () => {
	it('is shown and redrawn while stop runs, then cleared', async () => {
		const shown: string[] = [];
		let cleared = 0;
		const docker = scriptedDocker(args =>
			args[3] === '{{.State.Status}}' ? { stdout: 'running' } : args[1] === 'inspect' ? { stdout: 'false 0' } : {},
		);
		const slowStop: DockerClient = async args => {
			if (args[1] === 'stop') await new Promise(resolve => setTimeout(resolve, 120));
			return docker(args);
		};
		const [outcome] = await removeGracefully(
			['web'],
			{ timeSeconds: 10, volumes: false, tickMs: 20, progress: { show: text => shown.push(text), clear: () => cleared++ } },
			slowStop,
		);
		expect(outcome).toEqual(expect.objectContaining({ status: 'removed' }));
		expect(shown.length).toBeGreaterThanOrEqual(2);
		expect(shown[0]).toBe('safe-docker: stopping web: SIGTERM sent 0 s ago; SIGKILL at 10 s');
		expect(cleared).toBe(1);
	});
});
