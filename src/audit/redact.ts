import type { ParsedCall } from '../docker-grammar/parse.js';

/** Flags whose values are secrets or carry them (`-e TOKEN=…`, `--build-arg KEY=…`, `login -p …`). */
const SECRET_FLAGS = new Set(['env', 'env-add', 'build-arg', 'secret', 'password', 'label', 'set']);
/** A `NAME=value` whose name says it holds a secret. */
const SECRET_NAME = /(TOKEN|SECRET|PASS|PWD|KEY|CREDENTIAL|AUTH|PRIVATE|SESSION|COOKIE|CERT|SIGNATURE)/i;
const MASK = '***';

/**
 * The argv as it may be written down: values of secret-bearing flags are masked (their `NAME=` kept, so
 * the entry still says which variable was set), as are `NAME=value` words with a secret-looking name
 * anywhere and passwords inside URLs.
 */
export function redactArgv(call: ParsedCall): string[] {
	const argv = [...call.argv];
	for (const flag of [...call.flags, ...call.parentFlags]) {
		if (!SECRET_FLAGS.has(flag.name) || typeof flag.value !== 'string' || flag.value === '') continue;
		if (flag.name === 'label' && !SECRET_NAME.test(flag.value.split('=')[0]!)) continue;
		const token = argv[flag.valueIndex]!;
		const masked = maskValue(flag.name, flag.value);
		// An inline value sits at the end of its token (`--env=A=1`, `-eA=1`); otherwise the token is the value.
		argv[flag.valueIndex] = flag.valueIndex === flag.index ? token.slice(0, token.length - flag.value.length) + masked : masked;
	}
	return argv.map(word => redactWord(word));
}

function maskValue(flag: string, value: string): string {
	if (flag === 'password') return MASK;
	const eq = value.indexOf('=');
	// `-e NAME` alone passes the variable from the environment: nothing to hide.
	if (eq === -1) return flag === 'secret' ? MASK : value;
	return `${value.slice(0, eq + 1)}${MASK}`;
}

/** Masks `NAME=secret` and `scheme://user:password@host` inside any word. */
function redactWord(word: string): string {
	let result = word.replace(/(\w+:\/\/[^:/@\s]+:)([^@\s]+)(@)/g, `$1${MASK}$3`);
	const eq = result.indexOf('=');
	if (eq > 0 && SECRET_NAME.test(result.slice(0, eq)) && !result.slice(eq + 1).startsWith(MASK))
		result = `${result.slice(0, eq + 1)}${MASK}`;
	return result;
}
