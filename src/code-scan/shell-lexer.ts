import { ScanLimitExceeded } from '../errors.js';

/** A word of shell text: what the program sees (`value`) and where it is written (`start`…`end`). */
export interface Word {
	readonly type: 'word';
	/** The word after quote removal; expansions (`$x`, `${x}`, `$(…)`, `${{ … }}`) stay as written. */
	readonly value: string;
	/** Offsets in the lexed text: the word as written is `text.slice(start, end)`. */
	readonly start: number;
	readonly end: number;
	/** The value depends on something only known at run time (a variable, a substitution, a template). */
	readonly opaque: boolean;
	/** Command substitutions inside the word (`$(…)`, backticks, `<(…)`), lexed in place. */
	readonly substitutions: readonly Token[][];
}

interface Operator {
	readonly type: 'op';
	/** `&&`, `||`, `;`, `;;`, `|`, `|&`, `&`, `(`, `)`, or `\n`. */
	readonly op: string;
	readonly start: number;
}

/** The body of a `<<` here-document. */
interface Heredoc {
	readonly start: number;
	readonly end: number;
	/** `<<'EOF'`: no expansion in the body, so no substitution runs. */
	readonly quoted: boolean;
	/** Substitutions in an unquoted body: the outer shell runs them whoever reads the body. */
	readonly substitutions: readonly Token[][];
}

/** A redirection with its target (`2>/dev/null`, `>&2`, `<<EOF`). */
export interface Redirection {
	readonly type: 'redirect';
	readonly start: number;
	readonly end: number;
	readonly target: Word | undefined;
	/** Filled in when the line ends, for `<<` and `<<-`. */
	heredoc?: Heredoc;
}

export type Token = Word | Operator | Redirection;

/** `make`: a Makefile recipe, where `$$` is the shell's `$` and `$(…)`/`${…}`/`$x` are make's own expansions. */
export type Dialect = 'posix' | 'powershell' | 'make';

/** Limits shared by every lexer call for one file: nesting depth and total characters lexed. */
export interface LexBudget {
	readonly maxDepth: number;
	/** Characters left to lex (nested scripts are lexed again, so this bounds the work per file). */
	remaining: number;
}

