// `npm test` needs only a running engine: the test setup builds the local test image when it is missing.
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../fixtures/cli.js';
import { prepareEngine } from '../fixtures/engine.js';

/** A docker whose engine answers when `up` exists and whose image exists when `image` does. */
function fakeEngine(up: boolean) {
	const dir = tempDir();
	if (up) writeFileSync(join(dir, 'up'), '');
	const docker = join(dir, 'docker');
	writeFileSync(
		docker,
		`#!/bin/sh\ncase "$1" in\n  version) test -e '${dir}/up' ;;\n  image) test -e '${dir}/image' ;;\n  *) exit 1 ;;\nesac\n`,
	);
	chmodSync(docker, 0o755);
	return { dir, tools: { docker, build: ['touch', join(dir, 'image')] as [string, string] } };
}

describe('the test setup', () => {
	it('builds the test image when the engine answers without it, saying so', async () => {
		const { dir, tools } = fakeEngine(true);
		const lines: string[] = [];
		expect(await prepareEngine(tools, line => lines.push(line))).toBeUndefined();
		expect(existsSync(join(dir, 'image'))).toBe(true);
		expect(lines).toEqual([expect.stringMatching(/^test setup: building the local test image safe-docker-test\/busybox:latest/)]);
	});

	it('says why engine tests will be skipped when no engine answers, and builds nothing', async () => {
		const { dir, tools } = fakeEngine(false);
		expect(await prepareEngine(tools, () => undefined)).toBe('no Docker engine answers (start one with scripts/engine.sh, as root)');
		expect(existsSync(join(dir, 'image'))).toBe(false);
	});
});
