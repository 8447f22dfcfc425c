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

/** `redis://user:secret@host:6379/0` → `redis://***@host:6379/0`; text that is not a URL keeps only its scheme. */
export function redactRedisUrl(text: string): string {
	try {
		const url = new URL(text);
		if (url.username === '' && url.password === '') return url.href;
		return `${url.protocol}//***@${url.host}${url.pathname === '/' ? '' : url.pathname}`;
	} catch {
		const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0];
		return scheme ? `${scheme}…` : '(not a URL)';
	}
}
