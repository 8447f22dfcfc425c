import { describe, expect, it } from 'vitest';
import type { CallLossContext } from '../../src/code-scan/call-loss.js';
import { type Finding, scanText } from '../../src/code-scan/scan.js';
import { DEFAULTS } from '../../src/config/defaults.js';
import { datalossCorpus } from '../fixtures/corpus.js';

const context = (over: Partial<CallLossContext> = {}): CallLossContext => ({
	policy: DEFAULTS.dataLoss,
	env: {},
	cwd: '/nonexistent',
	stateDir: undefined,
	...over,
});
const scan = (text: string, over: Partial<CallLossContext> = {}) => scanText('x.sh', 'shell', text, context(over));
const lossOnly = (findings: Finding[]) => findings.filter(finding => finding.rule.includes('data-loss/'));

describe('guard scan finds data loss: the data-loss corpus, one line a script (API version unknown)', () => {
	const corpus = datalossCorpus();

	it.each(corpus.map(entry => [entry.cmd, entry] as const))('%s', (_, entry) => {
		const found = lossOnly(scan(entry.cmd));
		if (entry.loss === 'none') {
			expect(found).toEqual([]);
			return;
		}
		expect(found).toHaveLength(1);
		const [finding] = found;
		// Unknown API version: a plain prune reaches named volumes, so it is refused too.
		const named = entry.loss === 'named' || /\bprune\b/.test(finding!.rule);
		expect(finding!.loss.class).toBe(named ? 'named' : 'anonymous');
		expect(finding!.loss.apiVersion).toBeNull();
		expect(finding!.fails).toBe(named || entry.force);
		if (entry.force) expect(finding!.rule).toMatch(/^force\/.+ \+ data-loss\//);
	});

	it('covers every class', () => {
		expect(corpus.filter(entry => entry.loss === 'named').length).toBeGreaterThan(30);
		expect(corpus.filter(entry => entry.loss === 'anonymous').length).toBeGreaterThan(15);
		expect(corpus.filter(entry => entry.loss === 'none').length).toBeGreaterThan(50);
	});
});

describe('data-loss findings', () => {
	it('carry the loss as guard check --json does, the risk, and a backup first for a named volume', () => {
		const [finding] = scan('docker volume rm pgdata');
		expect(finding).toMatchObject({
			rule: 'data-loss/named (volume rm)',
			command: 'volume rm',
			flag: null,
			loss: { class: 'named', flag: null, volumes: ['pgdata'], apiVersion: null },
			risk: 'removes the named volumes and all their data',
			alternative: 'safe-docker guard backup pgdata',
			afterBackup: 'SAFE_DOCKER_ALLOW_DATA_LOSS="<reason>" docker volume rm pgdata',
			fails: true,
		});
	});

	it('write the alternative in the call’s place: its words as written, the same daemon, the flag taken out of a cluster', () => {
		const alternative = (line: string) => scan(line)[0]?.alternative;
		expect(alternative('docker compose -f "$FILE" down -v --remove-orphans')).toBe('docker compose -f "$FILE" down --remove-orphans');
		expect(alternative('docker-compose down --volumes')).toBe('docker-compose down');
		expect(scan('docker compose rm -sv web')[0]?.alternative).toBe('docker compose rm -s web');
		expect(alternative('docker -H tcp://db:2375 volume rm "$NAME" >/dev/null')).toBe(
			'env DOCKER_HOST=tcp://db:2375 safe-docker guard backup "$NAME" >/dev/null',
		);
		expect(alternative('docker volume prune --filter label=ci')).toBe('safe-docker guard cleanup --volumes');
	});

	it('a call both forced and lossy is one finding with both reasons, and an alternative neither guard stops', () => {
		const [forced, ...rest] = scan('docker volume rm -f pgdata');
		expect(rest).toEqual([]);
		expect(forced!.rule).toBe('force/volume rm (-f) + data-loss/named (volume rm)');
		expect(forced!.risk).toBe(
			'removes volumes and the data in them without the usual checks; removes the named volumes and all their data',
		);
		expect(forced!.alternative).toBe('safe-docker guard backup pgdata');
		expect(scan('docker compose rm -fsv')[0]!.alternative).toBe('docker compose rm -s');
	});

	it('anonymous loss (warn by default) is listed but does not fail; the policy decides', () => {
		expect(scan('docker rm -v web')[0]).toMatchObject({ fails: false, alternative: 'docker rm web', afterBackup: null });
		const strict = { ...DEFAULTS.dataLoss, anonymous: 'reject' as const };
		expect(scan('docker rm -v web', { policy: strict })[0]!.fails).toBe(true);
		expect(scan('docker volume rm pgdata', { policy: { ...DEFAULTS.dataLoss, named: 'warn' } })[0]!.fails).toBe(false);
		expect(scan('docker volume rm pgdata', { policy: { ...DEFAULTS.dataLoss, named: 'allow' } })).toEqual([]);
		expect(scan('docker volume rm cache-1', { policy: { ...DEFAULTS.dataLoss, allowVolumes: ['cache-*'] } })).toEqual([]);
		expect(scan('docker volume rm cache-1 pgdata', { policy: { ...DEFAULTS.dataLoss, allowVolumes: ['cache-*'] } })).toHaveLength(1);
	});

	it('a prune is anonymous from API 1.42 on (DOCKER_API_VERSION), named below or when unknown, with the version', () => {
		expect(scan('docker volume prune', { env: { DOCKER_API_VERSION: '1.43' } })[0]).toMatchObject({
			fails: false,
			loss: { class: 'anonymous', apiVersion: '1.43' },
		});
		expect(scan('docker volume prune', { env: { DOCKER_API_VERSION: '1.41' } })[0]).toMatchObject({
			fails: true,
			loss: { class: 'named', apiVersion: '1.41' },
		});
	});

	it('the escape hatch written on the call passes it (the proxy audits it); empty, or elsewhere, it does not', () => {
		expect(scan('SAFE_DOCKER_ALLOW_DATA_LOSS="backed up" docker volume rm pgdata')).toEqual([]);
		expect(scan("sudo env SAFE_DOCKER_ALLOW_DATA_LOSS='reset' docker compose down -v")).toEqual([]);
		expect(scan('SAFE_DOCKER_ALLOW_DATA_LOSS= docker volume rm pgdata')).toHaveLength(1);
		expect(scan('echo SAFE_DOCKER_ALLOW_DATA_LOSS=x; docker volume rm pgdata')).toHaveLength(1);
		// The hatch is for data loss only: a forced call stays a finding.
		expect(scan('SAFE_DOCKER_ALLOW_DATA_LOSS=x docker volume rm -f pgdata')[0]!.rule).toBe('force/volume rm (-f)');
	});
});
