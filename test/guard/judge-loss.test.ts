import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/defaults.js';
import { parseDockerArgv } from '../../src/docker-grammar/parse.js';
import { classifyVolumeLoss } from '../../src/docker-grammar/volume-loss.js';
import { DataLossRejection, formatError, GuardRejection } from '../../src/errors.js';
import { judgeLoss, type LossVerdict } from '../../src/guard/judge-loss.js';
import { displayCommand } from '../../src/system/display-command.js';

type Policy = typeof DEFAULTS.dataLoss;

function judge(
	line: string,
	{ api = '1.43', policy = {}, env = {} }: { api?: string; policy?: Partial<Policy>; env?: Record<string, string> } = {},
) {
	const call = parseDockerArgv(line.split(' '));
	return judgeLoss(
		call,
		classifyVolumeLoss(call, api, () => ['proj_db', 'proj_cache']),
		{ ...DEFAULTS.dataLoss, ...policy },
		env,
	);
}

const alternativeOf = (verdict: LossVerdict) => (verdict.decision === 'allow' ? null : displayCommand([...verdict.alternative]));

describe('judgeLoss with the default policy (named: reject, anonymous: warn)', () => {
	it.each([
		['volume rm pgdata', 'reject', 'safe-docker guard backup pgdata'],
		['volume rm -f a b', 'reject', 'safe-docker guard backup a b'],
		['compose down -v', 'reject', 'docker compose down'],
		['compose -f a.yml down -v --remove-orphans', 'reject', 'docker compose -f a.yml down --remove-orphans'],
		['compose down -vt 5', 'reject', 'docker compose down -t 5'],
		['compose down --volume --rmi all', 'reject', 'docker compose down --rmi all'],
		['volume prune -a', 'reject', 'safe-docker guard cleanup --volumes'],
		['volume prune --filter all=true', 'reject', 'safe-docker guard cleanup --volumes'],
		['rm -v web', 'warn', 'docker rm web'],
		['rm -fv web', 'warn', 'docker rm -f web'],
		['container rm --volumes=true a b', 'warn', 'docker container rm a b'],
		['compose rm -sv', 'warn', 'docker compose rm -s'],
		['compose up -dV', 'warn', 'docker compose up -d'],
		['compose up --renew-anon-volumes --build', 'warn', 'docker compose up --build'],
		['system prune -a --volumes', 'warn', 'docker system prune -a'],
		['volume prune', 'warn', 'safe-docker guard cleanup --volumes'],
	])('%s → %s, instead: %s', (line, decision, alternative) => {
		const verdict = judge(line);
		expect(verdict.decision).toBe(decision);
		expect(alternativeOf(verdict)).toBe(alternative);
	});

	it('refuses plain prunes below API 1.42 (they reach named volumes), and when the version is unknown', () => {
		expect(judge('volume prune', { api: '1.41' })).toMatchObject({ decision: 'reject', loss: { class: 'named', apiVersion: '1.41' } });
		const system = judge('system prune --volumes', { api: '1.40' });
		expect(system.decision).toBe('reject');
		expect(alternativeOf(system)).toBe('safe-docker guard cleanup --volumes');
	});

	it('lets calls without volume loss pass', () => {
		for (const line of ['ps', 'rm web', 'run --rm -v x:/d alpine rm -rf /d', 'compose down', 'compose --dry-run down -v']) {
			expect(judge(line).decision).toBe('allow');
		}
	});

	it('knows the backup comes first for volume rm', () => {
		const verdict = judge('volume rm pgdata');
		expect(verdict).toMatchObject({ backupFirst: true, keeps: 'a verified backup first' });
		expect(judge('compose down -v')).toMatchObject({
			backupFirst: false,
			keeps: 'keeps the volumes',
			loss: { volumes: ['proj_db', 'proj_cache'] },
		});
	});
});

