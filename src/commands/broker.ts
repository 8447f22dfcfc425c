import { tellBroker } from '../coordination/broker-status.js';
import { brokerSocketPath } from '../coordination/paths.js';
import type { CommandContext } from './context.js';

/** `safe-docker guard broker status|stop`. */
export async function brokerCommand(action: 'status' | 'stop', context: CommandContext): Promise<number> {
	const dir = context.stateDir();
	if (action === 'stop') {
		const pid = await tellBroker(dir, 'stop');
		context.stdout.write(
			pid === undefined ? `no broker running for ${dir} (the next docker call starts one)\n` : `stopped the broker (pid ${pid})\n`,
		);
		return 0;
	}
	const live = await context.broker();
	if (!live) {
		context.stdout.write(`no broker running for ${dir} (the next docker call starts one)\n`);
		return 0;
	}
	const lanes = Object.entries(live.stats.lanes)
		.map(([lane, { running, queued }]) => `${lane} ${running} running/${queued} queued`)
		.join(', ');
	context.stdout.write(`broker pid ${live.pid}, version ${live.version}, socket ${brokerSocketPath(dir)}; ${lanes}\n`);
	return 0;
}
