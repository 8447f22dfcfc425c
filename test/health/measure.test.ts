import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/defaults.js';
import { type DockerClient, dockerClient } from '../../src/docker/client.js';
import { HEALTH_EXIT, levelOf, worstLevel } from '../../src/health/levels.js';
import { measureHealth } from '../../src/health/measure.js';

const endpoint = { kind: 'unix', path: '/var/run/docker.sock', url: 'unix:///var/run/docker.sock' } as const;
const up = async () => ({ ok: true as const, latencyMs: 1.5, apiVersion: '1.41' });
const statfs = () => ({ blocks: 10_000, bfree: 4000, bsize: 1_000_000 });

/** A docker answering from a table of argv prefixes; anything else fails. */
function docker(answers: Record<string, string>): DockerClient {
	return async args => {
		const key = Object.keys(answers).find(prefix => args.join(' ').startsWith(prefix));
		return key === undefined
			? { exitCode: 1, stdout: '', stderr: `Error response from daemon: no answer for ${args.join(' ')}` }
			: { exitCode: 0, stdout: answers[key]!, stderr: '' };
	};
}

const healthy = {
	'info --format': JSON.stringify({ DockerRootDir: '/var/lib/docker', MemTotal: 8_000_000_000, ServerVersion: '27.0.1' }),
	'system df': ['Images', 'Containers', 'Local Volumes', 'Build Cache']
		.map((Type, i) => JSON.stringify({ Type, Size: ['500MB', '100MB', '0B', '1GB'][i] }))
		.join('\n'),
	'container ls': 'a\nb\nc\n',
	'container stats': '1GiB / 8GiB\n512MiB / 8GiB\n',
	'network ls': 'n1\nn2\n',
	'volume ls': 'v1\n',
};

describe('levels', () => {
	it.each([
		[0, 'SAFE'],
		[49.9, 'SAFE'],
		[50, 'WARNING'],
		[74.9, 'WARNING'],
		[75, 'CRITICAL'],
		[89.9, 'CRITICAL'],
		[90, 'EMERGENCY'],
		[130, 'EMERGENCY'],
	] as const)('%d %% is %s', (percent, level) => {
		expect(levelOf(percent, DEFAULTS.health)).toBe(level);
	});

	it('ranks a failed measurement above WARNING, below CRITICAL', () => {
		expect(worstLevel(['SAFE', 'WARNING', 'UNKNOWN'])).toBe('UNKNOWN');
		expect(worstLevel(['UNKNOWN', 'CRITICAL'])).toBe('CRITICAL');
		expect(worstLevel([])).toBe('SAFE');
		expect(HEALTH_EXIT).toEqual({ SAFE: 0, WARNING: 0, UNKNOWN: 2, CRITICAL: 3, EMERGENCY: 4, UNREACHABLE: 5 });
	});
});

