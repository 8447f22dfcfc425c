/** The first non-empty line of a program's output (stderr, mostly), or `fallback` when there is none. */
export function firstLine(text: string, fallback = ''): string {
	return (
		text
			.split('\n')
			.map(line => line.trim())
			.find(line => line !== '') ?? fallback
	);
}
