import { describe, expect, it } from 'vitest';
import { lexShell, type Token } from '../../src/code-scan/shell-lexer.js';
import { ScanLimitExceeded } from '../../src/errors.js';

const budget = () => ({ maxDepth: 64, remaining: 1_000_000 });
const shape = (tokens: readonly Token[]) =>
	tokens.map(token =>
		token.type === 'word' ? token.value : token.type === 'op' ? `op:${token.op}` : `redirect:${token.start}-${token.end}`,
	);

describe('lexShell', () => {
	it('keeps a redirection and its file descriptor out of the words', () => {
		const text = 'docker rm -f web 2>/dev/null >&2 &>log';
		expect(shape(lexShell(text, budget()))).toEqual(['docker', 'rm', '-f', 'web', 'redirect:17-28', 'redirect:29-32', 'redirect:33-38']);
	});

	it('removes quotes and escapes from values, keeps expansions as written and marks them opaque', () => {
		const [word] = lexShell(`"a b"'c'\\ d$x`, budget()) as [Token & { type: 'word' }];
		expect(word.value).toBe('a bc d$x');
		expect(word.opaque).toBe(true);
		expect((lexShell(`'$x'`, budget())[0] as { opaque: boolean }).opaque).toBe(false);
	});

	it('reads a GitHub Actions ${{ … }} and a {{ … }} template as one opaque part of a word', () => {
		const words = lexShell('docker image rm --force ${{ env.REPO }}:x {{ .Name }}', budget()).map(
			token => (token as { value: string }).value,
		);
		expect(words).toEqual(['docker', 'image', 'rm', '--force', '${{ env.REPO }}:x', '{{ .Name }}']);
	});

	it('drops comments, backticks in them included', () => {
		expect(shape(lexShell('# Running `docker rm -f x` too soon\necho ok', budget()))).toEqual(['op:\n', 'echo', 'ok']);
	});

	it('lexes $(…) and backticks in place, and skips a here-document body', () => {
		const tokens = lexShell('cat <<EOT\ndocker rm -f x\nEOT\necho $(docker ps) `docker images`', budget());
		const words = tokens.filter(token => token.type === 'word');
		expect(words.map(word => word.value)).toEqual(['cat', 'echo', '$(docker ps)', '`docker images`']);
		expect(words.at(-2)!.substitutions.map(shape)).toEqual([['docker', 'ps']]);
		const heredoc = tokens.find(token => token.type === 'redirect')!;
		expect(heredoc.type === 'redirect' && heredoc.heredoc).toMatchObject({ start: 10, end: 25, quoted: false });
	});

	it('gives up on nesting past the bound with a structured error, not a stack overflow', () => {
		const deep = `x=${'$(echo "'.repeat(3000)}docker rm -f a${'")'.repeat(3000)}`;
		expect(() => lexShell(deep, budget())).toThrow(ScanLimitExceeded);
		expect(() => lexShell('docker ps;'.repeat(1000), { maxDepth: 64, remaining: 100 })).toThrow(/per-file bound/);
	});

	it('reads a make recipe: $$ is the shell’s $, $(VAR) is make’s and opaque', () => {
		const words = lexShell('docker rm -f $(NAME) $$(docker ps -q)', budget(), 'make').filter(token => token.type === 'word');
		expect(words.map(word => [word.value, word.opaque, word.substitutions.length])).toEqual([
			['docker', false, 0],
			['rm', false, 0],
			['-f', false, 0],
			['$(NAME)', true, 0],
			['$$(docker ps -q)', true, 1],
		]);
	});
});
