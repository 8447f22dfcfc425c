import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { TarCheck, TarCorrupt } from '../../src/backup/tar-check.js';
import { tempDir } from '../fixtures/cli.js';

const LONG = `${'deep/'.repeat(30)}a-file-whose-path-is-far-longer-than-one-hundred-bytes.txt`;

/** A tree with a long path, a symlink, an empty file and a file of 70,000 bytes, archived by GNU tar in `format`. */
async function archive(format: 'ustar' | 'pax' | 'gnu'): Promise<Buffer> {
	const dir = tempDir();
	mkdirSync(join(dir, 'v', LONG, '..'), { recursive: true });
	writeFileSync(join(dir, 'v', LONG), 'long');
	writeFileSync(join(dir, 'v', 'empty'), '');
	writeFileSync(join(dir, 'v', 'big'), Buffer.alloc(70_000, 7));
	symlinkSync('big', join(dir, 'v', 'link'));
	const file = join(dir, 'out.tar');
	await execa('tar', ['--format', format, '-cf', file, '-C', dir, 'v']);
	return readFileSync(file);
}

/** Feeds the archive in chunks of `size` bytes. */
function walk(bytes: Buffer, size: number, onEntry?: (name: string) => boolean) {
	const check = new TarCheck(onEntry);
	for (let i = 0; i < bytes.length; i += size) check.push(bytes.subarray(i, i + size));
	return check.summary();
}

describe('TarCheck', () => {
	it.each(['pax', 'gnu'] as const)('walks a %s archive in any chunking: entries, content bytes, the end marker', async format => {
		const bytes = await archive(format);
		const names: string[] = [];
		walk(bytes, bytes.length, name => names.push(name) > 0);
		expect(names).toContain(`v/${LONG}`);
		expect(names).toContain('v/link');
		for (const size of [1, 7, 511, 512, 513, 65_536, bytes.length]) {
			// v/, 30 nested directories, the long file, empty, big, link
			expect(walk(bytes, size)).toEqual({ entries: 35, contentBytes: 70_004, complete: true });
		}
	});

	it('reads ustar names split into prefix and name', async () => {
		const dir = tempDir();
		const path = `${'p'.repeat(90)}/${'n'.repeat(90)}`;
		mkdirSync(join(dir, 'p'.repeat(90)));
		writeFileSync(join(dir, path), 'x');
		await execa('tar', ['--format', 'ustar', '-cf', join(dir, 'u.tar'), '-C', dir, path]);
		const names: string[] = [];
		walk(readFileSync(join(dir, 'u.tar')), 512, name => names.push(name) > 0);
		expect(names).toEqual([path]);
	});

	it('throws at a damaged header, and tells a cut-short archive from a complete one', async () => {
		const bytes = await archive('pax');
		const damaged = Buffer.from(bytes);
		damaged[1024 + 10] = damaged[1024 + 10]! ^ 0xff;
		expect(() => walk(damaged, 4096)).toThrow(TarCorrupt);
		expect(walk(bytes.subarray(0, 40_000), 4096).complete).toBe(false);
		expect(() => walk(Buffer.alloc(2048, 'x'), 512)).toThrow(/not a valid tar archive at byte 0/);
	});

	it('stops when told: enough was seen', async () => {
		const seen: string[] = [];
		const summary = walk(await archive('gnu'), 100, name => seen.push(name) < 2);
		expect(seen).toHaveLength(2);
		expect(summary).toMatchObject({ entries: 2, complete: false });
	});

	it('reads a base-256 size (files past 8 GiB)', () => {
		const header = Buffer.alloc(512);
		header.write('v/huge', 0);
		header.write('0000644\0', 100);
		header.write('0', 156);
		header.write('ustar\u000000', 257);
		header[124] = 0x80;
		header.writeUIntBE(2 ** 34, 130, 6);
		header.fill(0x20, 148, 156);
		let sum = 0;
		for (const byte of header) sum += byte;
		header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
		const check = new TarCheck();
		check.push(header);
		expect(check.summary()).toEqual({ entries: 1, contentBytes: 2 ** 34, complete: false });
	});
});
