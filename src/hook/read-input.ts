/** The most a hook reads from stdin: an agent's payload is a command line and a few fields. */
export const MAX_INPUT_BYTES = 1024 * 1024;

/** stdin up to the cap; `tooLarge` past it (the rest is not read). */
export async function readInput(
	stream: AsyncIterable<Buffer | string>,
	max = MAX_INPUT_BYTES,
): Promise<{ text: string } | { tooLarge: true }> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of stream) {
		const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
		size += buffer.length;
		if (size > max) return { tooLarge: true };
		chunks.push(buffer);
	}
	return { text: Buffer.concat(chunks).toString('utf8') };
}
