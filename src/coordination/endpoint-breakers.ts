import { Breaker, type BreakerSettings, type BreakerSnapshot } from './breaker.js';

/** One breaker per daemon endpoint (URL), created on first use from its saved state, if any. */
export class EndpointBreakers {
	private readonly breakers = new Map<string, Breaker>();

	constructor(
		private readonly settings: BreakerSettings,
		private readonly saved: Readonly<Record<string, BreakerSnapshot>> = {},
		private readonly now: () => number = Date.now,
	) {}

	of(url: string): Breaker {
		const breaker = this.breakers.get(url) ?? new Breaker(this.settings, this.now, this.saved[url]);
		this.breakers.set(url, breaker);
		return breaker;
	}

	snapshots(): Record<string, BreakerSnapshot> {
		return Object.fromEntries([...this.breakers].map(([url, breaker]) => [url, breaker.snapshot()]));
	}
}
