// Summaries of a few noisy latencies: a window of calls is small, and one stray call must not move it.

/** The median, or of an even count the higher of the middle two: with two values, the slower one. */
export function upperMedian(values: readonly number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)]!;
}

/** The mean without the fastest and the slowest: steadier than a median, and one stray call does not move it. */
export function trimmedMean(values: readonly number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const kept = sorted.length > 4 ? sorted.slice(1, -1) : sorted;
	return kept.reduce((sum, value) => sum + value, 0) / kept.length;
}
