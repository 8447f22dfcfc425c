import { describe, expect, it } from 'vitest';
import { parseDockerArgv } from '../../src/docker-grammar/parse.js';
import { buildxCommands } from '../../src/docker-grammar/tables/buildx-commands.js';
import { composeCommands } from '../../src/docker-grammar/tables/compose-commands.js';
import { dockerCommands } from '../../src/docker-grammar/tables/docker-commands.js';
import { detectForce, safeAlternative, withoutForce } from '../../src/guard/detect-force.js';
import { FORCE_RULES } from '../../src/guard/force-rules.js';
import { forceCorpus } from '../fixtures/corpus.js';

const words = (line: string) => line.split(' ');

describe('force rules', () => {
	it('cover exactly the commands whose grammar defines --force (21, per the research)', () => {
		const withForce = Object.entries({ ...dockerCommands, ...composeCommands, ...buildxCommands })
			.filter(([, spec]) => ` ${spec.bool ?? ''} `.match(/[ /]force /))
			.map(([path]) => path)
			.sort();
		expect(withForce).toEqual(Object.keys(FORCE_RULES).sort());
		expect(withForce).toHaveLength(21);
	});
});

describe('detectForce', () => {
	it.each([
		['rm -f web', 'container rm', '-f'],
		['rm -lvf web', 'container rm', '-lvf'],
		['container rm --force web', 'container rm', '--force'],
		['remove -f web', 'container rm', '-f'],
		['rmi -f alpine', 'image rm', '-f'],
		['image rm --force=true alpine', 'image rm', '--force=true'],
		['system prune -af', 'system prune', '-af'],
		['volume prune -f', 'volume prune', '-f'],
		['network prune -f', 'network prune', '-f'],
		['builder prune -f', 'builder prune', '-f'],
		['buildx prune -f', 'buildx prune', '-f'],
		['buildx rm -f mybuilder', 'buildx rm', '-f'],
		['compose -f a.yml rm -f', 'compose rm', '-f'],
		['plugin rm -f p', 'plugin rm', '-f'],
		['swarm leave -f', 'swarm leave', '-f'],
		['service update --force s', 'service update', '--force'],
		['--context prod rm -f web', 'container rm', '-f'],
	])('%s → %s via %s', (line, command, token) => {
		const use = detectForce(parseDockerArgv(words(line)));
		expect(use?.command).toBe(command);
		expect(use?.token).toBe(token);
	});

	it.each([
		'logs -f web',
		'build -f Dockerfile .',
		'compose -f a.yml up -d',
		'ps -f status=exited',
		'inspect -f {{.Id}} x',
		'run alpine rm -f /x',
		'exec c rm -rf /tmp',
		'run --name -f alpine',
		'--host -f container prune',
		'rm x -- -f',
		'container prune --force=false',
		'container prune -f=0',
		'container prune -f --force=false',
		'compose up --force-recreate',
		'build --force-rm .',
		'swarm init --force-new-cluster',
		'rm -f --help web',
		'help rm',
		'scout cves -f x',
	])('%s is not force', line => {
		expect(detectForce(parseDockerArgv(words(line)))).toBeUndefined();
	});
});

describe('the safe alternative', () => {
	it.each([
		['rm -f web', 'safe-docker guard remove web'],
		['rm -fv web db', 'safe-docker guard remove --volumes web db'],
		['container rm --force --volumes=true web', 'safe-docker guard remove --volumes web'],
		['system prune -af', 'safe-docker cleanup --dry-run --images'],
		['system prune -fa --volumes', 'safe-docker cleanup --dry-run --images --volumes'],
		['image prune -a --force --filter until=24h', 'safe-docker cleanup --dry-run --images --older-than 24h'],
		['image prune -f --filter label=ci-job=12 --filter until=2024-01-01', 'safe-docker cleanup --dry-run --label ci-job=12'],
		['volume prune -f', 'safe-docker cleanup --dry-run --volumes'],
		['volume prune -af', 'safe-docker cleanup --dry-run --volumes=named'],
		['builder prune -f', 'safe-docker cleanup --dry-run'],
		['buildx prune -f --all', 'safe-docker cleanup --dry-run'],
		['network prune -f', 'safe-docker cleanup --dry-run'],
		['rmi -f alpine', 'docker rmi alpine'],
		['compose -f a.yml rm -fs web', 'docker compose -f a.yml rm -s web'],
		['container prune -f=true --filter until=48h', 'safe-docker cleanup --dry-run --older-than 48h'],
		['network rm -f n', 'docker network rm n'],
	])('%s → %s', (line, alternative) => {
		const call = parseDockerArgv(words(line));
		expect(safeAlternative(call, detectForce(call)!).join(' ')).toBe(alternative);
	});

	it('the argv without force is itself never force', () => {
		for (const { argv } of forceCorpus().filter(entry => entry.force)) {
			const stripped = parseDockerArgv(withoutForce(parseDockerArgv(argv)));
			expect(detectForce(stripped), argv.join(' ')).toBeUndefined();
			expect(stripped.errors, argv.join(' ')).toEqual([]);
		}
	});
});
