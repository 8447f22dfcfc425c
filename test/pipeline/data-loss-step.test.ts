import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAudit } from '../../src/audit/audit-log.js';
import { ensureStateDir } from '../../src/config/paths.js';
import { rememberApiVersion } from '../../src/docker/api-version.js';
import type { DockerClient } from '../../src/docker/client.js';
import { DataLossRejection, GuardRejection, StateDirError } from '../../src/errors.js';
import { dataLossStep } from '../../src/pipeline/data-loss-step.js';
import { guardStep } from '../../src/pipeline/guard-step.js';
import { tempDir } from '../fixtures/cli.js';
import { captureStream, fakeNext, makeCall } from '../fixtures/pipeline.js';

/** A docker that answers `docker version` with `version` (or fails), and records what it was asked. */
function fakeDocker(version: string | undefined) {
	const asked: string[][] = [];
	const docker: DockerClient = async args => {
		asked.push([...args]);
		return version === undefined
			? { exitCode: 1, stdout: '', stderr: 'Cannot connect' }
			: { exitCode: 0, stdout: `${version}\n`, stderr: '' };
	};
	return { docker, asked };
}

function setup(version?: string, stateDir = tempDir()) {
	const stderr = captureStream();
	let touched = 0;
	const { docker, asked } = fakeDocker(version);
	const step = dataLossStep({
		stateDir: () => {
			touched++;
			return ensureStateDir(stateDir);
		},
		cwd: '/work/project',
		stderr,
		docker,
	});
	return { step, stderr, stateDir, asked, touched: () => touched };
}

