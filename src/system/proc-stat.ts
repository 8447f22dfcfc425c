import { readFileSync } from 'node:fs';

/**
 * Field `n` (1-based, as proc(5) numbers them) of `/proc/<pid>/stat`, as a number; undefined where there is no
 * /proc or no such process. The command name (field 2) may hold spaces and parentheses, so fields are counted
 * from its closing parenthesis.
 */
export function procStatField(pid: number | 'self', n: number): number | undefined {
	let stat: string;
	try {
		stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	} catch {
		return undefined;
	}
	const value = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[n - 3]);
	return Number.isFinite(value) ? value : undefined;
}
