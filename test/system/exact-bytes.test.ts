import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { exactBytes, viaShell } from '../../src/system/exact-bytes.js';

const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "caf\xe9": not UTF-8
const decoded = latin1.toString('utf8'); // "caf\uFFFD"

/** /proc files as the kernel gives them: NUL-separated. */
const proc = (files: Record<string, Buffer[]>) => (path: string) => Buffer.concat(files[path]!.flatMap(part => [part, Buffer.from([0])]));

describe('exactBytes', () => {
	it('reads nothing when nothing decoded to U+FFFD (the common path)', () => {
		const read = () => {
			throw new Error('read');
		};
		expect(exactBytes(['ps', '-a', 'café'], { HOME: '/root' }, read)).toBeUndefined();
	});

	it('finds the original bytes of argv entries and environment values that decoding changed', () => {
		const read = proc({
			'/proc/self/cmdline': [Buffer.from('node'), Buffer.from('/bin/safe-docker.js'), Buffer.from('cp'), latin1, Buffer.from('c:/x')],
			'/proc/self/environ': [Buffer.from('HOME=/root'), Buffer.concat([Buffer.from('V='), latin1])],
		});
		const exact = exactBytes(['cp', decoded, 'c:/x'], { HOME: '/root', V: decoded }, read);
		expect(exact?.argv).toEqual([Buffer.from('cp'), latin1, Buffer.from('c:/x')]);
		expect([...(exact?.env ?? [])]).toEqual([['V', latin1]]);
	});

	it("a U+FFFD typed as valid UTF-8 is not a loss, and an argv that is not this process's is left alone", () => {
		const typed = Buffer.from('a\uFFFDb');
		const read = proc({ '/proc/self/cmdline': [Buffer.from('node'), Buffer.from('bin'), typed] });
		expect(exactBytes(['a\uFFFDb'], {}, read)).toBeUndefined();
		expect(exactBytes([decoded], {}, read)).toBeUndefined();
	});
});

describe('viaShell', () => {
	it('rebuilds argv (%, \\, quotes, trailing newlines) and variables byte for byte, in an ASCII-only script', () => {
		const args = [decoded, "it's 100% \\n", 'end\n\n'];
		const exact = { argv: [latin1, Buffer.from("it's 100% \\n"), Buffer.from('end\n\n')], env: new Map([['V', latin1]]) };
		const [command, commandArgs] = viaShell('/unused', args, { V: decoded }, exact);
		expect(command).toBe('/bin/sh');
		expect(commandArgs[1]).toMatch(/^[\x20-\x7e\n]*$/);
		// The script up to its exec, then the arguments and V as the program would receive them.
		const script = `${commandArgs[1]!.slice(0, commandArgs[1]!.lastIndexOf('\n'))}\nprintf '%s|' "$@"; printf '%s' "$V"`;
		const printed = spawnSync('/bin/sh', ['-c', script, 'sh'], { env: { V: decoded } });
		expect(printed.stdout).toEqual(Buffer.concat([latin1, Buffer.from("|it's 100% \\n|end\n\n|"), latin1]));
	});

	it('execs the program in its place: its output and exit code', () => {
		const [command, commandArgs] = viaShell(
			'/bin/sh',
			['-c', `printf '%s' "$1"; exit 3`, 'sh', decoded],
			{},
			{ argv: [Buffer.from('-c'), Buffer.from(`printf '%s' "$1"; exit 3`), Buffer.from('sh'), latin1], env: new Map() },
		);
		const result = spawnSync(command, commandArgs);
		expect(result.stdout).toEqual(latin1);
		expect(result.status).toBe(3);
	});
});
