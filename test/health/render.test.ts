import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/defaults.js';
import type { DockerClient } from '../../src/docker/client.js';
import { useColour } from '../../src/health/colour.js';
import { type HealthReport, measureHealth } from '../../src/health/measure.js';
import { renderLine, renderReport } from '../../src/health/render.js';

const endpoint = { kind: 'unix', path: '/var/run/docker.sock', url: 'unix:///var/run/docker.sock' } as const;
const answers: Record<string, string> = {
	'info --format': JSON.stringify({ DockerRootDir: '/var/lib/docker', MemTotal: 8e9, ServerVersion: '20.10.24' }),
	'system df': JSON.stringify({ Type: 'Images', Size: '2GB' }),
	'container ls': 'a\n',
	'container stats': '',
	'network ls': 'n\n',
};
const docker: DockerClient = async args => {
	const key = Object.keys(answers).find(prefix => args.join(' ').startsWith(prefix));
	return key === undefined
		? { exitCode: 1, stdout: '', stderr: 'Error response from daemon: simulated' }
		: { exitCode: 0, stdout: answers[key]!, stderr: '' };
};
const report = (): Promise<HealthReport> =>
	measureHealth({
		config: DEFAULTS,
		endpoint,
		docker,
		statfs: () => ({ blocks: 100, bfree: 20, bsize: 1e8 }),
		now: () => new Date('2026-01-02T03:04:05Z'),
		ping: async () => ({ ok: true, latencyMs: 2.04, apiVersion: '1.41' }),
	});

describe('rendering a report', () => {
	it('a compact table: value, limit, use, level; the reason beside an UNKNOWN', async () => {
		expect(renderReport(await report(), false, {})).toBe(
			[
				'daemon  reachable at unix:///var/run/docker.sock, ping 2 ms, server 20.10.24 (API 1.41); breaker: no broker running',
				'resource                       value        limit        use      level',
				'disk used by docker            2GB          10GB         20.0%    SAFE',
				'  images                       2GB          10GB         20.0%',
				'data root file system          8GB          10GB         80.0%    CRITICAL',
				'containers                     1            200          0.5%     SAFE',
				'memory of running containers   0B           8GB          0.0%     SAFE',
				'networks                       1            30           3.3%     SAFE',
				'volumes                        -            -            -        UNKNOWN docker volume ls failed: Error response from daemon: simulated',
				'overall CRITICAL',
				'',
			].join('\n'),
		);
	});

	it('one line per interval for --watch without a terminal', async () => {
		expect(renderLine(await report())).toBe(
			'2026-01-02T03:04:05.000Z CRITICAL ping=2ms disk=20.0% data-root=80.0% containers=0.5% memory=0.0% networks=3.3% volumes=UNKNOWN',
		);
	});

	it('colours levels on a terminal only, and never under NO_COLOR', async () => {
		const measured = await report();
		expect(renderReport(measured, true, {})).toContain('\u001B[31mCRITICAL\u001B[39m');
		expect(renderReport(measured, false, {})).not.toContain('\u001B[');
		expect(renderReport(measured, true, { NO_COLOR: '1' })).not.toContain('\u001B[');
		expect(renderReport(measured, false, { FORCE_COLOR: '1' })).toContain('\u001B[');
	});

	it('useColour: FORCE_COLOR decides, else NO_COLOR, else a terminal that is not dumb', () => {
		const tty = { isTTY: true };
		expect([
			useColour(tty, {}),
			useColour({}, {}),
			useColour(tty, { NO_COLOR: '1' }),
			useColour(tty, { NO_COLOR: '' }),
			useColour(tty, { TERM: 'dumb' }),
		]).toEqual([true, false, false, true, false]);
		expect([
			useColour({}, { FORCE_COLOR: '' }),
			useColour({}, { FORCE_COLOR: '2' }),
			useColour(tty, { FORCE_COLOR: '0' }),
			useColour(tty, { FORCE_COLOR: 'false' }),
			useColour({}, { FORCE_COLOR: '1', NO_COLOR: '1' }),
		]).toEqual([true, true, false, false, true]);
	});
});