describe('measureHealth', () => {
	it('grades every resource against its limit', async () => {
		const report = await measureHealth({
			config: { ...DEFAULTS, health: { ...DEFAULTS.health, maxContainers: 4, maxNetworks: 2 } },
			endpoint,
			docker: docker(healthy),
			ping: up,
			statfs,
		});
		const byName = Object.fromEntries(report.measurements.map(measurement => [measurement.name, measurement]));
		expect(byName['disk used by docker']).toEqual(expect.objectContaining({ value: 1_600_000_000, limit: 10_000_000_000, level: 'SAFE' }));
		expect(byName['data root file system']).toEqual(expect.objectContaining({ percent: 60, level: 'WARNING' }));
		expect(byName['containers']).toEqual(expect.objectContaining({ value: 3, limit: 4, percent: 75, level: 'CRITICAL' }));
		expect(byName['memory of running containers']).toEqual(expect.objectContaining({ value: 1.5 * 2 ** 30, level: 'SAFE' }));
		expect(byName['networks']).toEqual(expect.objectContaining({ percent: 100, level: 'EMERGENCY' }));
		expect(report.level).toBe('EMERGENCY');
		expect(report.exitCode).toBe(4);
		// Ids for programs; names for people, with no display indentation: the parts of the disk say whose parts they are.
		expect(report.measurements.map(measurement => measurement.id)).toEqual(
			expect.arrayContaining(['disk', 'data-root', 'containers', 'memory', 'networks', 'volumes']),
		);
		const parts = report.measurements.filter(measurement => measurement.partOf === 'disk');
		expect(parts.length).toBeGreaterThan(0);
		for (const part of parts) expect(part.id).toBe(`disk:${part.name}`);
		expect(report.measurements.every(measurement => measurement.name === measurement.name.trim())).toBe(true);
		expect(report.daemon).toEqual({ endpoint: endpoint.url, reachable: true, latencyMs: 1.5, serverVersion: '27.0.1', apiVersion: '1.41' });
	});

	it('fails closed: a measurement that fails is UNKNOWN with the reason, never SAFE', async () => {
		const { 'system df': _df, 'container stats': _stats, ...rest } = healthy;
		const report = await measureHealth({ config: DEFAULTS, endpoint, docker: docker(rest), ping: up, statfs });
		const byName = Object.fromEntries(report.measurements.map(measurement => [measurement.name, measurement]));
		expect(byName['disk used by docker']).toEqual(
			expect.objectContaining({ level: 'UNKNOWN', note: expect.stringContaining('system df') }),
		);
		expect(byName['memory of running containers']).toEqual(
			expect.objectContaining({ level: 'UNKNOWN', note: expect.stringContaining('docker stats failed') }),
		);
		expect(report.level).toBe('UNKNOWN');
		expect(report.exitCode).toBe(2);
	});

	it('a remote engine without a disk budget is UNKNOWN for disk, not guessed', async () => {
		const remote = { kind: 'tcp', host: 'ci-docker', port: 2375, tls: false, url: 'tcp://ci-docker:2375' } as const;
		const report = await measureHealth({ config: DEFAULTS, endpoint: remote, docker: docker(healthy), ping: up, statfs });
		expect(report.measurements.find(measurement => measurement.name === 'disk used by docker')).toEqual(
			expect.objectContaining({ level: 'UNKNOWN', note: 'the engine is remote: set health.diskBudgetBytes' }),
		);
		expect(report.measurements.some(measurement => measurement.name === 'data root file system')).toBe(false);
	});

	it('an unreachable daemon: nothing else is measured, exit 5', async () => {
		const calls: string[][] = [];
		const report = await measureHealth({
			config: DEFAULTS,
			endpoint,
			statfs,
			docker: async args => {
				calls.push([...args]);
				return { exitCode: 1, stdout: '', stderr: '' };
			},
			ping: async () => ({ ok: false, reason: 'timeout', detail: 'no answer from unix:///var/run/docker.sock within 3000 ms' }),
		});
		expect(report).toEqual(expect.objectContaining({ level: 'UNREACHABLE', exitCode: 5, measurements: [] }));
		expect(report.daemon.problem).toBe('no answer from unix:///var/run/docker.sock within 3000 ms');
		expect(calls).toEqual([]);
	});

	it('an endpoint it cannot ping is reachable only when docker info answers, with the reason shown', async () => {
		const tls = { kind: 'tcp', host: 'ci-docker', port: 2376, tls: true, url: 'tcp://ci-docker:2376' } as const;
		const cannot = async () => ({
			ok: false as const,
			reason: 'unknown' as const,
			detail: 'cannot ping tcp://ci-docker:2376 (TLS and named pipes are not supported yet)',
		});
		const answered = await measureHealth({
			config: { ...DEFAULTS, health: { ...DEFAULTS.health, diskBudgetBytes: 1e12 } },
			endpoint: tls,
			docker: docker(healthy),
			ping: cannot,
			statfs,
		});
		expect(answered.daemon).toEqual(
			expect.objectContaining({
				reachable: true,
				latencyMs: null,
				serverVersion: '27.0.1',
				problem: expect.stringContaining('cannot ping'),
			}),
		);
		expect(answered.level).toBe('SAFE');
		const silent = await measureHealth({ config: DEFAULTS, endpoint: tls, docker: docker({}), ping: cannot, statfs });
		expect(silent.daemon).toEqual(
			expect.objectContaining({
				reachable: false,
				problem: expect.stringMatching(/cannot ping .*; docker info failed: Error response from daemon/),
			}),
		);
		expect(silent.level).toBe('UNKNOWN');
		expect(silent.exitCode).toBe(2);
	});

	it('a docker CLI that hangs (a wedged daemon) is killed at its deadline and read as UNKNOWN', async () => {
		const wedged = dockerClient(join(import.meta.dirname, '..', 'fixtures', 'health', 'docker-wedged'), process.env, 200);
		const started = performance.now();
		const report = await measureHealth({ config: DEFAULTS, endpoint, docker: wedged, ping: up, statfs });
		expect(performance.now() - started).toBeLessThan(5000);
		expect(report.measurements.map(measurement => measurement.level)).toEqual([
			'UNKNOWN',
			'UNKNOWN',
			'UNKNOWN',
			'UNKNOWN',
			'UNKNOWN',
			'UNKNOWN',
		]);
		expect(report.measurements.find(measurement => measurement.name === 'containers')!.note).toBe(
			'docker container ls failed: docker container ls did not finish within 200 ms',
		);
		expect(report.exitCode).toBe(2);
	});
});
