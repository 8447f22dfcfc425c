import { describe, expect, it } from 'vitest';
import { found } from './found.js';

describe('Makefile and justfile recipes', () => {
	it('a call on a continued line after an earlier docker word is reported where it is', () => {
		const text = 'clean:\n\t@echo "cleaning" && docker ps -aq --filter "name=x" \\\n\t\t&& docker rm -f x-db x-web\n';
		expect(found('makefile', text)).toEqual(['3:6 force/container rm (-f) => safe-docker guard remove x-db x-web']);
	});

	it('a suppression on the real line suppresses it, one above the wrong line does not', () => {
		const text = [
			'clean:',
			'\t# safe-docker: allow-force throwaway CI runner',
			'\tdocker ps \\',
			'\t  && docker rm -f a',
			'\tdocker ps \\',
			'\t  && docker rm -f b # safe-docker: allow-force throwaway CI runner',
		].join('\n');
		expect(found('makefile', text)).toEqual(['4:7 force/container rm (-f) => safe-docker guard remove a']);
	});

	it('keeps make’s $(VAR) and the shell’s $$(…) as written in the alternative', () => {
		expect(found('makefile', 'x:\n\tdocker rm -fv $(NAME) $$(docker ps -aq) 2>/dev/null\n')).toEqual([
			'2:2 force/container rm (-fv) + data-loss/anonymous (-fv) => safe-docker guard remove --volumes $(NAME) $$(docker ps -aq) 2>/dev/null',
		]);
	});

	it('reads `$(shell …)` as a command that runs', () => {
		expect(found('makefile', 'x:\n\tdocker volume ls $(shell docker rm -f y)\n')).toEqual([
			'2:27 force/container rm (-f) => safe-docker guard remove y',
		]);
	});

	it('justfile recipes, with {{ … }} as one word', () => {
		expect(found('justfile', 'name := "x"\n\nclean:\n    @docker rm -f {{ name }}\n')).toEqual([
			'4:6 force/container rm (-f) => safe-docker guard remove {{ name }}',
		]);
	});
});
