import { join } from 'shlex';

/**
 * An argv the way a user would type it, to show and to copy: each word quoted only where a POSIX shell needs
 * it (`run -v /a:/b app:test`, `--format '{{.Names}}'`, `'it'"'"'s'`), with shlex (Python's `shlex.join`).
 */
export function displayCommand(argv: readonly string[]): string {
	return join([...argv]);
}
