import { describe, expect, it } from 'vitest';
import { boolFlag, flagValues, parseDockerArgv } from '../../src/docker-grammar/parse.js';

const words = (line: string) => (line === '' ? [] : line.split(' '));
const parse = (line: string) => parseDockerArgv(words(line));
const force = (line: string) => {
	const call = parse(line);
	return call.errors.length > 0 ? 'error' : boolFlag(call, 'force') === true;
};

describe('command paths and aliases', () => {
	it.each([
		['rm x', 'container rm'],
		['container rm x', 'container rm'],
		['container remove x', 'container rm'],
		['remove x', 'container rm'],
		['rmi x', 'image rm'],
		['image rm x', 'image rm'],
		['image remove x', 'image rm'],
		['image rmi x', 'image rm'],
		['ps -a', 'container ls'],
		['container ps', 'container ls'],
		['container list', 'container ls'],
		['images', 'image ls'],
		['logs -f web', 'container logs'],
		['build -f Dockerfile .', 'image build'],
		['builder build .', 'image build'],
		['builder prune -f', 'builder prune'],
		['system prune -af', 'system prune'],
		['info', 'system info'],
		['events', 'system events'],
		['network rm n', 'network rm'],
		['volume prune -f', 'volume prune'],
		['compose up -d', 'compose up'],
		['compose -f a.yml -p proj rm -f', 'compose rm'],
		['compose --project-directory /x --profile dev logs -f', 'compose logs'],
		['buildx build .', 'buildx build'],
		['buildx b .', 'buildx build'],
		['buildx --builder b prune -f', 'buildx prune'],
		['buildx imagetools create -t x y', 'buildx imagetools create'],
		['--context prod -l debug rm -f x', 'container rm'],
		['-H tcp://h:2375 --tlsverify ps', 'container ls'],
		['-- rm -f x', 'container rm'],
	])('%s → %s', (line, command) => {
		const call = parse(line);
		expect(call.command).toBe(command);
		expect(call.errors).toEqual([]);
	});

	it('leaves unknown commands (plugins) untouched and unparsed', () => {
		const call = parse('scout cves --format sarif -f x alpine');
		expect(call.command).toBeUndefined();
		expect(call.typed).toEqual(['scout']);
		expect(call.flags).toEqual([]);
		expect(call.positionals).toEqual(['cves', '--format', 'sarif', '-f', 'x', 'alpine']);
	});

	it('knows help in all its spellings', () => {
		for (const line of [
			'help',
			'help container prune',
			'--help',
			'container prune --help -f',
			'container prune -hf',
			'container',
			'compose',
			'rm --help',
		]) {
			expect(parse(line).help, line).toBe(true);
		}
		// On run and create, -h is --hostname.
		expect(parse('run -h foo alpine').help).toBe(false);
		expect(flagValues(parse('run -h foo alpine').flags, 'hostname')).toEqual(['foo']);
	});

	it('knows docker --version', () => {
		expect(parse('--version').version).toBe(true);
		expect(parse('-v').version).toBe(true);
		expect(parse('version').command).toBe('version');
	});
});

