import { BrokerUnavailable } from '../errors.js';
import { type BrokerConnection, tryConnect, within } from './client.js';
import { brokerSocketPath } from './paths.js';
import type { StatsSnapshot } from './protocol.js';

/** The running broker, if one answers; never starts one. */
async function connectExisting(stateDir: string): Promise<{ connection: BrokerConnection; pid: number; version: string } | undefined> {
	const connection = await tryConnect(brokerSocketPath(stateDir));
	if (!connection) return undefined;
	connection.send({ type: 'hello', version: null });
	try {
		const reply = await within(connection.next('welcome'), connection);
		return { connection, pid: reply.pid, version: reply.version };
	} catch (error) {
		connection.close();
		if (error instanceof BrokerUnavailable && error.reason === 'silent') throw error;
		return undefined; // it closed the connection: it was stopping
	}
}

/** What `guard stats`, `guard broker status` and `guard health` read of a running broker. */
export interface BrokerStatus {
	readonly pid: number;
	readonly version: string;
	readonly stats: StatsSnapshot;
}

/** The running broker's status and statistics, or undefined when none runs. */
export async function brokerStatus(stateDir: string): Promise<BrokerStatus | undefined> {
	const live = await connectExisting(stateDir);
	if (!live) return undefined;
	try {
		live.connection.send({ type: 'stats' });
		const { stats } = await within(live.connection.next('stats'), live.connection);
		return { pid: live.pid, version: live.version, stats };
	} finally {
		live.connection.close();
	}
}

/** Asks the running broker to reset its statistics or to stop; resolves to its pid, or undefined when none runs. */
export async function tellBroker(stateDir: string, type: 'reset' | 'stop'): Promise<number | undefined> {
	const live = await connectExisting(stateDir);
	if (!live) return undefined;
	try {
		const acknowledged = live.connection.next('ok');
		live.connection.send({ type });
		// A broker told to stop may close the connection before its `ok` arrives: it stopped all the same.
		await within(acknowledged, live.connection).catch(error => {
			if (type !== 'stop' || !(error instanceof BrokerUnavailable) || error.reason !== 'closed') throw error;
		});
		return live.pid;
	} finally {
		live.connection.close();
	}
}
