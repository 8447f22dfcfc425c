import { describe, expect, it } from 'vitest';
import { shellCalls } from '../../src/code-scan/shell-walk.js';
import { DEFAULTS } from '../../src/config/defaults.js';
import { parseDockerArgv } from '../../src/docker-grammar/parse.js';
import { classifyVolumeLoss } from '../../src/docker-grammar/volume-loss.js';
import { judge } from '../../src/guard/judge.js';
import { judgeShell } from '../../src/hook/judge-shell.js';

const verdict = (command: string) => judgeShell(command, DEFAULTS.force, {});

/** What the popular regex guards miss, each refused here. */
const REFUSED = [
	'docker compose down -v',
	'docker volume rm pgdata',
	'docker-compose -f prod.yml down --volumes --remove-orphans',
	'sudo docker volume prune -a',
	'docker rm -fv web',
	'docker container rm -f web',
	'docker -H tcp://prod:2376 rm -f web',
	'docker --context prod system prune -af',
	'docker builder prune -af',
	'docker ps -q | xargs docker rm -f',
	'docker run --rm alpine true && docker rm -f db',
	'podman rm -af',
	'nerdctl rm -f web',
	'sudo -E docker rm -f web',
	'env DOCKER_HOST=ssh://prod docker rm -f web',
	'DOCKER_CONTEXT=prod command docker image rm --force app',
	"bash -c 'docker rm -f web'",
	'sh -lc "cd /srv && docker volume prune -f"',
	'eval "docker rm -f web"',
	'echo $(docker rm -f web)',
	'echo `docker rm -f web`',
	'if true; then docker rm -f web; fi',
	'for c in a b; do docker rm -f "$c"; done',
	'( cd /tmp; docker rm -f web )',
	'bash <<EOF\ndocker rm -f web\nEOF',
	'find . -name "*.cid" -exec docker rm -f {} \\;',
	'timeout 60 docker system prune -af',
	'nice -n 10 nohup docker rm -f web &',
	'exec docker rm -f web',
	'docker-compose rm -f',
	'/usr/bin/docker rmi -f app',
	'\\docker rm -f web',
	"echo 'docker rm -f web' | sh",
	'printf "docker system prune -af\\n" | bash -s',
];

/** What they refuse without reason, each allowed here. */
const ALLOWED = [
	'docker rm my-container-foo',
	'docker logs -f web',
	'docker build -f Dockerfile.dev -t app .',
	'docker compose -f prod.yml up -d --force-recreate',
	'docker ps -f status=exited',
	'docker run --rm alpine rm -f /tmp/x',
	'echo "docker rm -f web"',
	'grep -rn "docker rm -f" scripts/',
	"git commit -m 'stop using docker rm -f'",
	'cat <<EOF\ndocker rm -f web\nEOF',
	'# docker rm -f web',
	"echo 'docker rm -f web' | tee notes.txt",
	'npm test',
];

