// The fleet gate at its seam: two or three "hosts" (a lane scheduler and its fleet permits each) in this process,
// sharing one real redis-server. Fast: no docker, no CLI processes.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeFleetHosts, DAEMON, type FleetHostOptions, fleetOf as fleetOf_ } from '../fixtures/fleet-hosts.js';
import { type RedisServer, requireRedis, startRedis, stopAllRedis } from '../fixtures/redis.js';

/** Until `condition` holds, polled every 20 ms: for an event of a real process on a busy machine, where a sleep races it. */
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${condition}`);
		await sleep(20);
	}
}

describe.runIf(requireRedis())('fleet permits (real redis-server)', () => {
	let redis: RedisServer;
	beforeAll(async () => {
		redis = await startRedis();
	});
	afterAll(stopAllRedis);
	afterEach(closeFleetHosts);
	const fleetOf = (count: number, options: Omit<FleetHostOptions, 'url'> & { url?: string } = {}) =>
		fleetOf_(count, { url: redis.url, ...options });

	/** How long the first permit held under `base` has left, on Redis's clock (ms). */
	function leaseLeftMs(base: string): number {
		const [seconds, micros] = redis.cli('TIME').split('\n').map(Number);
		const [, end] = redis.cli('ZRANGE', `${base}:h`, '0', '0', 'WITHSCORES').split('\n');
		return Number(end) - (seconds! * 1000 + Math.floor(micros! / 1000));
	}

	it('one permit across hosts: the second host waits until the first releases, and is woken at once (no polling)', async () => {
		const [a, b] = await fleetOf(2);
		const first = await a!.request('a1');
		let grantedAt = 0;
		const second = b!.request('b1').then(result => {
			grantedAt = Date.now();
			return result;
		});
		await sleep(300);
		expect(grantedAt).toBe(0);
		const released = Date.now();
		first.ticket.release();
		await second;
		// Woken by the release's message: without it, the waiter would look again only when the holder's 3 s lease ran out.
		expect(grantedAt - released).toBeLessThan(1000);
	});

	it('serves hosts in the order their calls reached Redis, and spaces starts on its clock', async () => {
		const hosts = await fleetOf(3, { limit: 1, spacingMs: 150 });
		const order: string[] = [];
		const starts: number[] = [];
		const pending: Array<Promise<unknown>> = [];
		for (let i = 0; i < 9; i++) {
			const host = hosts[i % 3]!;
			pending.push(
				host.request(`c${i}`).then(async ({ ticket }) => {
					order.push(`c${i}`);
					// The start as Redis timed it (its TIME, in ms), read while this call still holds the one permit.
					starts.push(Number(redis.cli('GET', `${host.permits.baseOf(ticket.scope, 'mutate')}:last`)));
					await sleep(20);
					ticket.release();
				}),
			);
			await sleep(5);
		}
		await Promise.all(pending);
		// Arrival is when Redis ran the ticket's ENQUEUE (its TIME, in µs): calls 5 ms apart on three connections can
		// reach it in another order on a loaded machine, and that order is the one served.
		const arrivals = hosts
			.flatMap(host => host.log.filter(line => line.startsWith('fleet arrival ')))
			.map(line => ({ score: BigInt(line.split(' ')[2]!), label: line.slice(line.lastIndexOf(' ') + 1) }))
			.sort((x, y) => (x.score < y.score ? -1 : x.score > y.score ? 1 : 0));
		expect(arrivals).toHaveLength(9);
		expect(order).toEqual(arrivals.map(arrival => arrival.label));
		const gaps = starts.slice(1).map((at, i) => at - starts[i]!);
		expect(Math.min(...gaps)).toBeGreaterThanOrEqual(150);
	});

	it('a host that stops renewing (dead) loses its permit when the lease ends; a renewing one keeps it past 3 leases', async () => {
		// Renewed every lease / 3: a lease of 1.5 s lets a renewal come a second late on a busy machine.
		const leaseMs = 1500;
		const [a, b] = await fleetOf(2, { leaseMs });
		const held = await a!.request('held');
		const waiting = b!.request('waits');
		await sleep(3 * leaseMs);
		let got = false;
		void waiting.then(() => (got = true));
		await sleep(50);
		expect(got).toBe(false); // renewed: still held after 3 leases
		// a dies: no more renewals, and no release (its connection goes first, so the release it tries never arrives)
		a!.link.close();
		a!.permits.close();
		const diedAt = Date.now();
		const leftMs = leaseLeftMs(a!.permits.baseOf(DAEMON, 'mutate'));
		await waiting;
		// Not before its lease ended on Redis's clock, and then at once (Redis says when it ends: no polling).
		expect(Date.now() - diedAt).toBeGreaterThanOrEqual(leftMs);
		expect(Date.now() - diedAt).toBeLessThan(leftMs + 1000);
		expect(held.ticket.label).toBe('held');
	});

	it('a broker that stops gives back what it holds and waits for: other hosts need not wait for its leases', async () => {
		const [a, b] = await fleetOf(2, { leaseMs: 5000 });
		await a!.request('held');
		void a!.request('queued-behind'); // joins the fleet's queue ahead of b's call
		await until(() => a!.log.some(line => / queued-behind$/.test(line) && line.startsWith('fleet arrival ')));
		const waiting = b!.request('b');
		await sleep(200);
		const stoppedAt = Date.now();
		await a!.permits.close();
		await waiting;
		// Woken by the release of both, not by the end of their 5 s leases.
		expect(Date.now() - stoppedAt).toBeLessThan(2500);
	});

	it('Redis emptied under a held permit: the holder re-announces it at the next renewal, and the limit holds again', async () => {
		const [a, b] = await fleetOf(2, { leaseMs: 1500 });
		await a!.request('held');
		redis.cli('FLUSHALL');
		// a's next renewal puts its permit back (a fixed sleep raced a renewal late on a busy machine); b's call then waits for it.
		await until(() => redis.cli('ZCARD', `${a!.permits.baseOf(DAEMON, 'mutate')}:h`) === '1');
		let got = false;
		void b!.request('waits').then(() => (got = true));
		await sleep(400);
		expect(got).toBe(false);
	});

	it('no Redis: `local` grants at once with a note; `fail` refuses with the reason; both without credentials', async () => {
		// Port 1: nothing listens there, ever (a stopped server's port can be handed to another server meanwhile).
		const gone = { port: 1 };
		const url = `redis://:s3cret@127.0.0.1:${gone.port}`;
		const [local] = await fleetOf(1, { url });
		const granted = await local!.request('x');
		expect(granted.note).toMatch(
			/^the fleet's Redis at redis:\/\/\*\*\*@127\.0\.0\.1:\d+ cannot be reached \(.*ECONNREFUSED.*\); running under this host's limits only/,
		);
		const [failing] = await fleetOf(1, { url, onUnavailable: 'fail' });
		const refused = await failing!.request('y');
		expect(refused.refused).toMatch(/ECONNREFUSED/);
		expect(`${granted.note} ${refused.refused} ${local!.log.join(' ')}`).not.toContain('s3cret');
	});

	it('joins by itself once Redis comes up after the broker started', async () => {
		const late = await startRedis();
		await late.stop();
		const [a, b] = await fleetOf(2, { url: late.url });
		const before = await a!.request('before');
		expect(before.note).toMatch(/cannot be reached/);
		await late.start();
		// Both rejoin within their reconnect backoff (at most 2 s), and a re-announces `before`: wait for that, not for 2.5 s.
		await until(() => [a!, b!].every(host => host.log.some(line => line.includes('fleet: joined'))), 20_000);
		await until(() => late.cli('ZCARD', `${a!.permits.baseOf(DAEMON, 'mutate')}:h`) === '1');
		// `before` ran under this host's limits; once joined, it is re-announced and holds the fleet's one permit.
		let afterGranted = false;
		const after = a!.request('after').then(result => {
			afterGranted = true;
			return result;
		});
		await sleep(300);
		expect(afterGranted).toBe(false);
		const releasedAt = Date.now();
		before.ticket.release();
		expect((await after).note).toBeUndefined();
		// Woken by the release (its events connection subscribed when Redis came up), not by the 3 s lease.
		expect(Date.now() - releasedAt).toBeLessThan(1000);
		let got = false;
		void b!.request('second').then(() => (got = true));
		await sleep(300);
		expect(got).toBe(false);
		expect(a!.log.some(line => line.includes('fleet: joined'))).toBe(true);
		await late.stop();
	}, 20_000);
});
