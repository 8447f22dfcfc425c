import { describe, expect, it } from 'vitest';
import { found } from './found.js';

describe('YAML', () => {
	it('a ${{ … }} expression is an opaque word, not the end of the command', () => {
		expect(found('yaml', 'steps:\n  - run: docker image rm --force ${{ env.REPO_NAME }}:x\n')).toEqual([
			'2:10 force/image rm (--force) => docker image rm ${{ env.REPO_NAME }}:x',
		]);
	});

	it('multi-line plain and folded scalars: reported at the line and column of the call', () => {
		const text = [
			'steps:',
			'  - run: echo a &&',
			'      docker rm -f plain',
			'  - run: >',
			'      docker ps',
			'      && docker rm -f folded',
			'',
		].join('\n');
		expect(found('yaml', text)).toEqual([
			'3:7 force/container rm (-f) => safe-docker guard remove plain',
			'6:10 force/container rm (-f) => safe-docker guard remove folded',
		]);
	});

	it('quoted scalars: escapes decoded, columns counted in the file', () => {
		expect(found('yaml', 'script:\n  - "echo \\"a\\" && docker rm -f q"\n')).toEqual([
			'2:20 force/container rm (-f) => safe-docker guard remove q',
		]);
	});

	it('Taskfile cmds, as strings and as cmd: maps', () => {
		const text = "version: '3'\ntasks:\n  clean:\n    cmds:\n      - docker rm -f {{.C}}\n      - cmd: docker rmi -f {{.I}}\n";
		expect(found('yaml', text)).toEqual([
			'5:9 force/container rm (-f) => safe-docker guard remove {{.C}}',
			'6:14 force/image rm (-f) => docker rmi {{.I}}',
		]);
	});
});
