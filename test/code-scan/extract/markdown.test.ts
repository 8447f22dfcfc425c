import { describe, expect, it } from 'vitest';
import { found } from './found.js';

describe('Markdown and AsciiDoc', () => {
	it('inline code in tables and lists is scanned; in prose it is a mention', () => {
		const text = [
			'| 命令 | 说明 |',
			'|---|---|',
			'| `docker rm -f 容器名` | 删除 |',
			'- `docker rmi -f img`',
			'',
			'Never run `docker rm -f` blindly.',
		].join('\n');
		expect(found('markdown', text)).toEqual([
			'3:4 force/container rm (-f) => safe-docker guard remove 容器名',
			'4:4 force/image rm (-f) => docker rmi img',
		]);
	});

	it('a table cell’s \\| is the pipe of a command', () => {
		expect(found('markdown', '| `docker rm -f $(docker ps -aq \\| head -1)` | x |')).toEqual([
			'1:4 force/container rm (-f) => safe-docker guard remove $(docker ps -aq | head -1)',
		]);
	});

	it('in a console transcript only prompt lines are commands', () => {
		const text = [
			'```console',
			'$ docker ps',
			'docker rm -f output-line',
			'# docker system prune -af',
			'```',
			'```sh',
			'# docker rm -f a-comment',
			'docker rm -f real',
			'```',
		].join('\n');
		expect(found('markdown', text)).toEqual([
			'4:3 force/system prune (-af) => safe-docker cleanup --dry-run --images',
			'8:1 force/container rm (-f) => safe-docker guard remove real',
		]);
	});

	it('an untagged block with prompts is a transcript; continued prompt lines are one command', () => {
		const text = ['```', '$ docker rm \\', '    -f web', 'web', '```'].join('\n');
		expect(found('markdown', text)).toEqual(['2:3 force/container rm (-f) => safe-docker guard remove web']);
	});

	it('AsciiDoc listing blocks, source-language lines and table cells', () => {
		const text = [
			'[source,bash]',
			'----',
			'docker rm -f a',
			'----',
			'',
			'|===',
			'| `docker rmi -f b` | x',
			'|===',
			'',
			'[source,java]',
			'----',
			'docker rm -f not-shell',
			'----',
		].join('\n');
		expect(found('asciidoc', text)).toEqual([
			'3:1 force/container rm (-f) => safe-docker guard remove a',
			'7:4 force/image rm (-f) => docker rmi b',
		]);
	});
});
