import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lockState } from '../../src/lock/status.js';
import { tempDir } from '../fixtures/cli.js';

describe('lockState', () => {
	it('free, held by a live holder, stale when another host stopped refreshing it', () => {
		const dir = tempDir();
		expect(lockState(dir, 'e', 10_000).state).toBe('free');
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
		expect(lockState(dir, 'e', 10_000)).toEqual(expect.objectContaining({ state: 'held', holder }));
		// Another host's holder is judged by its refreshes: the last one 10 s ago is past a 3 s stale window.
		const tenSecondsAgo = new Date(Date.now() - 10_000);
		utimesSync(join(dir, 'e.lock'), tenSecondsAgo, tenSecondsAgo);
		expect(lockState(dir, 'e', 3000)).toEqual(expect.objectContaining({ state: 'stale', holder }));
		expect(lockState(dir, 'e', 60_000).state).toBe('held');
	});
});
