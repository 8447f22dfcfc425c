/** Multipliers of the sizes docker prints (go-units: decimal kB/MB/GB…, and binary KiB/MiB… where used). */
const UNITS: Readonly<Record<string, number>> = {
	b: 1,
	kb: 1e3,
	mb: 1e6,
	gb: 1e9,
	tb: 1e12,
	pb: 1e15,
	kib: 2 ** 10,
	mib: 2 ** 20,
	gib: 2 ** 30,
	tib: 2 ** 40,
	pib: 2 ** 50,
};

/** `"1.984MB"`, `"0B"`, `"512kB"`, `"10B (66%)"` → bytes; undefined when it is not a size. */
export function parseDockerSize(text: string): number | undefined {
	const match = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgGtTpP]?i?[bB])\b/.exec(text);
	if (!match) return undefined;
	const unit = UNITS[match[2]!.toLowerCase()];
	return unit === undefined ? undefined : Math.round(Number(match[1]) * unit);
}

/** Bytes as docker prints them (decimal units, 3–4 significant digits): 1984000 → "1.984MB". */
export function formatBytes(bytes: number): string {
	const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
	let value = bytes;
	let unit = 0;
	while (Math.abs(value) >= 1000 && unit < units.length - 1) {
		value /= 1000;
		unit++;
	}
	return `${unit === 0 ? value : Number(value.toPrecision(4))}${units[unit]}`;
}
