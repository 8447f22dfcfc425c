import { describe, expect, it } from 'vitest';
import { Breaker, type BreakerSnapshot } from '../../src/coordination/breaker.js';

const T0 = 1_000_000;
const SETTINGS = { failureThreshold: 3, recoveryTimeoutMs: 30_000 };

function setup(saved?: BreakerSnapshot) {
	let time = T0;
	let failures = 0;
	const breaker = new Breaker(SETTINGS, () => time, saved);
	return {
		breaker,
		advance: (ms: number) => {
			time += ms;
		},
		failTimes: (n: number) => {
			for (let i = 0; i < n; i++) breaker.record('daemon', `failure ${++failures}`);
		},
	};
}

describe('Breaker', () => {
	it('opens after failureThreshold consecutive daemon failures, and not before', () => {
		const { breaker, failTimes } = setup();
		failTimes(2);
		expect(breaker.admit()).toBe('pass');
		expect(breaker.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 2, lastFailure: 'failure 2', transitions: 0 });
		failTimes(1);
		expect(breaker.snapshot()).toEqual({
			state: 'open',
			consecutiveFailures: 3,
			openedAt: T0,
			nextProbeAt: T0 + 30_000,
			lastFailure: 'failure 3',
			transitions: 1,
		});
		expect(breaker.admit()).toBe('reject');
	});

	it.each(['ok', 'failed'] as const)('a call the daemon answered (%s) resets the count', kind => {
		const { breaker, failTimes } = setup();
		failTimes(2);
		breaker.record(kind);
		expect(breaker.snapshot().consecutiveFailures).toBe(0);
		failTimes(2);
		expect(breaker.snapshot().state).toBe('closed');
		failTimes(1);
		expect(breaker.snapshot().state).toBe('open');
	});

	it('names a daemon failure without detail', () => {
		const { breaker } = setup();
		breaker.record('daemon');
		expect(breaker.snapshot().lastFailure).toBe('daemon failure');
	});

	it('rejects while open until nextProbeAt, then lets exactly one probe through', () => {
		const { breaker, failTimes, advance } = setup();
		failTimes(3);
		advance(29_999);
		expect(breaker.admit()).toBe('reject');
		advance(1);
		expect(breaker.admit()).toBe('probe');
		expect(breaker.snapshot().state).toBe('half-open');
		expect(breaker.admit()).toBe('reject');
		advance(60_000);
		expect(breaker.admit()).toBe('reject');
	});

	it('a successful probe closes the breaker', () => {
		const { breaker, failTimes, advance } = setup();
		failTimes(3);
		advance(30_000);
		breaker.admit();
		breaker.record('ok');
		expect(breaker.snapshot()).toEqual({
			state: 'closed',
			consecutiveFailures: 0,
			openedAt: null,
			nextProbeAt: null,
			lastFailure: 'failure 3',
			transitions: 3, // open, half-open, closed
		});
		expect(breaker.admit()).toBe('pass');
	});

	it('a failed probe re-opens for another recovery period, keeping openedAt', () => {
		const { breaker, failTimes, advance } = setup();
		failTimes(3);
		advance(30_000);
		breaker.admit();
		advance(500);
		breaker.record('daemon', 'still down');
		expect(breaker.snapshot()).toEqual({
			state: 'open',
			consecutiveFailures: 4,
			openedAt: T0,
			nextProbeAt: T0 + 30_500 + 30_000,
			lastFailure: 'still down',
			transitions: 3, // open, half-open, open
		});
		advance(29_999);
		expect(breaker.admit()).toBe('reject');
		advance(1);
		expect(breaker.admit()).toBe('probe');
	});

	it('more daemon failures while open neither move the probe time nor count as transitions', () => {
		const { breaker, failTimes, advance } = setup();
		failTimes(3);
		advance(10_000);
		failTimes(2);
		expect(breaker.snapshot()).toMatchObject({ state: 'open', consecutiveFailures: 5, nextProbeAt: T0 + 30_000, transitions: 1 });
	});

	it('restores a saved half-open snapshot as open, probe time and counts kept', () => {
		const saved: BreakerSnapshot = {
			state: 'half-open',
			consecutiveFailures: 7,
			openedAt: T0 - 60_000,
			nextProbeAt: T0 + 5_000,
			lastFailure: 'connection refused',
			transitions: 4,
		};
		const { breaker, advance } = setup(saved);
		expect(breaker.snapshot()).toEqual({ ...saved, state: 'open' });
		expect(breaker.admit()).toBe('reject');
		advance(5_000);
		expect(breaker.admit()).toBe('probe');
		expect(breaker.snapshot().transitions).toBe(5);
	});

	it('restores a saved open breaker as open and a closed one as closed', () => {
		const open: BreakerSnapshot = {
			state: 'open',
			consecutiveFailures: 3,
			openedAt: T0,
			nextProbeAt: T0 + 1,
			lastFailure: 'x',
			transitions: 1,
		};
		expect(setup(open).breaker.admit()).toBe('reject');
		expect(setup({ ...open, state: 'closed', openedAt: null, nextProbeAt: null }).breaker.admit()).toBe('pass');
	});
});
