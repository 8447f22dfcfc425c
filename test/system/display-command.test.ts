import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { displayCommand } from '../../src/system/display-command.js';

const cases: Array<[string[], string]> = [
	[['docker', 'run', '-v', '/src:/app', 'app:test'], 'docker run -v /src:/app app:test'],
	[['docker', 'ps', '--format', '{{.Names}}'], "docker ps --format '{{.Names}}'"],
	[['docker', 'run', '-e', 'A=b,c', 'alpine'], 'docker run -e A=b,c alpine'],
	[['docker', 'run', 'alpine', 'sh', '-c', 'echo $HOME && ls *'], "docker run alpine sh -c 'echo $HOME && ls *'"],
	[['docker', 'run', '--name', "it's", 'alpine'], `docker run --name 'it'"'"'s' alpine`],
	[['docker', 'run', '-e', '', 'alpine'], "docker run -e '' alpine"],
	[['docker', 'rm', '~web'], "docker rm '~web'"],
];

describe('displayCommand', () => {
	it.each(cases)('%j → %s', (argv, shown) => {
		expect(displayCommand(argv)).toBe(shown);
	});

	it('is read back by a POSIX shell as the same argv', () => {
		for (const [argv] of cases) {
			const words = execFileSync('sh', ['-c', `for word in ${displayCommand(argv)}; do printf '%s\\0' "$word"; done`], {
				encoding: 'utf8',
			});
			expect(words.split('\0').slice(0, -1)).toEqual(argv);
		}
	});
});
