// Hosts configured with different limits share one daemon: the strictest holds fleet-wide, whichever host asks.
// Real redis-server; the hosts are lane schedulers with fleet permits in this process (see fixtures/fleet-hosts.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeFleet, fleetMetrics } from '../../src/fleet/describe-fleet.js';
import { readFleetStatus } from '../../src/fleet/fleet-status.js';
import { closeFleetHosts, DAEMON, type FleetHost, fleetOf } from '../fixtures/fleet-hosts.js';
import { type RedisServer, requireRedis, startRedis, stopAllRedis } from '../fixtures/redis.js';

/** Whether the request is granted within `ms`. */
async function grantedWithin(request: Promise<unknown>, ms: number): Promise<boolean> {
	return Promise.race([request.then(() => true), sleep(ms).then(() => false)]);
}

/** Grant times on Redis's clock (ms), from a host's trace. */
const grantTimes = (host: FleetHost) => host.log.filter(line => line.startsWith('fleet grant ')).map(line => Number(line.split(' ')[2]));

describe.runIf(requireRedis())('fleet limits (real redis-server)', () => {
	let redis: RedisServer;
	beforeAll(async () => {
		redis = await startRedis();
	});
	afterAll(stopAllRedis);
	afterEach(closeFleetHosts);

	it("the strictest host's limit holds for every host's calls; it is said in the log, and lifted when that host stops", async () => {
		const [strict, loose] = await fleetOf(2, i => ({ url: redis.url, limit: i === 0 ? 1 : 3 }));
		(await strict!.request('strict-call')).ticket.release();
		const first = await loose!.request('l1');
		const second = loose!.request('l2');
		const third = loose!.request('l3');
		// Its own limit is 3; the fleet's is 1 (without it, the loose host would run all three at once).
		expect(await grantedWithin(second, 400)).toBe(false);
		expect(loose!.permits.fleetLimit(first.ticket)).toBe(1);
		expect(loose!.log).toContain(
			"fleet mutate: 1 at once fleet-wide, the strictest limit of the hosts that use this daemon (this host's own: 3)",
		);
		await strict!.permits.close();
		// The strict host withdrew its word: the loose host's own limit holds, and it is woken by the withdrawal (else only
		// when the first word said would lapse: 2 to 3 s away with a 3 s lease, renewed every second).
		expect(await grantedWithin(Promise.all([second, third]), 1500)).toBe(true);
		expect(loose!.scheduler.running('mutate').map(ticket => ticket.label)).toEqual(['l1', 'l2', 'l3']);
	});

	it('the longest spacing any host is configured with holds between every start, on Redis clock', async () => {
		const [patient, eager] = await fleetOf(2, i => ({ url: redis.url, limit: 5, spacingMs: i === 0 ? 250 : 0 }));
		(await patient!.request('p')).ticket.release();
		const calls = await Promise.all(Array.from({ length: 4 }, (_, i) => eager!.request(`e${i}`)));
		for (const call of calls) call.ticket.release();
		const starts = [...grantTimes(patient!), ...grantTimes(eager!)].sort((x, y) => x - y);
		expect(starts).toHaveLength(5);
		const gaps = starts.slice(1).map((at, i) => at - starts[i]!);
		expect(Math.min(...gaps)).toBeGreaterThanOrEqual(250);
	});

	it("a dead host's word lapses with its lease: the others' limits hold again without it", async () => {
		const leaseMs = 1500;
		const [dying, alive] = await fleetOf(2, i => ({ url: redis.url, limit: i === 0 ? 1 : 2, leaseMs }));
		(await dying!.request('d')).ticket.release();
		const first = await alive!.request('a1');
		expect(alive!.permits.fleetLimit(first.ticket)).toBe(1);
		// It dies: no renewal, no withdrawal.
		dying!.scheduler.close();
		dying!.link.close();
		const diedAt = Date.now();
		// When its word lapses, on Redis's clock, read after its death: it was said again every lease / 3, but on a busy
		// machine that renewal can come late, so the lapse is not at a fixed share of the lease after the death.
		const [seconds, micros] = redis.cli('TIME').split('\n').map(Number);
		const lapsesAt = Number(redis.cli('ZSCORE', `${dying!.permits.baseOf(DAEMON, 'mutate')}:saidx`, 'host0'));
		const leftMs = lapsesAt - (seconds! * 1000 + Math.floor(micros! / 1000));
		expect(leftMs).toBeGreaterThan(0);
		const second = await alive!.request('a2');
		const waitedMs = Date.now() - diedAt;
		expect(waitedMs).toBeGreaterThanOrEqual(leftMs); // not before it lapsed
		// Its word lapses with its lease: were it kept, a2 would wait behind a1 (renewed all along) for ever.
		expect(waitedMs).toBeLessThan(leaseMs + 3000);
		expect(alive!.permits.fleetLimit(second.ticket)).toBe(2);
	});

	it('a shared adaptive limit holds only on the daemon it was learned on', async () => {
		const [learner, other] = await fleetOf(2, i => ({ url: redis.url, limit: 3, adaptive: i === 0 }));
		(await learner!.request('learn')).ticket.release();
		learner!.permits.shareLimit('mutate', 1);
		await sleep(100);
		const elsewhere = 'tcp://build-vm:2376';
		const there = await Promise.all([other!.request('x1', elsewhere), other!.request('x2', elsewhere)]);
		expect(there).toHaveLength(2); // another daemon: the learned limit is not its
		const here = await other!.request('h1');
		expect(other!.permits.fleetLimit(here.ticket)).toBe(1);
		expect(await grantedWithin(other!.request('h2'), 400)).toBe(false);
	});

	it('guard broker status shows the fleet limit and, when hosts differ, what each said', async () => {
		const [a, b] = await fleetOf(2, i => ({ url: redis.url, limit: i === 0 ? 2 : 4, spacingMs: i === 0 ? 0 : 100 }));
		(await a!.request('a')).ticket.release();
		(await b!.request('b')).ticket.release();
		const status = await readFleetStatus(a!.link, a!.permits.baseOf(DAEMON, 'mutate').split(':{')[0]!, 'host0');
		expect(status.limits['mutate']).toEqual({
			limit: 2,
			spacingMs: 100,
			said: expect.arrayContaining([
				{ id: 'host0', limit: 2, spacingMs: 0 },
				{ id: 'host1', limit: 4, spacingMs: 100 },
			]),
		});
		const mutate = describeFleet(status).find(line => line.startsWith('fleet mutate'))!;
		expect(mutate).toMatch(
			/^fleet mutate\s+2 at once, 100 ms apart \(the strictest of: host0 2 at once, 0 ms; host1 4 at once, 100 ms|host1 4 at once, 100 ms; host0 2 at once, 0 ms\); 0 held fleet-wide, 0 waiting$/,
		);
		const metric = fleetMetrics(status).find(([name]) => name === 'safe_docker_fleet_limit')!;
		expect(metric[3]).toEqual([['{lane="mutate"}', 2]]);
	});
});
