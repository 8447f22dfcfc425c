import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirs } from '../../src/system/make-dirs.js';
import { tempDir } from '../fixtures/cli.js';

describe('makeDirs', () => {
	it('creates missing parents with the mode, and leaves an existing directory alone', () => {
		const path = join(tempDir(), 'a', 'b', 'c');
		makeDirs(path, 0o700);
		makeDirs(path, 0o700);
		expect(statSync(path).isDirectory()).toBe(true);
		expect(statSync(join(path, '..', '..')).mode & 0o777).toBe(0o700);
	});

	it("throws once where mkdir fails, where Node's recursive mkdir loops forever (/proc)", () => {
		expect(() => makeDirs('/proc/x/y', 0o700)).toThrow(/ENOENT/);
		const file = join(tempDir(), 'file');
		writeFileSync(file, '');
		expect(() => makeDirs(join(file, 'sub'), 0o700)).toThrow(/ENOTDIR|EEXIST/);
		expect(() => makeDirs(file, 0o700)).toThrow(/EEXIST/);
	});
});