describe('judgeShell', () => {
	it.each(REFUSED)('refuses %j', command => {
		expect(verdict(command).decision).toBe('deny');
	});

	it.each(ALLOWED)('allows %j', command => {
		expect(verdict(command)).toEqual({ decision: 'allow' });
	});

	it('says why, with the rule, the risk and the alternative', () => {
		expect(verdict('docker rm -f web 2>/dev/null')).toEqual({
			decision: 'deny',
			reason:
				'safe-docker refused: `docker rm -f web` uses -f (--force) on docker rm: kills a running container with SIGKILL; its work and logs are lost. Run instead: safe-docker guard remove web 2>/dev/null',
		});
	});

	it('refuses named volume loss with what is lost, why, and a backup first; both reasons for a forced lossy call', () => {
		expect(verdict('docker compose down -v')).toEqual({
			decision: 'deny',
			reason:
				"safe-docker refused: `docker compose down -v` destroys named volumes (-v): removes the project's named volumes (all but external ones) and anonymous volumes. Run instead: docker compose down",
		});
		expect(verdict('docker volume rm -f pgdata')).toEqual({
			decision: 'deny',
			reason:
				'safe-docker refused: `docker volume rm -f pgdata` uses -f (--force) on docker volume rm: removes volumes and the data in them without the usual checks; and destroys named volumes: pgdata: removes the named volumes and all their data. Run instead: safe-docker guard backup pgdata, then ask the user to run (audited): SAFE_DOCKER_ALLOW_DATA_LOSS="<reason>" docker volume rm -f pgdata',
		});
		// Anonymous loss is warned about at run time, by default: the hook lets it run.
		expect(verdict('docker rm -v web')).toEqual({ decision: 'allow' });
	});

	it('data loss by the configured policy and the API version in force', () => {
		const loss = (policy: Partial<typeof DEFAULTS.dataLoss>) => ({
			policy: { ...DEFAULTS.dataLoss, ...policy },
			cwd: '/nonexistent',
			stateDir: undefined,
		});
		expect(judgeShell('docker volume rm pgdata', DEFAULTS.force, {}, loss({ named: 'warn' })).decision).toBe('allow');
		expect(judgeShell('docker rm -v web', DEFAULTS.force, {}, loss({ anonymous: 'reject' })).decision).toBe('deny');
		expect(judgeShell('docker volume prune', DEFAULTS.force, {}).decision).toBe('deny');
		expect(judgeShell('docker volume prune', DEFAULTS.force, { DOCKER_API_VERSION: '1.43' }).decision).toBe('allow');
		expect(judgeShell('docker volume prune', DEFAULTS.force, { SAFE_DOCKER_ALLOW_DATA_LOSS: 'ci reset' }).decision).toBe('allow');
	});

	it('a docker command that cannot be known before it runs is neither allowed nor silently refused', () => {
		expect(verdict('docker $CMD web')).toEqual({
			decision: 'unknown',
			reason:
				'safe-docker cannot check `docker $CMD web`: which docker command this runs is only known when it runs. Write the docker command out in full.',
		});
	});

	it('follows the configured policy: a command in force.allow passes, warn passes, rewrite is still refused', () => {
		expect(judgeShell('docker network rm -f n', { ...DEFAULTS.force, allow: ['network rm'] }, {}).decision).toBe('allow');
		expect(judgeShell('docker rm -f web', { ...DEFAULTS.force, policy: 'warn' }, {}).decision).toBe('allow');
		expect(judgeShell('docker rm -f web', { ...DEFAULTS.force, policy: 'rewrite' }, {}).decision).toBe('deny');
	});

	it('refuses a command line too deeply nested to read, with the reason', () => {
		const deep = `echo ${'$('.repeat(100)}docker rm -f a${')'.repeat(100)}`;
		expect(verdict(deep)).toMatchObject({ decision: 'deny', reason: expect.stringContaining('nested deeper than 32 levels') });
	});

	it('every alternative it hands back passes the guard itself', () => {
		const programs = new Set(['docker', 'docker-compose', 'safe-docker', 'podman', 'nerdctl']);
		for (const command of REFUSED) {
			const result = verdict(command);
			if (result.decision !== 'deny') continue;
			for (const [, instead] of result.reason.matchAll(/Run instead: (.*?)(?=, then ask the user to run \(audited\): |; `|$)/g)) {
				if (instead!.includes('<container')) continue; // said in words: nothing named to remove
				const calls = shellCalls(instead!, { budget: { maxDepth: 32, remaining: 100_000 }, programs });
				for (const call of calls) {
					const parsed = parseDockerArgv(call.argv);
					expect(judge(parsed, DEFAULTS.force, {}).decision, `${command} → ${instead}`).toBe('allow');
					expect(classifyVolumeLoss(parsed, undefined).class, `${command} → ${instead}`).toBe('none');
				}
			}
		}
	});
});
