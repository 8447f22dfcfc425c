import { MappedText, type Segment } from '../segments.js';

/** The `scripts` of a package.json, each decoded from its JSON string with every character at its place. */
export function packageJsonSegments(text: string): Segment[] {
	let scripts: Record<string, unknown>;
	try {
		scripts = (JSON.parse(text) as { scripts?: Record<string, unknown> }).scripts ?? {};
	} catch {
		return [];
	}
	// Keys are looked up after "scripts", so that a "name": "clean" elsewhere is not taken for a script.
	const scriptsAt = Math.max(0, text.search(/"scripts"\s*:/));
	const segments: Segment[] = [];
	for (const [name, script] of Object.entries(scripts)) {
		if (typeof script !== 'string') continue;
		const key = new RegExp(`${JSON.stringify(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:\\s*"`, 'g');
		key.lastIndex = scriptsAt;
		const match = key.exec(text);
		if (!match) continue;
		const decoded = new MappedText();
		for (let i = match.index + match[0].length; i < text.length && text[i] !== '"'; i++) {
			if (text[i] === '\\') {
				const next = text[i + 1]!;
				const char =
					next === 'u'
						? String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16))
						: (({ n: '\n', t: '\t' } as Record<string, string>)[next] ?? next);
				decoded.push(char, i);
				i += next === 'u' ? 5 : 1;
			} else decoded.push(text[i]!, i);
		}
		segments.push(decoded.segment());
	}
	return segments;
}
