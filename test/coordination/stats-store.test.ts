import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BreakerSnapshot } from '../../src/coordination/breaker.js';
import { StatsStore } from '../../src/coordination/stats-store.js';
import { tempDir } from '../fixtures/cli.js';

const T0 = Date.parse('2026-01-02T03:04:05.000Z');
const OPEN: BreakerSnapshot = {
	state: 'open',
	consecutiveFailures: 5,
	openedAt: T0,
	nextProbeAt: T0 + 30_000,
	lastFailure: 'connection refused',
	transitions: 1,
};

function setup(stats?: string, dir = tempDir()) {
	if (stats !== undefined) writeFileSync(join(dir, 'stats.json'), stats);
	const lines: string[] = [];
	let time = T0;
	const open = () =>
		new StatsStore(
			dir,
			line => lines.push(line),
			() => time,
		);
	return {
		dir,
		lines,
		open,
		store: open(),
		setTime: (at: number) => {
			time = at;
		},
	};
}

describe('StatsStore', () => {
	it('starts empty', () => {
		const { store, lines } = setup();
		expect(store.summary()).toEqual({
			since: '2026-01-02T03:04:05.000Z',
			totalCalls: 0,
			failures: { failed: 0, daemon: 0 },
			waitedCalls: 0,
			waitMs: { p50: 0, p95: 0, max: 0 },
			breakers: {},
			adaptive: {},
		});
		expect(lines).toEqual([]);
	});

	it('counts calls, failures by kind, waits of 50 ms or more, and wait percentiles', () => {
		const { store } = setup();
		for (let wait = 100; wait >= 1; wait--) store.record({ waitedMs: wait, kind: 'ok' });
		store.record({ waitedMs: 0, kind: 'failed' });
		store.record({ waitedMs: 49.4, kind: 'daemon' }); // rounds to 49: did not wait
		store.record({ waitedMs: 49.5, kind: 'daemon' }); // rounds to 50: waited
		const summary = store.summary();
		expect(summary.totalCalls).toBe(103);
		expect(summary.failures).toEqual({ failed: 1, daemon: 2 });
		expect(summary.waitedCalls).toBe(51 + 1); // 50..100, and 49.5
		// 103 waits sorted: 0, 1..49, 49, 50, 50, 51..100
		expect(summary.waitMs).toEqual({ p50: 50, p95: 95, max: 100 });
	});

	it('summarises with the breakers given over the stored ones', () => {
		const { store } = setup();
		store.save({ 'unix:///a.sock': OPEN });
		const closed = { ...OPEN, state: 'closed' as const };
		expect(store.summary({ 'unix:///b.sock': closed }).breakers).toEqual({ 'unix:///a.sock': OPEN, 'unix:///b.sock': closed });
	});

	it('reset counts afresh from now and keeps the breakers', () => {
		const { store, setTime } = setup();
		store.record({ waitedMs: 500, kind: 'daemon' });
		store.save({ 'unix:///a.sock': OPEN });
		setTime(T0 + 60_000);
		store.reset();
		expect(store.summary()).toEqual({
			since: new Date(T0 + 60_000).toISOString(),
			totalCalls: 0,
			failures: { failed: 0, daemon: 0 },
			waitedCalls: 0,
			waitMs: { p50: 0, p95: 0, max: 0 },
			breakers: { 'unix:///a.sock': OPEN },
			adaptive: {},
		});
		expect(store.breakers).toEqual({ 'unix:///a.sock': OPEN });
	});

	it('keeps what an adaptive lane learned across restarts and resets; a bad lane is dropped with one line', () => {
		const { dir, store, lines } = setup();
		const learned = {
			limit: 5,
			reason: 'latency 1.40× baseline',
			changedAt: T0,
			measuring: null,
			slowStart: false,
			classes: { run: { baselineMs: 400, recentMs: 560, solo: [390, 400, 410], recent: [560] } },
		};
		store.setAdaptive({ mutate: learned });
		store.reset();
		store.save();
		expect(new StatsStore(dir).adaptive).toEqual({ mutate: learned });
		const saved = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8'));
		writeFileSync(join(dir, 'stats.json'), JSON.stringify({ ...saved, adaptive: { mutate: learned, read: { ...learned, limit: 0 } } }));
		const again = new StatsStore(dir, line => lines.push(line));
		expect(again.adaptive).toEqual({ mutate: learned });
		expect(lines).toEqual([`${join(dir, 'stats.json')}: adaptive["read"] is not valid; reset to its default`]);
	});

	it('saves and loads the same counters', () => {
		const { store, open, dir, lines } = setup();
		store.record({ waitedMs: 10, kind: 'ok' });
		store.record({ waitedMs: 70, kind: 'failed' });
		expect(store.save({ 'unix:///a.sock': OPEN })).toBe(true);
		const again = open();
		expect(again.summary()).toEqual(store.summary());
		expect(again.breakers).toEqual({ 'unix:///a.sock': OPEN });
		expect(JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8')).waits).toEqual([10, 70]);
		expect(readdirSync(dir)).toEqual(['stats.json']);
		expect(lines).toEqual([]);
	});

	it.each([
		['waits', '{"totalCalls":4,"waits":"abc"}', { totalCalls: 4, waitMs: { p50: 0, p95: 0, max: 0 } }],
		['totalCalls', '{"totalCalls":-1,"waitedCalls":2}', { totalCalls: 0, waitedCalls: 2 }],
		['failures', '{"failures":{"failed":1},"totalCalls":3}', { totalCalls: 3, failures: { failed: 0, daemon: 0 } }],
		['since', '{"since":"yesterday","totalCalls":3}', { totalCalls: 3, since: new Date(T0).toISOString() }],
	])('a wrong %s resets only that field, with one line naming it', (field, stats, expected) => {
		const { store, lines, dir } = setup(stats);
		expect(store.summary()).toMatchObject(expected);
		expect(lines).toEqual([`${join(dir, 'stats.json')}: ${field} is not valid; reset to its default`]);
	});

	it('drops only the garbage breaker entry, naming it', () => {
		const stats = JSON.stringify({ totalCalls: 2, breakers: { 'unix:///bad.sock': { state: 'broken' }, 'unix:///good.sock': OPEN } });
		const { store, lines } = setup(stats);
		expect(store.breakers).toEqual({ 'unix:///good.sock': OPEN });
		expect(store.summary().totalCalls).toBe(2);
		expect(lines).toHaveLength(1);
		expect(lines[0]).toContain('breakers["unix:///bad.sock"] is not valid');
	});

	it('counts afresh from invalid JSON, with one line', () => {
		const { store, lines, dir } = setup('{"totalCalls": 3,');
		expect(store.summary().totalCalls).toBe(0);
		expect(lines).toEqual([`${join(dir, 'stats.json')} is not valid JSON; counting afresh`]);
	});

	it('a failed save returns false, logs, leaves no temporary file and does not throw', () => {
		const dir = tempDir();
		mkdirSync(join(dir, 'stats.json'));
		const { store, lines } = setup(undefined, dir);
		expect(lines).toHaveLength(1); // cannot read a directory: counting afresh
		expect(lines[0]).toMatch(/^cannot read .*stats\.json: .*; counting afresh$/);
		store.record({ waitedMs: 1, kind: 'ok' });
		expect(store.save()).toBe(false);
		expect(lines).toHaveLength(2);
		expect(lines[1]).toMatch(/^cannot save statistics to .*stats\.json: /);
		expect(readdirSync(dir)).toEqual(['stats.json']);
		expect(store.summary().totalCalls).toBe(1);
	});
});
