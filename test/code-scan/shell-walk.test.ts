import { describe, expect, it } from 'vitest';
import { shellCalls } from '../../src/code-scan/shell-walk.js';

const programs = new Set(['docker', 'docker-compose', 'safe-docker', 'podman', 'nerdctl']);
const calls = (text: string) =>
	shellCalls(text, { budget: { maxDepth: 64, remaining: 1_000_000 }, programs }).map(call => ({
		argv: call.argv.join(' '),
		at: call.at,
		before: call.before,
		after: call.after,
	}));

describe('shellCalls', () => {
	it('finds docker calls through wrappers, continuations and substitutions, at their exact offset', () => {
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
		const line = (n: number) =>
			script
				.split('\n')
				.slice(0, n - 1)
				.join('\n').length + 1;
		expect(calls(script).map(call => [call.argv, call.at])).toEqual([
			['rm -f web', line(3) + 22],
			['run --rm alpine rm -f /x', line(4)],
			['ps -aq', line(6) + 4],
			['rm -f $(docker ps -aq --filter "name=a")', line(6) + 21],
			['ps -aq --filter name=a', line(6) + 36],
			['compose rm -f', line(7)],
			['rmi --force img', line(9)],
			['system prune -af', line(10) + 45],
			['volume prune -f', line(11) + 1],
		]);
	});

	it('keeps the wrappers before a call and the redirections after it, as written', () => {
		expect(calls('sudo -E docker rm -f web 2>/dev/null | tee log')[0]).toMatchObject({ before: 'sudo -E ', after: '2>/dev/null' });
		expect(calls('if docker rm -f x; then :; fi')[0]).toMatchObject({ before: '' });
		expect(calls('docker ps -q | xargs docker rm -f')[1]).toMatchObject({ before: 'xargs ', argv: 'rm -f' });
	});

	it('walks sh -c scripts, eval, find -exec and here-documents fed to a shell', () => {
		const script = [
			`bash -lc 'docker rm -f web && echo done'`,
			`eval "docker system prune -af"`,
			`find . -name '*.cid' -exec docker rm -f {} \\;`,
			'bash <<EOF',
			'docker volume prune -f',
			'EOF',
			'cat <<EOF',
			'docker rm -f only-printed',
			'$(docker rm -f but-this-runs)',
			'EOF',
			`sh ./deploy.sh -c 'docker rm -f not-a-script'`,
		].join('\n');
		const at = (text: string) => script.indexOf(text);
		expect(calls(script).map(call => `${call.argv} @${call.at}`)).toEqual([
			`rm -f web @${at('docker rm -f web')}`,
			`system prune -af @${at('docker system')}`,
			`rm -f {} @${at('docker rm -f {}')}`,
			`volume prune -f @${at('docker volume')}`,
			`rm -f but-this-runs @${at('docker rm -f but')}`,
		]);
		expect(calls(script)[2]).toMatchObject({ before: "find . -name '*.cid' -exec ", after: '\\;' });
	});

	it('finds podman and nerdctl when asked to', () => {
		expect(calls('podman rm -af; nerdctl rm -f x').map(call => call.argv)).toEqual(['rm -af', 'rm -f x']);
	});

	it('a `safe-docker guard …` command is not a docker call', () => {
		expect(calls('safe-docker guard remove web; safe-docker rm -f web').map(call => call.argv)).toEqual(['rm -f web']);
	});
});