describe('pflag edge cases (shared/research/docker-flags.md §5)', () => {
	it.each([
		// Bool shorthands combine in any order.
		['image prune -af', true],
		['image prune -fa', true],
		['image prune -a -f', true],
		['rm -fv x', true],
		['rm -vf x', true],
		['rm -vlf x', true],
		['rm -lvf x', true],
		// strconv.ParseBool values.
		['container prune --force', true],
		['container prune --force=true', true],
		['container prune --force=1', true],
		['container prune --force=T', true],
		['container prune --force=True', true],
		['container prune -f=true', true],
		['container prune --force=false', false],
		['container prune --force=0', false],
		['container prune -f=false', false],
		['container prune -f=0', false],
		['image prune -af=false', false],
		// The last occurrence wins.
		['container prune -f --force=false', false],
		['container prune --force=false -f', true],
		// Interspersed flags after positionals; `--` ends them.
		['rm x -f', true],
		['rm x -- -f', false],
		['-- container prune -f', true],
		// A bool never consumes the next token: `false` is a second container name.
		['rm x --force false', true],
		// Global value options take the next token, whatever it looks like.
		['--host -f container prune', false],
		['--context default container prune -f', true],
		['-c default container prune -f', true],
		['-l debug container prune -f', true],
		['-ldebug container prune -f', true],
		['-Dl debug container prune -f', true],
		['--log-level=debug container prune -f', true],
		['-H unix:///x container prune -f', true],
		// compose: root -f is the file, -p takes a value, the -f after the subcommand is force.
		['compose -f a.yml rm -f', true],
		['compose -p rm rm -f', true],
		['compose -f a.yml rm', false],
		['compose rm -sf memcached', true],
		// The hidden `remove` alias and the builder forwarding.
		['remove -f x', true],
		['builder prune -f', true],
		['buildx prune -f', true],
		['buildx rm -f b', true],
		// Look-alikes and other meanings of -f.
		['compose up --force-recreate', false],
		['build --force-rm .', false],
		['swarm init --force-new-cluster', false],
		['logs -f web', false],
		['build -f Dockerfile .', false],
		['ps -f status=exited', false],
		['ps -af name=x', false],
		['inspect -f {{.Id}} x', false],
		['version -f {{.Server.Version}}', false],
		['build -qf Dockerfile .', false],
		['buildx f -f x.hcl', false],
	])('%s → force %s', (line, expected) => {
		expect(force(line)).toBe(expected);
	});

	it.each([
		'container prune --force=yes',
		'container prune --force=',
		'container prune -ffalse',
		'container prune --forc',
		'container prune --FORCE',
		'container prune -F',
		'rm -force x',
		'container -f prune',
		'-f container prune',
		'container prune --context default -f',
		'service update -f s',
		'run -f alpine',
		'create -f alpine',
	])('%s is an error docker reports itself', line => {
		expect(parse(line).errors).not.toEqual([]);
	});

	it('stops at IMAGE / CONTAINER / SERVICE for the non-interspersed commands', () => {
		for (const [line, positional, trailing] of [
			['run alpine rm -f /x', 'alpine', 'rm -f /x'],
			['run alpine -f', 'alpine', '-f'],
			['run --rm -e X=1 -v /a:/b alpine rm -rf /x', 'alpine', 'rm -rf /x'],
			['run -- alpine -f', 'alpine', '-f'],
			['run --rm true alpine', 'true', 'alpine'],
			['run -e -f alpine', 'alpine', ''],
			['run --name -f alpine', 'alpine', ''],
			['run --name=-f alpine', 'alpine', ''],
			['run -ite FOO=1 alpine sh', 'alpine', 'sh'],
			['run -eFOO=1 alpine', 'alpine', ''],
			['run -e=FOO=1 alpine', 'alpine', ''],
			['run -itv /a:/b alpine', 'alpine', ''],
			['exec c rm -rf /tmp', 'c', 'rm -rf /tmp'],
			['exec -it c -f', 'c', '-f'],
			['exec -e -f c ls', 'c', 'ls'],
			['exec -w /tmp -u 0 c rm -f x', 'c', 'rm -f x'],
			['compose run --rm web rm -f x', 'web', 'rm -f x'],
			['compose exec -T web sh -c x', 'web', 'sh -c x'],
			['top c -ef', 'c', '-ef'],
			['tag a -f', 'a', '-f'],
			['service create --name s alpine rm -f x', 'alpine', 'rm -f x'],
		] as const) {
			const call = parse(line);
			expect(call.errors, line).toEqual([]);
			expect(call.positionals, line).toEqual([positional]);
			expect(call.trailing, line).toEqual(words(trailing));
			expect(boolFlag(call, 'force'), line).toBeUndefined();
		}
		expect(flagValues(parse('run -ite FOO=1 alpine').flags, 'env')).toEqual(['FOO=1']);
		expect(flagValues(parse('run -e -f alpine').flags, 'env')).toEqual(['-f']);
	});

	it('keeps compose root options apart from the subcommand options', () => {
		const call = parse('compose -f a.yml -f b.yml -p proj --dry-run up -d --build');
		expect(flagValues(call.parentFlags, 'file')).toEqual(['a.yml', 'b.yml']);
		expect(flagValues(call.parentFlags, 'project-name')).toEqual(['proj']);
		expect(boolFlag(call, 'detach')).toBe(true);
		expect(parse('compose up -f x.yml').errors).not.toEqual([]);
	});

	it('handles an argv that ends in the middle of a value flag', () => {
		expect(parse('run --name').errors).toEqual(['flag needs an argument: --name']);
		expect(parse('--context').errors).toEqual(['flag needs an argument: --context']);
	});
});