/** Characters with no special meaning in a word, unquoted, in double quotes, and in single quotes. */
const PLAIN = /[^\s;|()<>&'"\\$`{]*/y;
const PLAIN_DOUBLE = /[^"\\$`{]*/y;
const PLAIN_SINGLE = /[^']*/y;
const OPERATORS = ['&&', '||', ';;', ';&', '|&', ';', '|', '&', '(', ')'];

/**
 * Splits shell text into words, operators and redirections, with exact offsets, without executing
 * anything. Quotes and escapes are removed from values; `$(…)`, backticks and process substitutions are
 * lexed in place (recursively, bounded by the budget's depth); comments are dropped (so a backtick in a
 * comment is not a substitution); `${{ … }}` and `{{ … }}` template expressions are one opaque word part.
 */
export function lexShell(text: string, budget: LexBudget, dialect: Dialect = 'posix'): Token[] {
	return new Lexer(text, budget, dialect).tokens(0, text.length, 0).tokens;
}

class Lexer {
	private readonly escape: string;
	constructor(
		private readonly text: string,
		private readonly budget: LexBudget,
		private readonly dialect: Dialect,
	) {
		this.escape = dialect === 'powershell' ? '`' : '\\';
	}

	/** Tokens from `from` up to `limit`, or up to an unmatched `)` when `closing` (a `$(…)` body). */
	tokens(from: number, limit: number, depth: number, closing = false): { tokens: Token[]; end: number } {
		if (depth > this.budget.maxDepth) throw new ScanLimitExceeded(`substitutions nested deeper than ${this.budget.maxDepth} levels`);
		const { text } = this;
		const tokens: Token[] = [];
		const pending: Redirection[] = [];
		let parens = 0;
		let i = from;
		while (i < limit) {
			if (--this.budget.remaining < 0) throw new ScanLimitExceeded('more work than the per-file bound');
			const char = text[i]!;
			if (char === ' ' || char === '\t' || char === '\r') {
				i++;
				continue;
			}
			if (char === this.escape && text[i + 1] === '\n') {
				i += 2;
				continue;
			}
			if (char === '\n') {
				tokens.push({ type: 'op', op: '\n', start: i });
				i++;
				if (pending.length > 0) i = this.heredocs(pending.splice(0), i, limit, depth);
				continue;
			}
			if (char === '#') {
				if (this.dialect === 'powershell' && text[i - 1] === '<') continue;
				while (i < limit && text[i] !== '\n') i++;
				continue;
			}
			if (this.dialect === 'powershell' && char === '<' && text[i + 1] === '#') {
				const end = text.indexOf('#>', i + 2);
				i = end === -1 || end > limit ? limit : end + 2;
				continue;
			}
			const redirect = this.redirection(i, limit, depth);
			if (redirect) {
				tokens.push(redirect);
				if (/<<-?$/.test(text.slice(redirect.start, redirect.target?.start ?? redirect.end).trim())) pending.push(redirect);
				i = redirect.end;
				continue;
			}
			const op =
				!'&|;()'.includes(char) || (this.dialect === 'powershell' && char === '&' && text[i + 1] !== '&')
					? undefined
					: OPERATORS.find(o => text.startsWith(o, i));
			if (op) {
				if (op === '(') parens++;
				if (op === ')') {
					if (closing && parens === 0) return { tokens, end: i };
					parens--;
				}
				tokens.push({ type: 'op', op, start: i });
				i += op.length;
				continue;
			}
			if (this.dialect === 'powershell' && char === '&') {
				i++; // the call operator: `& docker rm -f x`
				continue;
			}
			const word = this.word(i, limit, depth);
			tokens.push(word);
			i = Math.max(word.end, i + 1);
		}
		return { tokens, end: i };
	}

	/** `2>/dev/null`, `&>log`, `>&2`, `<<-EOF`, `<<<word`: the operator and its target word. */
	private redirection(i: number, limit: number, depth: number): Redirection | undefined {
		if (!/[\d<>&{]/.test(this.text[i]!)) return undefined;
		const match = /^(?:\d+|\{\w+\})?(?:<<<|<<-|<<|<>|<&|>&|>>|>\||&>>|&>|<|>)(?!\()/.exec(this.text.slice(i, Math.min(limit, i + 12)));
		if (!match) return undefined;
		let at = i + match[0].length;
		while (at < limit && (this.text[at] === ' ' || this.text[at] === '\t')) at++;
		const target = at < limit && !/[\n;&|()<>]/.test(this.text[at]!) ? this.word(at, limit, depth) : undefined;
		return { type: 'redirect', start: i, end: target?.end ?? at, target };
	}

	/** Reads the bodies of the here-documents opened on the line that just ended; returns where the next line starts. */
	private heredocs(pending: Redirection[], from: number, limit: number, depth: number): number {
		let i = from;
		for (const redirect of pending) {
			const strip = this.text.slice(redirect.start, redirect.target?.start ?? redirect.end).includes('<<-');
			const delimiter = redirect.target?.value ?? '';
			const quoted = /['"\\]/.test(this.text.slice(redirect.target?.start ?? 0, redirect.target?.end ?? 0));
			const start = i;
			let end = limit;
			while (i < limit) {
				const lineEnd = this.text.indexOf('\n', i);
				const stop = lineEnd === -1 || lineEnd > limit ? limit : lineEnd;
				const line = this.text.slice(i, stop).replace(/\r$/, '');
				if ((strip ? line.replace(/^\t+/, '') : line) === delimiter) {
					end = i;
					i = Math.min(limit, stop + 1);
					break;
				}
				i = stop + 1;
			}
			if (i > limit) i = limit;
			const substitutions = quoted ? [] : this.bodySubstitutions(start, Math.min(end, limit), depth);
			redirect.heredoc = { start, end: Math.min(end, limit), quoted, substitutions };
		}
		return i;
	}

	/** `$(…)` and backticks in text read like a double-quoted string (an unquoted here-document body). */
	private bodySubstitutions(from: number, limit: number, depth: number): Token[][] {
		const found: Token[][] = [];
		for (let i = from; i < limit; i++) {
			const char = this.text[i]!;
			if (char === '\\') i++;
			else if (char === '$' && this.text[i + 1] === '(' && this.text[i + 2] !== '(') {
				const inner = this.tokens(i + 2, limit, depth + 1, true);
				found.push(inner.tokens);
				i = inner.end;
			} else if (char === '`' && this.dialect !== 'powershell') {
				const end = this.backtickEnd(i + 1, limit);
				found.push(this.tokens(i + 1, end, depth + 1).tokens);
				i = end;
			}
		}
		return found;
	}

	private backtickEnd(from: number, limit: number): number {
		let i = from;
		while (i < limit && this.text[i] !== '`') i += this.text[i] === '\\' ? 2 : 1;
		return Math.min(i, limit);
	}

	/** In a make recipe, the shell expansion after `$$` (at `at`, the second `$`): `$$(…)`, `$${x}`, `$$x`. */
	private shellDollar(at: number, limit: number, depth: number, substitutions: Token[][]): { end: number; opaque: boolean } {
		const { text } = this;
		if (text[at + 1] === '(' && text[at + 2] !== '(') {
			const inner = this.tokens(at + 2, limit, depth + 1, true);
			substitutions.push(inner.tokens);
			return { end: inner.end + 1, opaque: true };
		}
		if (text[at + 1] === '(' || text[at + 1] === '{')
			return { end: matching(text, at + 1, limit, text[at + 1], text[at + 1] === '(' ? ')' : '}'), opaque: true };
		const name = /^[A-Za-z_]\w*|^[\d@*#?$!-]/.exec(text.slice(at + 1, at + 80));
		return { end: at + 1 + (name?.[0].length ?? 0), opaque: name !== null };
	}

	private word(from: number, limit: number, depth: number): Word {
		const { text } = this;
		let value = '';
		let opaque = false;
		const substitutions: Token[][] = [];
		let quote: '"' | "'" | undefined;
		let i = from;
		const substitute = (start: number, closingParen: boolean) => {
			const inner = closingParen
				? this.tokens(start, limit, depth + 1, true)
				: this.tokens(start, this.backtickEnd(start, limit), depth + 1);
			substitutions.push(inner.tokens);
			opaque = true;
			return inner.end;
		};
		while (i < limit) {
			// Runs of ordinary characters in one slice: a character at a time would build millions of strings on a large file.
			const plain = quote === undefined ? PLAIN : quote === '"' ? PLAIN_DOUBLE : PLAIN_SINGLE;
			plain.lastIndex = i;
			plain.test(text);
			const run = Math.min(plain.lastIndex, limit);
			if (run > i) {
				value += text.slice(i, run);
				i = run;
				continue;
			}
			const char = text[i]!;
			if (quote === "'") {
				if (char === "'") {
					if (this.dialect === 'powershell' && text[i + 1] === "'") {
						value += "'";
						i += 2;
						continue;
					}
					quote = undefined;
				} else value += char;
				i++;
				continue;
			}
			if (quote === undefined && (/[\s;|()<>]/.test(char) || (char === '&' && this.dialect !== 'powershell'))) {
				// `a=(x y)` array assignments and `@(…)` globs keep their parentheses.
				if (char === '(' && /=$|[@!?*+]$/.test(value)) {
					const end = matching(text, i, limit);
					value += text.slice(i, end);
					i = end;
					continue;
				}
				break;
			}
			if (char === this.escape) {
				const next = text[i + 1];
				if (next === '\n') i += 2;
				else if (next === undefined) i++;
				else {
					if (quote !== '"' || this.dialect === 'powershell' || /[$`"\\]/.test(next)) value += next;
					else value += char + next;
					i += 2;
				}
				continue;
			}
			if (char === "'" && quote === undefined) {
				quote = "'";
				i++;
				continue;
			}
			if (char === '"') {
				quote = quote === '"' ? undefined : '"';
				i++;
				continue;
			}
			if (text.startsWith('{{', i) || text.startsWith('${{', i)) {
				// A template expression (GitHub Actions `${{ … }}`, just/Jinja/Go templates `{{ … }}`): one opaque part.
				const close = text.indexOf('}}', i);
				const end = close === -1 || close + 2 > limit ? limit : close + 2;
				value += text.slice(i, end);
				opaque = true;
				i = end;
				continue;
			}
			if (this.dialect === 'make' && char === '$') {
				if (text[i + 1] === '$') {
					// The shell's `$`: read what follows as the shell would, with the `$$` as written.
					const rest = this.shellDollar(i + 1, limit, depth, substitutions);
					value += text.slice(i, rest.end);
					opaque ||= rest.opaque;
					i = rest.end;
					continue;
				}
				if (text.startsWith('$(shell ', i)) {
					// make runs `$(shell …)` through a shell: a substitution like `$(…)`.
					const end = substitute(i + 8, true);
					value += text.slice(i, end + 1);
					i = end + 1;
					continue;
				}
				const end =
					text[i + 1] === '(' || text[i + 1] === '{' ? matching(text, i + 1, limit, text[i + 1], text[i + 1] === '(' ? ')' : '}') : i + 2;
				value += text.slice(i, end);
				opaque = true;
				i = end;
				continue;
			}
			if (char === '$' && text[i + 1] === '(') {
				if (text[i + 2] === '(') {
					const end = matching(text, i + 1, limit);
					value += text.slice(i, end);
					opaque = true;
					i = end;
					continue;
				}
				const end = substitute(i + 2, true);
				value += text.slice(i, end + 1);
				i = end + 1;
				continue;
			}
			if ((char === '<' || char === '>') && text[i + 1] === '(' && quote === undefined) {
				const end = substitute(i + 2, true);
				value += text.slice(i, end + 1);
				i = end + 1;
				continue;
			}
			if (char === '`' && this.dialect !== 'powershell') {
				const end = substitute(i + 1, false);
				value += text.slice(i, end + 1);
				i = end + 1;
				continue;
			}
			if (char === '$' && text[i + 1] === '{') {
				const end = matching(text, i + 1, limit, '{', '}');
				value += text.slice(i, end);
				opaque = true;
				i = end;
				continue;
			}
			if (char === '$' && /[\w@*#?$!-]/.test(text[i + 1] ?? '')) {
				const name = /^[A-Za-z_]\w*|^[\d@*#?$!-]/.exec(text.slice(i + 1, i + 80))![0];
				value += `$${name}`;
				opaque = true;
				i += 1 + name.length;
				continue;
			}
			value += char;
			i++;
		}
		this.budget.remaining -= i - from;
		return { type: 'word', value, start: from, end: i, opaque, substitutions };
	}
}

/** The end (exclusive) of a bracketed group starting at `from`, quotes respected. */
function matching(text: string, from: number, limit: number, open = '(', close = ')'): number {
	let depth = 0;
	let quote: string | undefined;
	for (let i = from; i < limit; i++) {
		const char = text[i]!;
		if (quote) {
			if (char === quote) quote = undefined;
			else if (char === '\\' && quote === '"') i++;
			continue;
		}
		if (char === '\\') i++;
		else if (char === "'" || char === '"') quote = char;
		else if (char === open) depth++;
		else if (char === close && --depth === 0) return i + 1;
	}
	return limit;
}

/**
 * For a word's value, the offset in the lexed text of each value character: how an inner script (the
 * argument of `sh -c`, `eval`) maps back to where it is written. Exact for quotes and escapes.
 */
export function valueOffsets(text: string, word: Word, dialect: Dialect = 'posix'): number[] {
	const escapeChar = dialect === 'powershell' ? '`' : '\\';
	const offsets: number[] = [];
	let quote: string | undefined;
	for (let i = word.start; i < word.end; i++) {
		const char = text[i]!;
		if (quote === "'" ? char === "'" : (char === "'" && quote === undefined) || char === '"') {
			quote = quote === undefined ? char : undefined;
			continue;
		}
		if (char === escapeChar && quote !== "'") {
			const next = text[i + 1];
			if (next === '\n') {
				i++;
				continue;
			}
			if (quote !== '"' || dialect === 'powershell' || /[$`"\\]/.test(next ?? '')) {
				i++;
				offsets.push(i);
				continue;
			}
		}
		offsets.push(i);
	}
	return offsets;
}
