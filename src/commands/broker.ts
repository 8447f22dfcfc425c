import { tellBroker } from '../coordination/broker-status.js';
import { brokerSocketPath } from '../coordination/paths.js';
import { describeFleet } from '../fleet/describe-fleet.js';
import type { CommandContext } from './context.js';

/** `safe-docker guard broker status|stop [--json]`. */
export async function brokerCommand(
	action: 'status' | 'stop',
	{ json = false }: { json?: boolean },
	context: CommandContext,
): Promise<number> {
	const dir = context.stateDir();
	const socket = brokerSocketPath(dir);
	const say = (data: Record<string, unknown>, text: string) =>
		context.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${text}\n`);
	const none = `no broker running for ${dir} (the next docker call starts one)`;
	if (action === 'stop') {
		const pid = await tellBroker(dir, 'stop');
		say({ running: false, stopped: pid ?? null, stateDir: dir }, pid === undefined ? none : `stopped the broker (pid ${pid})`);
		return 0;
	}
	const live = await context.broker();
	if (!live) {
		say({ running: false, stateDir: dir, socket }, none);
		return 0;
	}
	const lanes = Object.entries(live.stats.lanes)
		.map(([lane, { running, queued }]) => `${lane} ${running} running/${queued} queued`)
		.join(', ');
	const { fleet } = live.stats;
	say(
		{ running: true, pid: live.pid, version: live.version, stateDir: dir, socket, lanes: live.stats.lanes, fleet: fleet ?? null },
		[`broker pid ${live.pid}, version ${live.version}, socket ${socket}; ${lanes}`, ...(fleet ? describeFleet(fleet) : [])].join('\n'),
	);
	return 0;
}
