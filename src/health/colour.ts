type Env = Readonly<Record<string, string | undefined>>;

/**
 * Whether to colour the levels: `FORCE_COLOR` decides when set (read as chalk reads it), else a non-empty
 * `NO_COLOR` turns colour off (chalk itself ignores it), else only a terminal that is not `TERM=dumb`.
 */
export function useColour(stream: { readonly isTTY?: boolean }, env: Env): boolean {
	const force = env['FORCE_COLOR'];
	if (force !== undefined) return force !== '0' && force !== 'false';
	if (env['NO_COLOR']) return false;
	return stream.isTTY === true && env['TERM'] !== 'dumb';
}
