import type * as ShellQuote from 'shell-quote';

/** shell-quote, loaded on first use; it is CommonJS, so under a dynamic import its API may sit on `default`. */
export async function loadShellQuote(): Promise<typeof ShellQuote> {
	const loaded = (await import('shell-quote')) as typeof ShellQuote & { default?: typeof ShellQuote };
	return loaded.default ?? loaded;
}
