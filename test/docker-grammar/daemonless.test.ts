import { describe, expect, it } from 'vitest';
import { isDaemonless } from '../../src/docker-grammar/daemonless.js';
import { parseDockerArgv } from '../../src/docker-grammar/parse.js';

const daemonless = (argv: string[]) => isDaemonless(parseDockerArgv(argv));

describe('calls docker answers without the daemon', () => {
	it.each([
		[[]],
		[['--help']],
		[['ps', '--help']],
		[['compose', 'up', '--help']],
		[['login', '--help']],
		[['help', 'run']],
		[['--version']],
		[['-v']],
		[['version', '--format', '{{.Client.Version}}']],
		[['context', 'ls']],
		[['--context', 'x', 'context', 'show']],
		[['ps', '--no-such-flag']],
		[['run', '--name']],
		[['compose', 'version']],
		[['container']],
	])('%j', argv => expect(daemonless(argv)).toBe(true));

	it.each([
		[['ps']],
		[['version']],
		[['version', '--format', '{{.Server.Version}}']],
		[['run', '--rm', 'img', '--help']],
		[['login']],
		[['some-plugin', 'do']],
	])('not %j', argv => expect(daemonless(argv)).toBe(false));
});
