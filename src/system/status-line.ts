/** One line of status on stderr while something waits: redrawn in place on a terminal, printed once otherwise. */
export interface StatusLine {
	show(text: string): void;
	clear(): void;
}

type Stream = Pick<NodeJS.WriteStream, 'write'> & { readonly isTTY?: boolean; readonly columns?: number };

/** Live only on a terminal and outside CI: a CI log gets one plain line, never a spinner or control codes. */
export function statusLine(stream: Stream, env: Readonly<Record<string, string | undefined>> = process.env): StatusLine {
	const ci = env['CI'] !== undefined && env['CI'] !== '' && env['CI'] !== 'false' && env['CI'] !== '0';
	const live = stream.isTTY === true && !ci;
	let shown = false;
	return {
		show(text) {
			if (live) {
				const width = stream.columns ?? 120;
				stream.write(`\r\u001B[2K${text.length > width - 1 ? `${text.slice(0, width - 2)}…` : text}`);
			} else if (!shown) {
				stream.write(`${text}\n`);
			}
			shown = true;
		},
		clear() {
			if (live && shown) stream.write('\r\u001B[2K');
			shown = false;
		},
	};
}
