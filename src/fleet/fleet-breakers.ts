import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { BreakerSnapshot } from '../coordination/breaker.js';
import type { FleetLink } from './fleet-link.js';

/** The fleet's word on a call to an endpoint: `pass`, or the breaker is open (`reject`) and maybe this host probes. */
export type FleetAdmission = { readonly verdict: 'pass' } | { readonly verdict: 'probe' | 'reject'; readonly breaker: BreakerSnapshot };

const OPENED = 'breaker-open ';
const CLOSED = 'breaker-closed ';

/**
 * Breakers shared by the fleet: a breaker any host opens is open for every host of that endpoint, until one probe,
 * fleet-wide, closes it (see breaker-scripts.ts). Each host still counts its own consecutive failures
 * (its local breaker) and tells the fleet when that opens; the fleet's state decides admission while Redis answers.
 */
export class FleetBreakers {
	constructor(
		private readonly link: FleetLink,
		private readonly prefix: string,
		private readonly settings: { readonly recoveryTimeoutMs: number; readonly probeTimeoutMs: number },
	) {}

	/** The fleet's admission for a call to `url`; undefined when Redis cannot be asked (this host decides alone). */
	async admit(url: string): Promise<FleetAdmission | undefined> {
		if (!(await this.link.available())) return undefined;
		const { breaker, probe } = this.keysOf(url);
		try {
			const [verdict, openedAt, nextProbeAt, detail] = (await this.link.run(
				'fleetBreakerAdmit',
				breaker,
				probe,
				this.settings.probeTimeoutMs + 1000,
				hostname(),
			)) as [FleetAdmission['verdict'], string, string, string];
			if (verdict === 'pass') return { verdict };
			return {
				verdict,
				breaker: {
					state: verdict === 'probe' ? 'half-open' : 'open',
					consecutiveFailures: 0,
					openedAt: Number(openedAt),
					nextProbeAt: Number(nextProbeAt),
					lastFailure: detail,
					transitions: 0,
				},
			};
		} catch {
			return undefined;
		}
	}

	/** This host's breaker for `url` opened (or its probe failed): open it for the fleet. */
	opened(url: string, detail: string): void {
		const { breaker, probe } = this.keysOf(url);
		const text = `${detail} (seen by ${hostname()})`;
		void this.link
			.run('fleetBreakerOpen', breaker, probe, this.settings.recoveryTimeoutMs, text, this.link.channel, `${OPENED}${url}`)
			.catch(() => undefined);
	}

	/** This host's probe of `url` succeeded: close the breaker for the fleet. */
	closed(url: string): void {
		const { breaker, probe } = this.keysOf(url);
		void this.link.run('fleetBreakerClose', breaker, probe, this.link.channel, `${CLOSED}${url}`).catch(() => undefined);
	}

	/** A host of the fleet (this one included) opened the breaker of an endpoint. */
	onOpened(listener: (url: string) => void): void {
		this.link.onEvent(message => {
			if (message.startsWith(OPENED)) listener(message.slice(OPENED.length));
		});
	}

	private keysOf(url: string) {
		const base = `${this.prefix}:{ep:${createHash('sha1').update(url).digest('hex').slice(0, 16)}}`;
		return { breaker: `${base}:breaker`, probe: `${base}:probe` };
	}
}
