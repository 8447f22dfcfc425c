// Entry point of the broker process (dist/broker.js), started detached by the first client that needs it.
import type { BrokerLog, BrokerOptions } from './broker-options.js';
import { runBroker } from './broker-server.js';

const options = JSON.parse(process.env['SAFE_DOCKER_BROKER'] ?? '{}') as BrokerOptions;
const log: BrokerLog = (line, at = Date.now()) => process.stderr.write(`${new Date(at).toISOString()} broker ${process.pid}: ${line}\n`);
for (const signal of ['SIGINT', 'SIGHUP'] as const) process.on(signal, () => undefined); // only `stop`, idle or SIGTERM end it
await runBroker({ ...options, log, trace: process.env['SAFE_DOCKER_BROKER_TRACE'] === '1' });
process.exit(0);
