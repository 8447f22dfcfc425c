import { MappedText, type Segment } from '../segments.js';

/**
 * Recipe lines start with a tab; make's `@`, `-` and `+` prefixes are not part of the command; a line ending
 * in `\` goes on on the next one, whose leading tab make removes. Read in the `make` dialect: `$$` is the
 * shell's `$`, `$(VAR)` make's own (so an alternative keeps both as written).
 */
export function makefileSegments(text: string): Segment[] {
	const segments: Segment[] = [];
	const lines = text.split('\n');
	let offset = 0;
	for (let i = 0; i < lines.length; ) {
		if (!lines[i]!.startsWith('\t')) {
			offset += lines[i]!.length + 1;
			i++;
			continue;
		}
		const recipe = new MappedText();
		for (let first = true, continued = true; continued && i < lines.length; first = false, i++) {
			const line = lines[i]!;
			const prefix = (first ? /^\t[@+\-\s]*/ : /^\t?/).exec(line)![0].length;
			recipe.push(`${line.slice(prefix)}\n`, offset + prefix);
			continued = /\\\r?$/.test(line);
			offset += line.length + 1;
		}
		segments.push(recipe.segment({ dialect: 'make' }));
	}
	return segments;
}

/**
 * justfile recipes: the indented lines under a `name:` header, `@` and `-` prefixes dropped; `{{ … }}`
 * interpolations are opaque words.
 */
export function justfileSegments(text: string): Segment[] {
	const segments: Segment[] = [];
	let inRecipe = false;
	let offset = 0;
	for (const line of text.split('\n')) {
		if (/^[@\w-][^:=]*:(?!=)/.test(line)) inRecipe = true;
		else if (/^\S/.test(line)) inRecipe = false;
		else if (inRecipe && /^[ \t]+\S/.test(line)) {
			const prefix = /^[ \t]+[@-]*/.exec(line)![0].length;
			segments.push(new MappedText().push(line.slice(prefix), offset + prefix).segment());
		}
		offset += line.length + 1;
	}
	return segments;
}
