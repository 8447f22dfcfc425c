import { readFileSync } from 'node:fs';

/** The original bytes of whatever decoding as UTF-8 changed: argv entries, and environment values by name. */
export interface ExactBytes {
	readonly argv: readonly Buffer[];
	readonly env: ReadonlyMap<string, Buffer>;
}

const REPLACEMENT = '\uFFFD';

/**
 * Node decodes argv and the environment as UTF-8, replacing invalid bytes with U+FFFD, and spawns strings:
 * `docker cp $'caf\xe9.txt' …` would reach docker changed. Where decoding lost something, the original bytes
 * come from /proc/self/cmdline and /proc/self/environ (Linux). The common case — nothing decoded to U+FFFD —
 * costs one scan of the strings and reads nothing.
 */
export function exactBytes(
	argv: readonly string[],
	env: Readonly<Record<string, string | undefined>>,
	read: (path: string) => Buffer = path => readFileSync(path),
): ExactBytes | undefined {
	const argvLost = argv.some(arg => arg.includes(REPLACEMENT));
	const envLost = Object.values(env).some(value => value?.includes(REPLACEMENT));
	if (!argvLost && !envLost) return undefined;
	try {
		const raw = argvLost ? split(read('/proc/self/cmdline')).slice(-argv.length) : [];
		// Only if these are the bytes of this very argv (a caller may pass an argv of its own).
		const rawArgv = raw.length === argv.length && raw.every((bytes, i) => bytes.toString('utf8') === argv[i]) ? raw : [];
		const rawEnv = new Map<string, Buffer>();
		if (envLost) {
			for (const entry of split(read('/proc/self/environ'))) {
				const equals = entry.indexOf(0x3d);
				if (equals <= 0) continue;
				const name = entry.subarray(0, equals).toString('utf8');
				const value = entry.subarray(equals + 1);
				if (env[name]?.includes(REPLACEMENT) && value.toString('utf8') === env[name] && !value.equals(Buffer.from(env[name]!)))
					rawEnv.set(name, value);
			}
		}
		const lossy = rawArgv.some((bytes, i) => !bytes.equals(Buffer.from(argv[i]!)));
		return lossy || rawEnv.size > 0 ? { argv: lossy ? rawArgv : [], env: rawEnv } : undefined;
	} catch {
		return undefined; // no /proc (macOS, Windows): the decoded strings are all there is
	}
}

function split(bytes: Buffer): Buffer[] {
	const parts: Buffer[] = [];
	let start = 0;
	for (let i = bytes.indexOf(0); i !== -1; i = bytes.indexOf(0, start)) {
		parts.push(bytes.subarray(start, i));
		start = i + 1;
	}
	if (start < bytes.length) parts.push(bytes.subarray(start));
	return parts;
}

/**
 * `program args…` with the exact bytes, as an `sh -c` script written in ASCII only: each argument and variable
 * is rebuilt by `printf %b` from octal escapes (never through the shell's word splitting), then `exec` runs the
 * program in sh's place, so the pid, the signals and the exit code are the program's. Only arguments whose
 * decoded form still matches are replaced, and only variables still set to their decoded value are re-exported.
 */
export function viaShell(
	program: string,
	args: readonly string[],
	env: Readonly<Record<string, string | undefined>>,
	exact: ExactBytes,
): [string, string[]] {
	const sameArgs = exact.argv.length === args.length && exact.argv.every((bytes, i) => bytes.toString('utf8') === args[i]);
	const lines = ['set --'];
	args.forEach((arg, i) => {
		lines.push(`_sd=$(printf %b '${printfArgument(sameArgs ? exact.argv[i]! : Buffer.from(arg))}x'); set -- "$@" "\${_sd%x}"`);
	});
	for (const [name, bytes] of exact.env) {
		if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && env[name] === bytes.toString('utf8'))
			lines.push(`_sd=$(printf %b '${printfArgument(bytes)}x'); ${name}=\${_sd%x}; export ${name}`);
	}
	// The trailing x keeps trailing newlines, which $(…) would strip.
	lines.push(`_sd=$(printf %b '${printfArgument(Buffer.from(program))}x'); _sd=\${_sd%x}; exec "$_sd" "$@"`);
	return ['/bin/sh', ['-c', lines.join('\n'), 'sh']];
}

/** Bytes as a `printf %b` argument in printable ASCII: letters, digits and a few safe marks as they are, the rest as `\0ooo`. */
function printfArgument(bytes: Buffer): string {
	let out = '';
	for (const byte of bytes)
		out += /[A-Za-z0-9_./:=@,+-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `\\0${byte.toString(8).padStart(3, '0')}`;
	return out;
}
