import { describe, expect, it } from 'vitest';
import { type Hold, holdOf, type Lane, laneOf } from '../../src/docker-grammar/lanes.js';
import { parseDockerArgv } from '../../src/docker-grammar/parse.js';

const table: Array<[string, string, Lane, Hold]> = [
	// read: cheap, read-only
	['ps -a --format {{.Names}}', 'container ls', 'read', 'call'],
	['images -q', 'image ls', 'read', 'call'],
	['inspect -f {{.State.Status}} web', 'inspect', 'read', 'call'],
	['container inspect web', 'container inspect', 'read', 'call'],
	['version --format {{.Server.Version}}', 'version', 'read', 'call'],
	['info', 'system info', 'read', 'call'],
	['system df -v', 'system df', 'read', 'call'],
	['logs --tail 100 web', 'container logs', 'read', 'call'],
	['logs --since 5m -t web', 'container logs', 'read', 'call'],
	['image history alpine', 'image history', 'read', 'call'],
	['port web', 'container port', 'read', 'call'],
	['stats --no-stream', 'container stats', 'read', 'call'],
	['network ls', 'network ls', 'read', 'call'],
	['volume inspect data', 'volume inspect', 'read', 'call'],
	['context ls', 'context ls', 'read', 'call'],
	['compose ps', 'compose ps', 'read', 'call'],
	['compose -f docker-compose.yml config', 'compose config', 'read', 'call'],
	['compose logs --tail 50 web', 'compose logs', 'read', 'call'],
	['buildx ls', 'buildx ls', 'read', 'call'],
	['--help', '', 'read', 'call'],
	['rm --help', 'container rm', 'read', 'call'],
	// mutate: changes the daemon's state or loads it
	['run -d --name web -p 8080:80 nginx', 'container run', 'mutate', 'call'],
	['run --detach alpine sleep 1', 'container run', 'mutate', 'call'],
	['create --name web nginx', 'container create', 'mutate', 'call'],
	['start web', 'container start', 'mutate', 'call'],
	['stop -t 10 web', 'container stop', 'mutate', 'call'],
	['restart web', 'container restart', 'mutate', 'call'],
	['kill web', 'container kill', 'mutate', 'call'],
	['rm -v web', 'container rm', 'mutate', 'call'],
	['rmi alpine', 'image rm', 'mutate', 'call'],
	['build -t app:latest .', 'image build', 'mutate', 'call'],
	['buildx build --platform linux/amd64 -t app --load .', 'buildx build', 'mutate', 'call'],
	['pull alpine:3.20', 'image pull', 'mutate', 'call'],
	['push registry.example.com/app:1.0', 'image push', 'mutate', 'call'],
	['system prune', 'system prune', 'mutate', 'call'],
	['image prune -a --filter until=24h', 'image prune', 'mutate', 'call'],
	['volume create data', 'volume create', 'mutate', 'call'],
	['network create backend', 'network create', 'mutate', 'call'],
	['exec -d web touch /x', 'container exec', 'mutate', 'call'],
	['cp web:/etc/hosts .', 'container cp', 'mutate', 'call'],
	['load -i image.tar', 'image load', 'mutate', 'call'],
	['save -o image.tar alpine', 'image save', 'mutate', 'call'],
	['tag alpine mine:1', 'image tag', 'mutate', 'call'],
	['compose up -d', 'compose up', 'mutate', 'call'],
	['compose up --wait', 'compose up', 'mutate', 'call'],
	['compose -p ci down -v --remove-orphans', 'compose down', 'mutate', 'call'],
	['compose build --no-cache', 'compose build', 'mutate', 'call'],
	['compose pull', 'compose pull', 'mutate', 'call'],
	['compose run -d web migrate', 'compose run', 'mutate', 'call'],
	['scout cves alpine', '', 'mutate', 'call'],
	// attached: long-lived, attached to a stream
	['logs -f web', 'container logs', 'attached', 'lease'],
	['logs --follow --tail 10 web', 'container logs', 'attached', 'lease'],
	['events --filter type=container', 'system events', 'attached', 'lease'],
	['stats', 'container stats', 'attached', 'lease'],
	['attach web', 'container attach', 'attached', 'lease'],
	['wait web', 'container wait', 'attached', 'lease'],
	['exec -it web sh', 'container exec', 'attached', 'lease'],
	['exec web ls /', 'container exec', 'attached', 'lease'],
	['compose logs -f', 'compose logs', 'attached', 'lease'],
	['compose exec web sh', 'compose exec', 'attached', 'lease'],
	['compose watch', 'compose watch', 'attached', 'lease'],
	['service logs -f svc', 'service logs', 'attached', 'lease'],
	// mutate for as long as it starts, then attached: a foreground run is the daemon work of `run -d`, holding
	// its slot only for the start-up lease
	['run --rm -it alpine sh', 'container run', 'mutate', 'lease'],
	['run --rm alpine true', 'container run', 'mutate', 'lease'],
	['run -d=false alpine true', 'container run', 'mutate', 'lease'],
	['start -ai web', 'container start', 'mutate', 'lease'],
	['compose up', 'compose up', 'mutate', 'lease'],
	['compose up --build web', 'compose up', 'mutate', 'lease'],
	['compose run --rm web pytest', 'compose run', 'mutate', 'lease'],
	['run --help', 'container run', 'read', 'call'],
];

describe('lanes', () => {
	it.each(table)('%s → %s, %s, holds its slot for the %s', (line, command, lane, hold) => {
		const call = parseDockerArgv(line.split(' '));
		expect(call.command ?? '').toBe(command);
		expect(laneOf(call)).toBe(lane);
		expect(holdOf(call)).toBe(hold);
	});
});

describe('lane tables', () => {
	it('name only command paths the grammar knows', async () => {
		const { ATTACHED_PATHS, READ_PATHS } = await import('../../src/docker-grammar/lanes.js');
		const known = (path: string) => parseDockerArgv(path.split(' ')).command === path;
		expect([...READ_PATHS, ...ATTACHED_PATHS].filter(path => !known(path))).toEqual([]);
	});
});
