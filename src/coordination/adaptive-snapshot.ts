import type { AdaptiveSnapshot } from './adaptive-types.js';
import type { ClassLatencySnapshot } from './class-latency.js';
import { LATENCY_CLASSES } from './command-class.js';

const isDuration = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;
const isDurationOrNull = (value: unknown) => value === null || isDuration(value);
const isDurations = (value: unknown) => Array.isArray(value) && value.every(isDuration);

/** Whether a saved adaptive lane (read back from stats.json) has the shape the controller restores from. */
export function isAdaptiveSnapshot(value: unknown): value is AdaptiveSnapshot {
	if (typeof value !== 'object' || value === null) return false;
	const snapshot = value as Record<string, unknown>;
	const classes = snapshot['classes'];
	return (
		typeof snapshot['limit'] === 'number' &&
		Number.isSafeInteger(snapshot['limit']) &&
		snapshot['limit'] >= 1 &&
		typeof snapshot['reason'] === 'string' &&
		(snapshot['changedAt'] === null || (typeof snapshot['changedAt'] === 'number' && Number.isFinite(snapshot['changedAt']))) &&
		(snapshot['measuring'] === null || LATENCY_CLASSES.includes(snapshot['measuring'] as never)) &&
		typeof snapshot['slowStart'] === 'boolean' &&
		typeof classes === 'object' &&
		classes !== null &&
		Object.entries(classes).every(([name, entry]) => LATENCY_CLASSES.includes(name as never) && isClassLatency(entry))
	);
}

function isClassLatency(value: unknown): value is ClassLatencySnapshot {
	if (typeof value !== 'object' || value === null) return false;
	const entry = value as Record<string, unknown>;
	return (
		isDurationOrNull(entry['baselineMs']) &&
		isDurationOrNull(entry['recentMs']) &&
		isDurations(entry['solo']) &&
		isDurations(entry['recent'])
	);
}
