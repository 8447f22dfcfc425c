// Fleet mode with real processes: three "hosts" (separate state dirs, brokers and clients) on this machine share one
// real redis-server. Each host's calls go through its own broker; the limits, spacing and order hold across them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { children, launch, maxConcurrency, runs, setup } from '../fixtures/limits.js';
import { type RedisServer, requireRedis, startRedis, stopAllRedis } from '../fixtures/redis.js';

afterEach(() => {
	for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** Lines of a broker's log with their time, for the trace of what it queued and granted. */
function trace(home: string, what: string): Array<{ at: number; label: string }> {
	return readFileSync(join(home, 'broker.log'), 'utf8')
		.split('\n')
		.filter(line => line.includes(` ${what} mutate `))
		.map(line => ({ at: Date.parse(line.slice(0, 24)), label: line.slice(line.lastIndexOf(' ') + 1) }));
}

describe.runIf(requireRedis())('fleet mode', () => {
	let redis: RedisServer;
	beforeAll(async () => {
		redis = await startRedis();
	});
	afterAll(stopAllRedis);

	/** Three hosts of one fleet, writing to one fake-docker log. */
	function fleet(extra: Record<string, string> = {}) {
		const first = setup({
			SAFE_DOCKER_FLEET_REDIS: redis.url,
			SAFE_DOCKER_FLEET_PREFIX: `t${Date.now()}`,
			SAFE_DOCKER_BROKER_TRACE: '1',
			...extra,
		});
		const hosts = [first, ...[1, 2].map(() => setup({ ...extra }))].map(host => ({
			...host,
			env: {
				...host.env,
				FAKE_DOCKER_LOG: first.log,
				SAFE_DOCKER_FLEET_REDIS: redis.url,
				SAFE_DOCKER_FLEET_PREFIX: first.env['SAFE_DOCKER_FLEET_PREFIX'],
				SAFE_DOCKER_BROKER_TRACE: '1',
			},
		}));
		return { hosts, log: first.log };
	}

	it('33 calls across 3 hosts: fleet-wide never more than 3 at once, starts ≥ 500 ms apart, served in arrival order', async () => {
		const { hosts, log } = fleet({ FAKE_DOCKER_SLEEP: '0.9' });
		const calls = [];
		for (let i = 0; i < 33; i++) {
			calls.push(launch(['run', '-d', `img${String(i).padStart(2, '0')}`], hosts[i % 3]!.env));
			await sleep(i < 3 ? 400 : 120); // a definite arrival order, across hosts
		}
		expect(await Promise.all(calls.map(call => call.exited))).toEqual(Array(33).fill(0));
		const mutating = runs(log).filter(run => run.args.startsWith('run -d'));
		expect(mutating).toHaveLength(33);
		expect(maxConcurrency(mutating)).toBeLessThanOrEqual(3);
		expect(maxConcurrency(mutating)).toBe(3);
		const granted = hosts.flatMap(host => trace(host.home, 'granted')).sort((a, b) => a.at - b.at);
		const queued = hosts.flatMap(host => trace(host.home, 'queued')).sort((a, b) => a.at - b.at);
		expect(granted).toHaveLength(33);
		// Spacing on Redis's clock; a broker logs its grant a round trip later, so allow a little for that.
		const gaps = granted.slice(1).map((grant, i) => grant.at - granted[i]!.at);
		expect(Math.min(...gaps)).toBeGreaterThanOrEqual(500 - 25);
		// Each host alone would have run 3 at once: the fleet as a whole is held to the limit.
		expect(granted.map(grant => grant.label)).toEqual(queued.map(entry => entry.label));
		expect(new Set(granted.map(grant => grant.label)).size).toBe(33);
	}, 120_000);
});
