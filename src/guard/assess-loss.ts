import { type ApiVersionInForce, knownApiVersion } from '../docker/api-version.js';
import { dockerEndpoint } from '../docker/endpoint.js';
import { composeVolumes } from '../docker-grammar/compose-volumes.js';
import type { ParsedCall } from '../docker-grammar/parse.js';
import { classifyVolumeLoss, type VolumeLoss } from '../docker-grammar/volume-loss.js';

export interface LossContext {
	readonly env: Readonly<Record<string, string | undefined>>;
	readonly cwd: string;
	/** Where the negotiated API versions are cached; undefined: none known. */
	readonly stateDir: string | undefined;
	/** The endpoint's URL (default: the one docker would use). */
	readonly endpoint?: string;
	/** A version learned just now (the proxy asks docker when the verdict depends on it). */
	readonly learned?: string;
}

/**
 * A call's data loss as the guard judges it everywhere (proxy, `guard check`, scan, hook, cleanup): the class
 * for the API version in force (`DOCKER_API_VERSION`, else the endpoint's cached negotiated version, else
 * unknown), with the volumes compose would remove when its files can be read. Never waits on a daemon.
 */
export function lossOf(call: ParsedCall, context: LossContext): { loss: VolumeLoss; api: ApiVersionInForce } {
	const known = knownApiVersion(context.env, context.stateDir, context.endpoint ?? dockerEndpoint(context.env).url);
	const api: ApiVersionInForce = known.source === 'unknown' && context.learned ? { version: context.learned, source: 'negotiated' } : known;
	const loss = classifyVolumeLoss(call, api.version, parsed => composeVolumes(parsed, { env: context.env, cwd: context.cwd }));
	return { loss, api };
}

/** Whether the class depends on the API version (a plain prune): worth asking docker for it when unknown. */
export function dependsOnApiVersion(call: ParsedCall): boolean {
	return classifyVolumeLoss(call, '1.41').class !== classifyVolumeLoss(call, '1.42').class;
}
