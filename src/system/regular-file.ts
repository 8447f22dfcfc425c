import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';

/**
 * Opens `path` only if it is a regular file. The open is non-blocking, so a FIFO (or a device) planted where a
 * file belongs fails at once instead of hanging the caller; anything but a regular file is refused (`ENOTREG`).
 */
export function openRegularFile(path: string, flags: number, mode?: number): number {
	const fd = openSync(path, flags | constants.O_NONBLOCK, mode);
	try {
		if (!fstatSync(fd).isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: 'ENOTREG' });
		return fd;
	} catch (error) {
		closeSync(fd);
		throw error;
	}
}

/** The contents of `path` if it is a regular file (see `openRegularFile`). */
export function readRegularFile(path: string): string {
	const fd = openRegularFile(path, constants.O_RDONLY);
	try {
		return readFileSync(fd, 'utf8');
	} finally {
		closeSync(fd);
	}
}
