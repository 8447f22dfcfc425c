import { describe, expect, it } from 'vitest';
import { parseDockerArgv } from '../../src/docker-grammar/parse.js';
import { classifyVolumeLoss, versionBelow } from '../../src/docker-grammar/volume-loss.js';
import { datalossCorpus } from '../fixtures/corpus.js';

const words = (line: string) => (line === '' ? [] : line.split(' '));
/** API 1.43 unless given (`undefined`: unknown). */
const classify = (line: string, ...api: [string | undefined] | []) =>
	classifyVolumeLoss(parseDockerArgv(words(line)), api.length === 0 ? '1.43' : api[0]);
const PRUNES = new Set(['volume prune', 'system prune']);

describe('the data-loss corpus (135 real lines, labelled for API ≥ 1.42)', () => {
	const corpus = datalossCorpus();

	it('has every line', () => {
		expect(corpus.length).toBeGreaterThanOrEqual(135);
	});

	it.each(corpus.map(entry => [entry.cmd, entry] as const))('%s', (_cmd, entry) => {
		const call = parseDockerArgv(entry.argv);
		expect(classifyVolumeLoss(call, '1.42').class, entry.why).toBe(entry.loss);
		expect(classifyVolumeLoss(call, '1.51').class, entry.why).toBe(entry.loss);
		// Below 1.42, and when the version is unknown, a plain prune reaches named volumes.
		const old = entry.loss === 'anonymous' && PRUNES.has(call.command ?? '') ? 'named' : entry.loss;
		expect(classifyVolumeLoss(call, '1.41').class).toBe(old);
		expect(classifyVolumeLoss(call, undefined).class).toBe(old);
	});
});

describe('classifyVolumeLoss', () => {
	it.each([
		['volume rm pgdata', 'named', null, ['pgdata']],
		['volume remove a b', 'named', null, ['a', 'b']],
		['volume rm', 'named', null, []],
		['volume rm -f pgdata', 'named', null, ['pgdata']],
		['volume prune -a', 'named', '-a', null],
		['volume prune --all', 'named', '--all', null],
		['volume prune -af', 'named', '-af', null],
		['volume prune --filter all=1', 'named', '--filter all=1', null],
		['volume prune --filter=all=true', 'named', '--filter all=true', null],
		['volume prune --filter all=TRUE', 'named', '--filter all=TRUE', null],
		['system prune --volumes --filter all=1', 'named', '--volumes --filter all=1', null],
		['compose down -v', 'named', '-v', null],
		['compose down --volumes', 'named', '--volumes', null],
		['compose down --volume', 'named', '--volume', null],
		['compose -p x down --remove-orphans -v', 'named', '-v', null],
		['rm -v web', 'anonymous', '-v', null],
		['rm web -v', 'anonymous', '-v', null],
		['rm -fv web', 'anonymous', '-fv', null],
		['container remove --volumes web', 'anonymous', '--volumes', null],
		['container rm --volumes=true web', 'anonymous', '--volumes=true', null],
		['compose rm -v', 'anonymous', '-v', null],
		['compose rm -sfv', 'anonymous', '-sfv', null],
		['compose up -V', 'anonymous', '-V', null],
		['compose up -dV', 'anonymous', '-dV', null],
		['compose up --renew-anon-volumes', 'anonymous', '--renew-anon-volumes', null],
		['volume prune', 'anonymous', null, null],
		['volume prune -f --filter label=ci', 'anonymous', null, null],
		['volume prune --all=false', 'anonymous', null, null],
		['volume prune --filter all=0', 'anonymous', null, null],
		['system prune --volumes', 'anonymous', '--volumes', null],
		['system prune -a --volumes', 'anonymous', '--volumes', null],
	] as const)('%s → %s (%s)', (line, cls, flag, volumes) => {
		const loss = classify(line);
		expect(loss.class).toBe(cls);
		expect(loss.flag).toBe(flag);
		expect(loss.volumes).toEqual(volumes);
		expect(loss.apiVersion).toBe('1.43');
	});

	it.each([
		'run --rm alpine true',
		'run --rm -v data:/data alpine rm -rf /data',
		'run alpine rm -v x',
		'run -it alpine sh -c "rm -rf /data/*"',
		'exec db docker volume rm x',
		'-v',
		'--version',
		'-v rm -v web',
		'compose -v',
		'compose -v down',
		'compose -f x.yml -v down -v',
		'compose --version down -v',
		'compose --dry-run down -v',
		'compose down -v --dry-run',
		'compose up -V --dry-run',
		'compose down',
		'compose down --rmi all',
		'compose down -v=false',
		'compose down -v --volumes=false',
		'compose down --volume=0',
		'rm --volumes=false web',
		'rm -v --volumes=false web',
		'rm -v --help web',
		'volume rm --help x',
		'help volume rm',
		'compose down -v --help',
		'system prune',
		'system prune -af',
		'system prune --volumes=false',
		'container prune -f',
		'image prune -a',
		'volume ls',
		'volume create x',
		'service rm x',
		'stack rm x',
		'compose run --rm app rm -v x',
		'compose exec db rm -rf /var/lib/postgresql/data',
		'rm x -- -v',
		'',
	])('%s destroys no volume', line => {
		expect(classify(line).class).toBe('none');
		expect(classify(line, undefined).class).toBe('none');
	});

	it('counts a plain prune as named below API 1.42, and says why', () => {
		const old = classify('volume prune --filter label=ci', '1.41');
		expect(old).toMatchObject({ class: 'named', flag: null, apiVersion: '1.41' });
		expect(old.reason).toMatch(/API 1\.41 \(below 1\.42/);
		expect(classify('system prune --volumes', '1.40')).toMatchObject({ class: 'named', flag: '--volumes' });
		expect(classify('volume prune', '1.42').class).toBe('anonymous');
		expect(classify('volume prune', '1.100').class).toBe('anonymous');
	});

	it('counts a plain prune as named when the API version is unknown, with the reason', () => {
		const unknown = classify('volume prune', undefined);
		expect(unknown).toMatchObject({ class: 'named', apiVersion: null });
		expect(unknown.reason).toMatch(/unknown API version/);
		expect(classify('volume prune', 'garbage').class).toBe('named');
	});

	it('asks for the compose volumes of compose down -v only', () => {
		const asked: string[] = [];
		const lookup = (call: { command: string | undefined }) => {
			asked.push(call.command ?? '');
			return ['proj_db'];
		};
		expect(classifyVolumeLoss(parseDockerArgv(words('compose down -v')), '1.41', lookup).volumes).toEqual(['proj_db']);
		expect(classifyVolumeLoss(parseDockerArgv(words('compose down')), '1.41', lookup).volumes).toBeNull();
		expect(classifyVolumeLoss(parseDockerArgv(words('compose rm -v')), '1.41', lookup).volumes).toBeNull();
		expect(asked).toEqual(['compose down']);
	});
});

describe('versionBelow', () => {
	it.each([
		['1.41', '1.42', true],
		['1.42', '1.42', false],
		['1.9', '1.42', true],
		['1.100', '1.42', false],
		['2.0', '1.42', false],
		['1', '1.42', true],
		['x', '1.42', true],
	] as const)('%s < %s: %s', (a, b, below) => {
		expect(versionBelow(a, b)).toBe(below);
	});
});
