const UNITS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `90s`, `10m`, `24h`, `7d`, `1w`, `500ms` → milliseconds; undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
	const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text.trim());
	return match ? Number(match[1]) * UNITS[match[2]!]! : undefined;
}

/** `--since`: a duration back from now, or a date; undefined when it is neither. */
export function parseSince(text: string, now = Date.now()): number | undefined {
	const duration = parseDuration(text);
	if (duration !== undefined) return now - duration;
	const date = Date.parse(text);
	return Number.isNaN(date) ? undefined : date;
}
