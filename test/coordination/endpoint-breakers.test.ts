import { describe, expect, it } from 'vitest';
import type { BreakerSnapshot } from '../../src/coordination/breaker.js';
import { EndpointBreakers } from '../../src/coordination/endpoint-breakers.js';

const SETTINGS = { failureThreshold: 2, recoveryTimeoutMs: 1000 };
const SAVED_OPEN: BreakerSnapshot = {
	state: 'open',
	consecutiveFailures: 2,
	openedAt: 500,
	nextProbeAt: 5000,
	lastFailure: 'connection refused',
	transitions: 1,
};

describe('EndpointBreakers', () => {
	it('gives one breaker per endpoint, the same one each time', () => {
		const breakers = new EndpointBreakers(SETTINGS, {}, () => 0);
		const a = breakers.of('unix:///a.sock');
		expect(breakers.of('unix:///a.sock')).toBe(a);
		expect(breakers.of('unix:///b.sock')).not.toBe(a);
		a.record('daemon');
		a.record('daemon');
		expect(breakers.of('unix:///a.sock').admit()).toBe('reject');
		expect(breakers.of('unix:///b.sock').admit()).toBe('pass');
	});

	it('starts a breaker from its saved state and uses the injected clock', () => {
		let time = 4999;
		const breakers = new EndpointBreakers(SETTINGS, { 'unix:///a.sock': SAVED_OPEN }, () => time);
		expect(breakers.of('unix:///a.sock').admit()).toBe('reject');
		time = 5000;
		expect(breakers.of('unix:///a.sock').admit()).toBe('probe');
		expect(breakers.of('unix:///fresh.sock').snapshot().state).toBe('closed');
	});

	it('snapshots only the endpoints used, by URL', () => {
		const breakers = new EndpointBreakers(SETTINGS, { 'unix:///a.sock': SAVED_OPEN, 'unix:///unused.sock': SAVED_OPEN }, () => 0);
		expect(breakers.snapshots()).toEqual({});
		breakers.of('unix:///a.sock');
		breakers.of('tcp://h:2375').record('failed');
		expect(breakers.snapshots()).toEqual({
			'unix:///a.sock': SAVED_OPEN,
			'tcp://h:2375': { state: 'closed', consecutiveFailures: 0, openedAt: null, nextProbeAt: null, lastFailure: null, transitions: 0 },
		});
	});
});
