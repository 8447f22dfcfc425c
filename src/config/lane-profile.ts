import type { Lane } from '../docker-grammar/lanes.js';
import type { Config } from './defaults.js';

/**
 * The mutate lane's limit when the config leaves it null, by mode: fixed keeps the seed's 3 (with 500 ms
 * spacing, the `"mode": "fixed"` profile is exactly the seed system); adaptive gets room to find the daemon's
 * capacity, up to a ceiling that still keeps a 2-core daemon answering `docker ps`.
 */
const MAX_CONCURRENT_BY_MODE = { fixed: 3, adaptive: 16 } as const;

/** How many calls of `lane` may run at once at most: the configured number, or its mode's profile. */
export function maxConcurrentOf(lanes: Config['lanes'], lane: Lane): number {
	if (lane !== 'mutate') return lanes[lane].maxConcurrent;
	return lanes.mutate.maxConcurrent ?? MAX_CONCURRENT_BY_MODE[lanes.mutate.mode];
}
