import type { FleetAdmission, FleetBreakers } from '../fleet/fleet-breakers.js';
import type { BreakerSnapshot } from './breaker.js';
import type { EndpointBreakers } from './endpoint-breakers.js';

/** Whether a call to an endpoint may queue: `pass`, `probe` (it is the one half-open probe) or `reject` (fail fast). */
export interface Admission {
	readonly verdict: 'pass' | 'probe' | 'reject';
	/** The breaker as the caller is told of it when rejected. */
	readonly breaker: BreakerSnapshot;
}

/**
 * The breaker's admission of a call, across processes and, in fleet mode, across hosts: while the fleet's Redis
 * answers, its breaker decides (and this host's breaker follows it); otherwise this host's breaker decides alone.
 */
export class BreakerAdmission {
	constructor(
		private readonly breakers: EndpointBreakers,
		private readonly fleet: FleetBreakers | undefined,
		private readonly log: (line: string) => void,
	) {
		fleet?.onOpened(url => {
			const local = breakers.of(url);
			if (local.snapshot().state === 'closed') local.trip('opened by a host of the fleet');
			this.onOpened?.(url);
		});
	}

	/** Runs when a breaker opens for everyone (here or on another host): waiting calls to that endpoint fail fast. */
	onOpened?: (url: string) => void;

	async admit(url: string): Promise<Admission> {
		const local = this.breakers.of(url);
		const fleet = await this.fleet?.admit(url);
		if (fleet === undefined) {
			const verdict = local.admit();
			return { verdict, breaker: local.snapshot() };
		}
		return this.follow(url, fleet);
	}

	/** A finished call or a stall opened this host's breaker: open it for the fleet as well. */
	opened(url: string): void {
		const detail = this.breakers.of(url).snapshot().lastFailure ?? 'daemon failures';
		this.log(`breaker of ${url} opened: ${detail}`);
		this.fleet?.opened(url, detail);
		this.onOpened?.(url);
	}

	/** The outcome of the one half-open probe. */
	probed(url: string, ok: boolean, detail?: string): void {
		this.breakers.of(url).record(ok ? 'ok' : 'daemon', detail);
		this.log(`probe of ${url}: ${ok ? 'ok, breaker closed' : `${detail}, breaker open`}`);
		if (ok) this.fleet?.closed(url);
		else this.fleet?.opened(url, detail ?? 'the probe failed');
	}

	/** This host's breaker follows the fleet's. */
	private follow(url: string, fleet: FleetAdmission): Admission {
		const local = this.breakers.of(url);
		if (fleet.verdict === 'pass') {
			if (local.snapshot().state !== 'closed') local.record('ok');
			return { verdict: 'pass', breaker: local.snapshot() };
		}
		if (local.snapshot().state === 'closed') local.trip(fleet.breaker.lastFailure ?? 'opened by a host of the fleet');
		return { verdict: fleet.verdict, breaker: fleet.breaker };
	}
}
