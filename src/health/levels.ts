import type { Config } from '../config/defaults.js';

/** How close a resource is to its limit; UNKNOWN when it could not be measured (never read as SAFE). */
export type Level = 'SAFE' | 'WARNING' | 'CRITICAL' | 'EMERGENCY' | 'UNKNOWN';

/** SAFE < warning ≤ WARNING < critical ≤ CRITICAL < emergency ≤ EMERGENCY. */
export function levelOf(percent: number, levels: Config['health']): Level {
	if (percent >= levels.emergencyPercent) return 'EMERGENCY';
	if (percent >= levels.criticalPercent) return 'CRITICAL';
	if (percent >= levels.warningPercent) return 'WARNING';
	return 'SAFE';
}

/** Worst first: a failed measurement outranks WARNING, so a gate never passes on what it could not see. */
const RANK: Readonly<Record<Level, number>> = { SAFE: 0, WARNING: 1, UNKNOWN: 2, CRITICAL: 3, EMERGENCY: 4 };

export function worstLevel(levels: readonly Level[]): Level {
	return levels.reduce<Level>((worst, level) => (RANK[level] > RANK[worst] ? level : worst), 'SAFE');
}

/** Exit codes of `guard health`: 0 SAFE/WARNING, 2 UNKNOWN, 3 CRITICAL, 4 EMERGENCY, 5 daemon unreachable. */
export const HEALTH_EXIT = { SAFE: 0, WARNING: 0, UNKNOWN: 2, CRITICAL: 3, EMERGENCY: 4, UNREACHABLE: 5 } as const;
