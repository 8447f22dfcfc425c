import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../fixtures/cli.js';

describe('exitWhenFlushed', () => {
	it('exits with the code only after megabytes written to a slow reader have all been delivered', async () => {
		// A bare process.exit() right after these writes delivers nothing to a reader that is not reading yet.
		const script = `
			const { exitWhenFlushed } = require(${JSON.stringify(join(ROOT, 'dist', 'cli.cjs'))});
			process.stdout.write('x'.repeat(5_000_000));
			process.stderr.write('y'.repeat(1_000_000));
			exitWhenFlushed(3);
		`;
		const child = spawn(process.execPath, ['-e', script]);
		child.stdout.pause();
		child.stderr.pause();
		const received = { stdout: 0, stderr: 0 };
		setTimeout(() => {
			child.stdout.on('data', (chunk: Buffer) => (received.stdout += chunk.length));
			child.stderr.on('data', (chunk: Buffer) => (received.stderr += chunk.length));
			child.stdout.resume();
			child.stderr.resume();
		}, 500);
		const code = await new Promise(resolve => child.on('close', resolve));
		expect({ code, ...received }).toEqual({ code: 3, stdout: 5_000_000, stderr: 1_000_000 });
	});
});
