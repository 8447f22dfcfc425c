import type { GuardContext } from '../cli/guard.js';
import { stateDir } from '../config/paths.js';
import { connectExisting } from '../coordination/client.js';
import { brokerSocketPath } from '../coordination/paths.js';

/** `safe-docker guard broker status|stop`. */
export async function brokerCommand(action: string, context: GuardContext): Promise<number> {
	const dir = stateDir(context.env);
	const live = await connectExisting(dir);
	if (!live) {
		context.stdout.write(`no broker running for ${dir} (the next docker call starts one)\n`);
		return 0;
	}
	if (action === 'stop') {
		live.connection.send({ type: 'stop' });
		await live.connection.next('ok').catch(() => undefined);
		context.stdout.write(`stopped the broker (pid ${live.pid})\n`);
		return 0;
	}
	live.connection.send({ type: 'stats' });
	const { stats } = await live.connection.next('stats');
	live.connection.close();
	const lanes = Object.entries(stats.lanes)
		.map(([lane, { running, queued }]) => `${lane} ${running} running/${queued} queued`)
		.join(', ');
	context.stdout.write(`broker pid ${live.pid}, version ${live.version}, socket ${brokerSocketPath(dir)}; ${lanes}\n`);
	return 0;
}