describe('dataLossStep', () => {
	it('passes a call that destroys no volume straight on, without I/O, minus the escape hatch variable', async () => {
		const { step, stderr, touched, asked } = setup('1.41');
		const call = makeCall(['compose', 'down'], { env: { SAFE_DOCKER_ALLOW_DATA_LOSS: 'x', PATH: '/bin' } });
		const { next, calls } = fakeNext({ exitCode: 4 });
		expect((await step.handle(call, next)).exitCode).toBe(4);
		expect(calls).toEqual([{ ...call, env: { PATH: '/bin' } }]);
		expect(stderr.text).toBe('');
		expect(touched()).toBe(0);
		expect(asked).toEqual([]);
	});

	it('refuses named loss: DataLossRejection, next never called, audited with class and volumes', async () => {
		const { step, stateDir } = setup();
		const { next, calls } = fakeNext();
		const error = await step.handle(makeCall(['volume', 'rm', 'pgdata', 'redis']), next).catch(caught => caught);
		expect(error).toBeInstanceOf(DataLossRejection);
		expect(error).toMatchObject({ lossClass: 'named', volumes: ['pgdata', 'redis'], alternative: 'safe-docker guard backup pgdata redis' });
		expect(calls).toEqual([]);
		expect(readAudit(stateDir)).toMatchObject([
			{ guard: 'data-loss', loss: 'named', decision: 'rejected', volumes: ['pgdata', 'redis'], policy: 'dataLoss.named = reject' },
		]);
	});

	it('asks docker for the API version only when the verdict depends on it, and caches it', async () => {
		const older = setup('1.41');
		await expect(older.step.handle(makeCall(['volume', 'prune']), fakeNext().next)).rejects.toBeInstanceOf(DataLossRejection);
		expect(older.asked).toEqual([['version', '--format', '{{.Client.APIVersion}}']]);
		// Cached for the endpoint: the next call does not ask again.
		await expect(older.step.handle(makeCall(['volume', 'prune']), fakeNext().next)).rejects.toBeInstanceOf(DataLossRejection);
		expect(older.asked).toHaveLength(1);

		const newer = setup('1.44');
		const { next, calls } = fakeNext();
		await newer.step.handle(makeCall(['volume', 'prune']), next);
		expect(calls).toHaveLength(1);
		expect(newer.stderr.text).toMatch(/^safe-docker: warning: `docker volume prune` destroys anonymous volumes; running it/);

		const pinned = setup('1.44');
		await expect(
			pinned.step.handle(makeCall(['volume', 'prune'], { env: { DOCKER_API_VERSION: '1.41' } }), fakeNext().next),
		).rejects.toMatchObject({
			risk: expect.stringMatching(/on API 1\.41 \(below 1\.42/),
		});
		expect(pinned.asked).toEqual([]);

		const equalPolicies = setup('1.44');
		await equalPolicies.step.handle(
			makeCall(['volume', 'prune'], {
				configure: config => {
					config.dataLoss.named = 'warn';
				},
			}),
			fakeNext().next,
		);
		expect(equalPolicies.asked).toEqual([]);
		expect(setup().asked).toEqual([]);
	});

	it('counts an unknown version as named, with the reason', async () => {
		const { step } = setup(undefined);
		await expect(step.handle(makeCall(['system', 'prune', '--volumes']), fakeNext().next)).rejects.toThrow(/refused/);
		const error = await step.handle(makeCall(['system', 'prune', '--volumes']), fakeNext().next).catch(caught => caught);
		expect(error.lines().join('\n')).toContain('unknown API version counts as named');
	});

	it('uses a cached negotiated version without asking', async () => {
		const stateDir = tempDir();
		rememberApiVersion(stateDir, 'unix:///var/run/docker.sock', '1.45');
		const { step, asked } = setup(undefined, stateDir);
		const { next, calls } = fakeNext();
		await step.handle(makeCall(['volume', 'prune']), next);
		expect(calls).toHaveLength(1);
		expect(asked).toEqual([]);
	});

	it('warns about anonymous loss, runs it, and audits it with the exit code', async () => {
		const { step, stderr, stateDir } = setup();
		const { next, calls } = fakeNext({ exitCode: 2 });
		await step.handle(makeCall(['compose', 'up', '-dV']), next);
		expect(calls).toHaveLength(1);
		expect(stderr.text).toContain('  instead: docker compose up -d   (keeps the anonymous volumes)\n');
		expect(readAudit(stateDir)).toMatchObject([{ decision: 'warned', loss: 'anonymous', flag: '-dV', exitCode: 2 }]);
	});

	it('beside the force guard: forced and lossy gets the stricter verdict and both reasons', async () => {
		const { step } = setup();
		const force = guardStep({ stateDir: () => tempDir(), cwd: '/w', stdout: captureStream(), stderr: captureStream() });
		const { next, calls } = fakeNext();
		const chain = (argv: string[]) => step.handle(makeCall(argv), call => force.handle(call, next));
		const both = await chain(['volume', 'rm', '-f', 'x']).catch(caught => caught);
		expect(both).toBeInstanceOf(DataLossRejection);
		expect(both.force).toBeInstanceOf(GuardRejection);
		const forced = await chain(['rm', '-fv', 'web']).catch(caught => caught);
		expect(forced).toBeInstanceOf(GuardRejection);
		expect(forced.lines()).toContain("  also: destroys anonymous volumes (-fv) — removes the containers' anonymous volumes");
		expect(calls).toEqual([]);
	});

	it('an unusable state directory: a lossy call that would run does not; a refusal is still a refusal', async () => {
		const file = join(tempDir(), 'not-a-dir');
		writeFileSync(file, '');
		const { step, stderr } = setup(undefined, join(file, 'state'));
		const { next, calls } = fakeNext();
		await expect(step.handle(makeCall(['rm', '-v', 'web']), next)).rejects.toBeInstanceOf(StateDirError);
		await expect(step.handle(makeCall(['volume', 'rm', 'x']), next)).rejects.toBeInstanceOf(DataLossRejection);
		expect(stderr.text).toMatch(/could not write the audit log/);
		expect(calls).toEqual([]);
	});
});
