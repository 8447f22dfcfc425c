import { describe, expect, it } from 'vitest';
import { dockerCallsInShell } from '../../src/code-scan/shell-commands.js';

describe('dockerCallsInShell', () => {
	it('finds docker calls with their line and column, through wrappers, continuations and substitutions', () => {
		const script = [
			'#!/bin/sh',
			'# docker rm -f in a comment is not a call',
			'FOO=1 sudo -E -u root docker rm -f web && echo ok',
			'docker run --rm \\',
			'  alpine rm -f /x',
			'x=$(docker ps -aq) ; docker rm -f $(docker ps -aq --filter "name=a")',
			'docker-compose rm -f',
			'echo "docker rm -f x"',
			'/usr/bin/docker rmi --force img | tee log',
			'env -u X DOCKER_HOST=tcp://h:2375 timeout 60 docker system prune -af',
			'`docker volume prune -f`',
		].join('\n');
		expect(dockerCallsInShell(script)).toEqual([
			{ argv: ['rm', '-f', 'web'], line: 3, column: 23 },
			{ argv: ['run', '--rm', 'alpine', 'rm', '-f', '/x'], line: 4, column: 1 },
			{ argv: ['ps', '-aq'], line: 6, column: 5 },
			{ argv: ['rm', '-f', 'SUBST'], line: 6, column: 22 },
			{ argv: ['ps', '-aq', '--filter', 'name=a'], line: 6, column: 37 },
			{ argv: ['compose', 'rm', '-f'], line: 7, column: 1 },
			{ argv: ['rmi', '--force', 'img'], line: 9, column: 1 },
			{ argv: ['system', 'prune', '-af'], line: 10, column: 46 },
			{ argv: ['volume', 'prune', '-f'], line: 11, column: 2 },
		]);
	});

	it('scans the script of sh -c / bash -lc, in place', () => {
		const script = [
			`bash -lc 'docker rm -f web && echo done'`,
			`sudo sh -e -c "docker system prune -af"`,
			`ssh-agent sh -c 'echo x'; sh ./deploy.sh -c 'docker rm -f not-a-script'`,
			`sh -o pipefail -c 'docker volume prune -f | tee log'`,
			`echo "sh -c 'docker rm -f quoted'"`,
		].join('\n');
		expect(dockerCallsInShell(script)).toEqual([
			{ argv: ['rm', '-f', 'web'], line: 1, column: 11 },
			{ argv: ['system', 'prune', '-af'], line: 2, column: 16 },
			{ argv: ['volume', 'prune', '-f'], line: 4, column: 20 },
		]);
	});

	it('keeps variables as literal words', () => {
		expect(dockerCallsInShell('docker rm -f "${NAME}" $OTHER')[0]!.argv).toEqual(['rm', '-f', '${NAME}', '${OTHER}']);
	});
});
