import type { ParsedCall } from '../docker-grammar/parse.js';

/** Flags whose values are secrets or carry them (`-e TOKEN=…`, `--build-arg KEY=…`, `login -p …`). */
const SECRET_FLAGS = new Set(['env', 'env-add', 'build-arg', 'secret', 'password', 'label', 'set']);
/** A `NAME=value` whose name says it holds a secret. */
const SECRET_NAME = /(TOKEN|SECRET|PASS|PWD|KEY|CREDENTIAL|AUTH|PRIVATE|SESSION|COOKIE|CERT|SIGNATURE)/i;
/** Values that are secrets by their look, whatever names them: provider tokens, webhook URLs, access key ids, JWTs. */
const SECRET_VALUES = [
	/\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|npm_[A-Za-z0-9]{30,})/g,
	/(https:\/\/hooks\.slack\.com\/services\/)[A-Za-z0-9/_-]+/g,
	/\b((?:AKIA|ASIA)[0-9A-Z]{16})\b/g,
	/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
];
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

/**
 * Masks, inside any word: `NAME=secret` where any name in a chain names a secret (`label=API_KEY=…` in a filter),
 * `scheme://user:password@host`, and values that look like tokens.
 */
function redactWord(word: string): string {
	// A scheme starts where no scheme character precedes it: linear on a long word (every call's label passes here).
	let result = word.includes('://') ? word.replace(/(?<![\w+.-])([A-Za-z][\w+.-]*:\/\/[^:/@\s]+:)([^@\s]+)(@)/g, `$1${MASK}$3`) : word;
	for (const pattern of SECRET_VALUES)
		result = result.replace(pattern, (match, prefix: string) => (match === prefix ? MASK : `${prefix}${MASK}`));
	const names = result.split('=');
	const secret = names.slice(0, -1).findIndex(name => SECRET_NAME.test(name));
	if (secret !== -1 && names.slice(secret + 1).join('=') !== MASK) result = `${names.slice(0, secret + 1).join('=')}=${MASK}`;
	return result;
}

/** Free text (an escape-hatch reason, a label other callers see) with every word redacted as an argv word is. */
export function redactText(text: string): string {
	return text.replace(/\S+/g, word => redactWord(word));
}
