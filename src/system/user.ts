import { userInfo } from 'node:os';

/** The login name of this process's user, for audit entries and lock holders. */
export function currentUser(): string {
	try {
		return userInfo().username;
	} catch {
		return process.env['USER'] ?? process.env['USERNAME'] ?? String(process.getuid?.() ?? 'unknown');
	}
}
