import { describe, expect, it } from 'vitest';
import { laneOf, type Lane } from '../../src/docker-grammar/lanes.js';
import { parseDockerArgv } from '../../src/docker-grammar/parse.js';

const table: Array<[string, string, Lane]> = [
	// read: cheap, read-only
	['ps -a --format {{.Names}}', 'container ls', 'read'],
	['images -q', 'image ls', 'read'],
	['inspect -f {{.State.Status}} web', 'inspect', 'read'],
	['container inspect web', 'container inspect', 'read'],
	['version --format {{.Server.Version}}', 'version', 'read'],
	['info', 'system info', 'read'],
	['system df -v', 'system df', 'read'],
	['logs --tail 100 web', 'container logs', 'read'],
	['logs --since 5m -t web', 'container logs', 'read'],
	['image history alpine', 'image history', 'read'],
	['port web', 'container port', 'read'],
	['stats --no-stream', 'container stats', 'read'],
	['network ls', 'network ls', 'read'],
	['volume inspect data', 'volume inspect', 'read'],
	['context ls', 'context ls', 'read'],
	['compose ps', 'compose ps', 'read'],
	['compose -f docker-compose.yml config', 'compose config', 'read'],
	['compose logs --tail 50 web', 'compose logs', 'read'],
	['buildx ls', 'buildx ls', 'read'],
	['--help', '', 'read'],
	['rm --help', 'container rm', 'read'],
	// mutate: changes the daemon's state or loads it
	['run -d --name web -p 8080:80 nginx', 'container run', 'mutate'],
	['run --detach alpine sleep 1', 'container run', 'mutate'],
	['create --name web nginx', 'container create', 'mutate'],
	['start web', 'container start', 'mutate'],
	['stop -t 10 web', 'container stop', 'mutate'],
	['restart web', 'container restart', 'mutate'],
	['kill web', 'container kill', 'mutate'],
	['rm -v web', 'container rm', 'mutate'],
	['rmi alpine', 'image rm', 'mutate'],
	['build -t app:latest .', 'image build', 'mutate'],
	['buildx build --platform linux/amd64 -t app --load .', 'buildx build', 'mutate'],
	['pull alpine:3.20', 'image pull', 'mutate'],
	['push registry.example.com/app:1.0', 'image push', 'mutate'],
	['system prune', 'system prune', 'mutate'],
	['image prune -a --filter until=24h', 'image prune', 'mutate'],
	['volume create data', 'volume create', 'mutate'],
	['network create backend', 'network create', 'mutate'],
	['exec -d web touch /x', 'container exec', 'mutate'],
	['cp web:/etc/hosts .', 'container cp', 'mutate'],
	['load -i image.tar', 'image load', 'mutate'],
	['save -o image.tar alpine', 'image save', 'mutate'],
	['tag alpine mine:1', 'image tag', 'mutate'],
	['compose up -d', 'compose up', 'mutate'],
	['compose up --wait', 'compose up', 'mutate'],
	['compose -p ci down -v --remove-orphans', 'compose down', 'mutate'],
	['compose build --no-cache', 'compose build', 'mutate'],
	['compose pull', 'compose pull', 'mutate'],
	['compose run -d web migrate', 'compose run', 'mutate'],
	['scout cves alpine', '', 'mutate'],
	// attached: long-lived, attached to a stream
	['logs -f web', 'container logs', 'attached'],
	['logs --follow --tail 10 web', 'container logs', 'attached'],
	['events --filter type=container', 'system events', 'attached'],
	['stats', 'container stats', 'attached'],
	['attach web', 'container attach', 'attached'],
	['wait web', 'container wait', 'attached'],
	['run --rm -it alpine sh', 'container run', 'attached'],
	['run --rm alpine true', 'container run', 'attached'],
	['run -d=false alpine true', 'container run', 'attached'],
	['exec -it web sh', 'container exec', 'attached'],
	['exec web ls /', 'container exec', 'attached'],
	['start -ai web', 'container start', 'attached'],
	['compose up', 'compose up', 'attached'],
	['compose up --build web', 'compose up', 'attached'],
	['compose logs -f', 'compose logs', 'attached'],
	['compose run --rm web pytest', 'compose run', 'attached'],
	['compose exec web sh', 'compose exec', 'attached'],
	['compose watch', 'compose watch', 'attached'],
	['service logs -f svc', 'service logs', 'attached'],
];

describe('lanes', () => {
	it.each(table)('%s → %s, %s', (line, command, lane) => {
		const call = parseDockerArgv(line.split(' '));
		expect(call.command ?? '').toBe(command);
		expect(laneOf(call)).toBe(lane);
	});
});

describe('lane tables', () => {
	it('name only command paths the grammar knows', async () => {
		const { ATTACHED_PATHS, READ_PATHS } = await import('../../src/docker-grammar/lanes.js');
		const known = (path: string) => parseDockerArgv(path.split(' ')).command === path;
		expect([...READ_PATHS, ...ATTACHED_PATHS].filter(path => !known(path))).toEqual([]);
	});
});
