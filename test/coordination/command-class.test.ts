import { describe, expect, it } from 'vitest';
import { latencyClassOf } from '../../src/coordination/command-class.js';
import { holdOf } from '../../src/docker-grammar/lanes.js';
import { parseDockerArgv } from '../../src/docker-grammar/parse.js';

/** The class of a docker argv, parsed as the pipeline parses it. */
const classOf = (argv: string) => {
	const call = parseDockerArgv(argv.split(' '));
	return latencyClassOf(call.command, holdOf(call));
};

describe('latency classes', () => {
	it('groups daemon work by what the daemon does', () => {
		expect(classOf('run -d img')).toBe('create');
		expect(classOf('container create img')).toBe('create');
		expect(classOf('start web')).toBe('create');
		expect(classOf('rm web')).toBe('remove');
		expect(classOf('container kill web')).toBe('remove');
		expect(classOf('exec -d web true')).toBe('exec');
		expect(classOf('network create n')).toBe('network');
		expect(classOf('volume rm v')).toBe('volume');
		expect(classOf('tag a b')).toBe('image');
		expect(classOf('compose up -d')).toBe('compose');
	});

	it('a short foreground run is its own class: daemon work plus its container', () => {
		expect(classOf('run --rm img true')).toBe('run');
		expect(classOf('compose run web true')).toBe('run');
	});

	it('leaves out what measures something other than the daemon', () => {
		for (const argv of [
			'build .',
			'pull img',
			'push img',
			'image load',
			'cp a:/x .',
			'system prune',
			'stop web',
			'compose down',
			'logs -f web',
			'start -a web',
			'compose up',
			'exec -it web sh',
			'swarm init',
			'frobnicate',
		]) {
			expect(classOf(argv), argv).toBeUndefined();
		}
	});
});