describe('judgeLoss: policies, allowVolumes and the escape hatch', () => {
	it('follows dataLoss.named and dataLoss.anonymous', () => {
		expect(judge('volume rm x', { policy: { named: 'warn' } }).decision).toBe('warn');
		expect(judge('volume rm x', { policy: { named: 'allow' } }).decision).toBe('allow');
		expect(judge('rm -v x', { policy: { anonymous: 'reject' } }).decision).toBe('reject');
		expect(judge('rm -v x', { policy: { anonymous: 'allow' } }).decision).toBe('allow');
		expect(judge('volume prune', { api: '1.41', policy: { anonymous: 'allow' } }).decision).toBe('reject');
	});

	it('allows a call whose volumes all match dataLoss.allowVolumes (audited as allowed-by-config)', () => {
		const policy = { allowVolumes: ['*_cache', 'tmp-?', 'build[0-9]', '[!p]*-scratch'] };
		expect(judge('volume rm app_cache tmp-1 build7 x-scratch', { policy }).decision).toBe('allowed-by-config');
		expect(judge('volume rm app_cache pgdata', { policy }).decision).toBe('reject');
		expect(judge('volume rm tmp-12', { policy }).decision).toBe('reject');
		expect(judge('volume rm p-scratch', { policy }).decision).toBe('reject');
		expect(judge('volume rm app.cache', { policy: { allowVolumes: ['app.*'] } }).decision).toBe('allowed-by-config');
		expect(judge('volume rm appxcache', { policy: { allowVolumes: ['app.cache'] } }).decision).toBe('reject');
		// compose down -v removes proj_db too: not all match. Unknown volumes never match.
		expect(judge('compose down -v', { policy }).decision).toBe('reject');
		expect(judge('volume prune -a', { policy: { allowVolumes: ['*'] } }).decision).toBe('reject');
	});

	it('lets one call through with SAFE_DOCKER_ALLOW_DATA_LOSS and its reason; a blank reason is no reason', () => {
		expect(judge('volume rm x', { env: { SAFE_DOCKER_ALLOW_DATA_LOSS: ' backed up ' } })).toMatchObject({
			decision: 'escape-hatch',
			reason: 'backed up',
		});
		expect(judge('volume rm x', { env: { SAFE_DOCKER_ALLOW_DATA_LOSS: '  ' } }).decision).toBe('reject');
		expect(judge('volume rm x', { env: { SAFE_DOCKER_ALLOW_FORCE: 'x' } }).decision).toBe('reject');
	});
});

describe('DataLossRejection', () => {
	it('says what would be lost, why, and the safe way', () => {
		const rejection = new DataLossRejection(
			'volume rm',
			'named',
			null,
			['pgdata'],
			'removes the named volumes and all their data',
			'safe-docker guard backup pgdata',
			'a verified backup first',
			true,
			'docker volume rm pgdata',
		);
		expect(rejection.exitCode).toBe(77);
		expect(formatError(rejection)).toBe(
			[
				'safe-docker: refused `docker volume rm pgdata`: volume rm destroys named volumes: pgdata',
				'  risk: removes the named volumes and all their data',
				'  instead: safe-docker guard backup pgdata   (a verified backup first)',
				'  then, audited: SAFE_DOCKER_ALLOW_DATA_LOSS="<reason>" docker volume rm pgdata',
			].join('\n'),
		);
	});

	it('tells both reasons when the call is forced too', () => {
		const force = new GuardRejection('volume rm', '-f', 'removes volumes…', 'docker volume rm x', 'docker volume rm -f x');
		const rejection = new DataLossRejection(
			'volume rm',
			'named',
			null,
			['x'],
			'risk',
			'safe-docker guard backup x',
			'k',
			true,
			'docker volume rm -f x',
			force,
		);
		const lines = formatError(rejection).split('\n');
		expect(lines[0]).toBe('safe-docker: refused `docker volume rm -f x`: -f (--force) on volume rm');
		expect(lines).toContain('safe-docker: refused `docker volume rm -f x`: volume rm destroys named volumes: x');
		expect(JSON.parse(JSON.stringify(rejection))).toMatchObject({ code: 'DATA_LOSS_REJECTED', force: { code: 'FORCE_REJECTED' } });
	});
});
