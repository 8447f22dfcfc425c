import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readAudit } from '../../src/audit/audit-log.js';
import { ensureStateDir } from '../../src/config/paths.js';
import { GuardRejection, StateDirError } from '../../src/errors.js';
import { guardStep } from '../../src/pipeline/guard-step.js';
import { tempDir } from '../fixtures/cli.js';
import { captureStream, fakeNext, makeCall } from '../fixtures/pipeline.js';

function setup(stateDir = tempDir()) {
	const stdout = captureStream();
	const stderr = captureStream();
	let asked = 0;
	const step = guardStep({
		stateDir: () => {
			asked++;
			return ensureStateDir(stateDir);
		},
		cwd: '/work/project',
		stdout,
		stderr,
		now: () => 0,
	});
	return { step, stdout, stderr, stateDir, asked: () => asked };
}

describe('guardStep', () => {
	it('passes a call without force on unchanged, except for the escape hatch variable', async () => {
		const { step, stderr, asked } = setup();
		const call = makeCall(['ps', '-a'], { env: { SAFE_DOCKER_ALLOW_FORCE: 'why not', PATH: '/bin' } });
		const { next, calls } = fakeNext({ exitCode: 3 });
		const outcome = await step.handle(call, next);
		expect(calls).toEqual([{ ...call, env: { PATH: '/bin' } }]);
		expect(outcome.exitCode).toBe(3);
		expect(stderr.text).toBe('');
		expect(asked()).toBe(0); // a plain docker call never touches the state directory
	});

	it('rejects a forced call: throws GuardRejection, never calls next, writes the audit entry', async () => {
		const { step, stateDir, stdout } = setup();
		const { next, calls } = fakeNext();
		const error = await step.handle(makeCall(['rm', '-f', 'web']), next).catch(caught => caught);
		expect(error).toBeInstanceOf(GuardRejection);
		expect(error).toMatchObject({ command: 'container rm', flag: '-f', call: 'docker rm -f web', exitCode: 77 });
		expect(calls).toEqual([]);
		expect(stdout.text).toBe('');
		expect(readAudit(stateDir)).toMatchObject([
			{
				cwd: '/work/project',
				argv: ['rm', '-f', 'web'],
				command: 'container rm',
				flag: '-f',
				decision: 'rejected',
				policy: 'reject',
				exitCode: 77,
			},
		]);
	});

	it('still rejects when the audit entry cannot be written, saying so on stderr', async () => {
		const file = join(tempDir(), 'not-a-dir');
		writeFileSync(file, '');
		const { step, stderr } = setup(join(file, 'state'));
		const { next, calls } = fakeNext();
		await expect(step.handle(makeCall(['rm', '-f', 'web']), next)).rejects.toBeInstanceOf(GuardRejection);
		expect(calls).toEqual([]);
		expect(stderr.text).toMatch(/^safe-docker: could not write the audit log: state directory .* cannot create it \(ENOTDIR\)/);
	});

	it('warn: explains on stderr, runs the call, audits it with its exit code', async () => {
		const { step, stderr, stateDir } = setup();
		const call = makeCall(['rm', '-f', 'web'], {
			configure: config => {
				config.force.policy = 'warn';
			},
		});
		const { next, calls } = fakeNext({ exitCode: 0 });
		const outcome = await step.handle(call, next);
		expect(outcome.exitCode).toBe(0);
		expect(calls).toEqual([call]);
		expect(stderr.text).toMatch(/^safe-docker: warning: `docker rm -f web` uses -f \(--force\) on container rm; running it anyway/);
		expect(stderr.text.trimEnd().split('\n').length).toBeGreaterThan(1); // the risk and the alternative follow
		expect(readAudit(stateDir)).toMatchObject([{ decision: 'warned', policy: 'warn', exitCode: 0 }]);
	});

	it('the escape hatch runs the call once, without passing the variable on, audited with its reason', async () => {
		const { step, stderr, stateDir } = setup();
		const call = makeCall(['rm', '-f', 'web'], { env: { SAFE_DOCKER_ALLOW_FORCE: ' stuck container ', HOME: '/h' } });
		const { next, calls } = fakeNext({ exitCode: 1 });
		const outcome = await step.handle(call, next);
		expect(outcome.exitCode).toBe(1);
		expect(calls).toHaveLength(1);
		expect(calls[0]!.env).toEqual({ HOME: '/h' });
		expect(stderr.text).toBe('safe-docker: force allowed once by SAFE_DOCKER_ALLOW_FORCE (reason: stuck container); this is audited\n');
		expect(readAudit(stateDir)).toMatchObject([{ decision: 'escape-hatch', reason: 'stuck container', exitCode: 1 }]);
	});

	it('allowed by config: runs the call and audits it', async () => {
		const { step, stateDir, stderr } = setup();
		const call = makeCall(['network', 'rm', '-f', 'net1'], {
			configure: config => {
				config.force.allow = ['network rm'];
			},
		});
		const { next, calls } = fakeNext();
		await step.handle(call, next);
		expect(calls).toHaveLength(1);
		expect(stderr.text).toBe('');
		expect(readAudit(stateDir)).toMatchObject([{ decision: 'allowed-by-config', command: 'network rm' }]);
	});

	it('a forced call whose state directory is unusable stops before next', async () => {
		const file = join(tempDir(), 'not-a-dir');
		writeFileSync(file, '');
		const { step } = setup(join(file, 'state'));
		const call = makeCall(['rm', '-f', 'web'], { env: { SAFE_DOCKER_ALLOW_FORCE: 'reason' } });
		const { next, calls } = fakeNext();
		await expect(step.handle(call, next)).rejects.toBeInstanceOf(StateDirError);
		expect(calls).toEqual([]);
	});
});
