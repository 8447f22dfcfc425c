import { chmodSync, lchownSync, mkdirSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureStateDir } from '../../src/config/paths.js';
import { StateDirError } from '../../src/errors.js';
import { isolatedEnv, runCli, tempDir } from '../fixtures/cli.js';

const stateDirError = (path: string) => {
	try {
		ensureStateDir(path);
	} catch (error) {
		expect(error).toBeInstanceOf(StateDirError);
		return (error as StateDirError).message;
	}
	throw new Error(`ensureStateDir(${path}) did not fail`);
};

describe('the state directory', () => {
	it('a path mkdir cannot create (/proc/x) fails at once, one line', () => {
		const started = performance.now();
		expect(stateDirError('/proc/x/y')).toBe(
			'state directory /proc/x/y: cannot create it (ENOENT); set SAFE_DOCKER_HOME to a writable directory',
		);
		expect(performance.now() - started).toBeLessThan(5000); // not looping (Node's recursive mkdir does here); a loaded machine's stall allowed
	});

	it('a relative path is refused: it would be one state directory per working directory', () => {
		expect(stateDirError('state')).toMatch(/^state directory state: is a relative path, .*set SAFE_DOCKER_HOME to an absolute path$/);
	});

	it('a parent anyone may write to without the sticky bit is refused; with it, the directory is made 0700', () => {
		const open = join(tempDir(), 'open');
		mkdirSync(open);
		chmodSync(open, 0o777);
		expect(stateDirError(join(open, 'state'))).toMatch(/which anyone may write to \(no sticky bit\)/);
		chmodSync(open, 0o1777);
		expect(ensureStateDir(join(open, 'state'))).toBe(join(open, 'state'));
		expect(statSync(join(open, 'state')).mode & 0o777).toBe(0o700);
	});

	it.skipIf(process.getuid?.() !== 0)('a symlink planted by another user is refused, and its target is left alone', () => {
		const dir = tempDir();
		chmodSync(dir, 0o1777);
		const target = join(dir, 'target');
		mkdirSync(target, { mode: 0o755 });
		symlinkSync(target, join(dir, 'state'));
		lchownSync(join(dir, 'state'), 65534, 65534);
		expect(stateDirError(join(dir, 'state'))).toMatch(/is a symlink owned by uid 65534, not by you/);
		expect(statSync(target).mode & 0o777).toBe(0o755);
	});

	it('reaches the user as one line and exit 73 within a second of work, never a hang', async () => {
		for (const home of ['/proc/x', 'relative-state']) {
			const result = await runCli(['ps'], { env: isolatedEnv({ SAFE_DOCKER_HOME: home }), timeout: 10_000 });
			expect(result.exitCode).toBe(73);
			expect(result.stderr).toMatch(/^safe-docker: state directory [^\n]+\n$/);
		}
	});
});
