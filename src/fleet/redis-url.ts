/**
 * The fleet's Redis URL: `redis://` or `rediss://` (TLS), with optional credentials. Credentials are never
 * printed or audited: everything that shows the URL shows `redactRedisUrl` of it.
 */
const SCHEMES = new Set(['redis:', 'rediss:']);

/** Whether `text` is a URL fleet mode can connect to. */
export function isRedisUrl(text: string): boolean {
	try {
		const url = new URL(text);
		return SCHEMES.has(url.protocol) && url.hostname !== '';
	} catch {
		return false;
	}
}

/**
 * `redis://user:secret@host:6379/0` → `redis://***@host:6379/0`; a query string (ioredis reads `?password=` from it)
 * becomes `?***`; text that is not a URL keeps only its scheme.
 */
export function redactRedisUrl(text: string): string {
	try {
		const url = new URL(text);
		const credentials = url.username !== '' || url.password !== '' ? '***@' : '';
		const path = url.pathname === '/' || url.pathname === '' ? '' : url.pathname;
		return `${url.protocol}//${credentials}${url.host}${path}${url.search === '' ? '' : '?***'}`;
	} catch {
		const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0];
		return scheme ? `${scheme}…` : '(not a URL)';
	}
}
