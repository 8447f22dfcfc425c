/** Windows after which what a limit delivered is forgotten (the daemon's load from elsewhere moves too). */
const FORGET_AFTER = 40;
/** A limit whose throughput is within this fraction of the best is as good as the best. */
const GOOD_ENOUGH = 0.9;

/**
 * What each limit delivered: throughput in baseline calls at once (calls in flight over latency in
 * baselines, by Little's law), averaged over its recent windows. A Docker daemon's throughput does not stop
 * at a sharp capacity: on two cores, `run --rm` goes from 1 call's worth alone to 1.4 at three at once and
 * 1.7 at eight, while latency triples. So rather than hold latency near its baseline (Vegas, which would stop
 * at two), the controller runs at the smallest limit that delivers nearly the best throughput seen.
 */
export class ThroughputTable {
	private readonly entries = new Map<number, { throughput: number; ratio: number; window: number }>();
	private windows = 0;

	/** Records a window at `limit` (latency `ratio` × baseline); returns what the limit delivered before, if anything. */
	add(limit: number, throughput: number, ratio: number): number | undefined {
		this.windows++;
		for (const [at, entry] of this.entries) if (this.windows - entry.window > FORGET_AFTER) this.entries.delete(at);
		const before = this.entries.get(limit);
		this.entries.set(
			limit,
			before === undefined
				? { throughput, ratio, window: this.windows }
				: { throughput: (before.throughput + throughput) / 2, ratio: (before.ratio + ratio) / 2, window: this.windows },
		);
		return before?.throughput;
	}

	/**
	 * The smallest limit that delivered nearly the best throughput among those that kept latency within
	 * `maxRatio` × baseline: throughput bought by stretching every call further is paid by every other user of the
	 * daemon (an interactive `docker ps` slows with it), so it is not on offer.
	 */
	best(maxRatio = Number.POSITIVE_INFINITY): number | undefined {
		const within = [...this.entries].filter(([, entry]) => entry.ratio <= maxRatio).sort(([a], [b]) => a - b);
		const top = Math.max(...within.map(([, entry]) => entry.throughput));
		return within.find(([, entry]) => entry.throughput >= GOOD_ENOUGH * top)?.[0];
	}

	/** Whether `limit` was tried in the last `windows` windows. */
	knows(limit: number, windows: number): boolean {
		const entry = this.entries.get(limit);
		return entry !== undefined && this.windows - entry.window <= windows;
	}

	throughputAt(limit: number): number | undefined {
		return this.entries.get(limit)?.throughput;
	}

	clear(): void {
		this.entries.clear();
	}
}
