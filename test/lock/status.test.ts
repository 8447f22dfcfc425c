import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Config, DEFAULTS } from '../../src/config/defaults.js';
import { environmentLock } from '../../src/lock/status.js';
import { tempDir } from '../fixtures/cli.js';

describe('environmentLock (the API cleanup uses)', () => {
	const config = (directory: string): Config => ({ ...DEFAULTS, lock: { ...DEFAULTS.lock, directory } });

	it('free, held by a live holder, stale when another host stopped refreshing it', () => {
		const dir = tempDir();
		expect(environmentLock(config(dir), 'e', () => dir).state).toBe('free');
		mkdirSync(join(dir, 'e.lock'));
		const holder = {
			env: 'e',
			pid: process.pid,
			host: 'build-host-7',
			user: 'ci',
			command: 'make test',
			reason: null,
			acquiredAt: new Date().toISOString(),
			startTime: null,
			bootId: null,
		};
		writeFileSync(join(dir, 'e.holder.json'), JSON.stringify(holder));
		expect(environmentLock(config(dir), 'e', () => dir)).toEqual(expect.objectContaining({ state: 'held', holder }));
		// Another host's holder is judged by its refreshes: the last one 10 s ago is past a 3 s stale window.
		const tenSecondsAgo = new Date(Date.now() - 10_000);
		utimesSync(join(dir, 'e.lock'), tenSecondsAgo, tenSecondsAgo);
		const strict = { ...config(dir), lock: { ...config(dir).lock, staleMs: 3000 } };
		expect(environmentLock(strict, 'e', () => dir)).toEqual(expect.objectContaining({ state: 'stale', holder }));
		const lenient = { ...config(dir), lock: { ...config(dir).lock, staleMs: 60_000 } };
		expect(environmentLock(lenient, 'e', () => dir).state).toBe('held');
	});
});
