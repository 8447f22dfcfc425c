import { flagValues, type ParsedCall } from './parse.js';

/** Commands that read or write only the client's own files (docker's config dir, compose files). */
const CLIENT_ONLY = new Set(['compose version', 'compose config', 'buildx version']);

/**
 * True when docker answers the call without the daemon — help, `--version`, a usage error docker rejects
 * before it connects, `context …`, a `version` whose `--format` shows only the client — or where the
 * daemon's absence is not the call's failure. Such a call is never limited, held back or refused by an
 * open breaker: it costs the daemon nothing.
 */
export function isDaemonless(call: ParsedCall): boolean {
	if (call.help || call.version || call.errors.length > 0) return true;
	const { command } = call;
	if (command === undefined) return call.typed.length === 0; // bare `docker` prints its help
	if (command.startsWith('context ') || CLIENT_ONLY.has(command)) return true;
	if (command === 'version') {
		const format = flagValues(call.flags, 'format').at(-1);
		return format !== undefined && !format.includes('.Server');
	}
	return false;
}
