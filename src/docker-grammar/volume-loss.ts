import { boolFlag, type ParsedCall } from './parse.js';
import type { FlagUse } from './scan-flags.js';

/** What a call destroys of volume data: named volumes, only anonymous ones, or none. */
type LossClass = 'named' | 'anonymous' | 'none';

/** The data-loss verdict on one call, decided from the parse and the API version in force. */
export interface VolumeLoss {
	readonly class: LossClass;
	/** The argv token(s) that cause it (`-v`, `--volumes`, `--filter all=1`); null when the command itself does (`volume rm`, a plain prune). */
	readonly flag: string | null;
	/** The volumes that go, when known: `volume rm`'s operands, or those a compose file declares for `compose down -v`. */
	readonly volumes: readonly string[] | null;
	/** The API version the class was decided for; null when unknown. */
	readonly apiVersion: string | null;
	/** Why, in one line a user reads. */
	readonly reason: string;
}

/** From API 1.42 (Engine 23) on, a prune without `all` removes only anonymous volumes (moby #44259). */
const PRUNE_ALL_NAMED_BELOW = '1.42';

/**
 * Classifies a call's volume data loss, per docker/cli v28, docker/compose v1 and v2 and moby's API history:
 * - named: `volume rm` (any operand), `volume prune -a` or `--filter all=1|true`, `compose down -v`;
 * - anonymous: `rm -v`, `compose rm -v`, `compose up -V`, plain `volume prune` and `system prune --volumes`,
 *   but the prunes only from API 1.42: below it (or when the version is unknown) the daemon prunes named
 *   volumes too, so they count as named;
 * - none: everything else, including help, the root `-v` (which is `--version` for docker and compose),
 *   `compose --dry-run`, `--volumes=false` and anything in the container's own command.
 * `composeVolumes` is asked, best effort, for the volumes `compose down -v` would remove.
 */
export function classifyVolumeLoss(
	call: ParsedCall,
	apiVersion: string | undefined,
	composeVolumes: (call: ParsedCall) => readonly string[] | undefined = () => undefined,
): VolumeLoss {
	const api = apiVersion ?? null;
	const none = (reason: string): VolumeLoss => ({ class: 'none', flag: null, volumes: null, apiVersion: api, reason });
	if (call.command === undefined || call.help || call.version) return none('destroys no volume');
	if (versionOfParent(call)) return none('compose -v is --version');
	if (call.command.startsWith('compose ') && dryRun(call)) return none('compose --dry-run changes nothing');
	const loss = (cls: LossClass, flag: string | null, volumes: readonly string[] | null, reason: string): VolumeLoss => ({
		class: cls,
		flag,
		volumes,
		apiVersion: api,
		reason,
	});
	const token = (name: string) => tokenOf(call, name);

	switch (call.command) {
		case 'volume rm':
			return loss('named', null, call.positionals, 'removes the named volumes and all their data');
		case 'volume prune': {
			if (boolFlag(call, 'all')) return loss('named', token('all'), null, 'removes every unused volume, named ones included');
			const all = allFilter(call.flags);
			if (all) return loss('named', all, null, 'removes every unused volume, named ones included');
			return prune(null, 'volume prune');
		}
		case 'system prune': {
			if (!boolFlag(call, 'volumes')) return none('prunes no volume');
			const all = allFilter(call.flags);
			if (all) return loss('named', `${token('volumes')} ${all}`, null, 'removes every unused volume, named ones included');
			return prune(token('volumes'), 'system prune --volumes');
		}
		case 'container rm':
		case 'compose rm':
			return boolFlag(call, 'volumes')
				? loss('anonymous', token('volumes'), null, "removes the containers' anonymous volumes")
				: none('removes no volume');
		case 'compose up':
			return boolFlag(call, 'renew-anon-volumes')
				? loss('anonymous', token('renew-anon-volumes'), null, 'recreates anonymous volumes; the old data is orphaned')
				: none('keeps volumes');
		case 'compose down': {
			// `--volume` is accepted too (SetNormalizeFunc): the last of either wins.
			const last = call.flags.findLast(flag => flag.name === 'volumes' || flag.name === 'volume');
			if (last?.value !== true) return none('keeps volumes');
			return loss(
				'named',
				call.argv[last.index]!,
				composeVolumes(call) ?? null,
				"removes the project's named volumes (all but external ones) and anonymous volumes",
			);
		}
		default:
			return none('destroys no volume');
	}

	function prune(flag: string | null, what: string): VolumeLoss {
		if (api !== null && !versionBelow(api, PRUNE_ALL_NAMED_BELOW)) {
			return loss('anonymous', flag, null, `${what} removes unused anonymous volumes (API ${api})`);
		}
		const why =
			api === null
				? `${what} on an engine of unknown API version counts as named: before API 1.42 (Engine 23) it removes every unused volume, named ones included`
				: `${what} on API ${api} (below 1.42, Engine < 23) removes every unused volume, named ones included`;
		return loss('named', flag, null, why);
	}
}

function tokenOf(call: ParsedCall, name: string): string | null {
	const last = call.flags.findLast(flag => flag.name === name);
	return last === undefined ? null : call.argv[last.index]!;
}

/** compose's root `-v` is `--version`: `docker-compose -f x -v down` prints the version and stops. */
function versionOfParent(call: ParsedCall): boolean {
	return call.command?.startsWith('compose ') === true && call.parentFlags.some(flag => flag.name === 'version' && flag.value === true);
}

function dryRun(call: ParsedCall): boolean {
	const last = [...call.parentFlags, ...call.flags].findLast(flag => flag.name === 'dry-run');
	return last?.value === true;
}

/** A `--filter all=1|true` (moby's Args.GetBoolOrDefault), as typed; undefined when there is none. */
function allFilter(flags: readonly FlagUse[]): string | undefined {
	const filter = flags.findLast(flag => flag.name === 'filter' && typeof flag.value === 'string' && /^all=(1|true)$/i.test(flag.value));
	return filter === undefined ? undefined : `--filter ${filter.value as string}`;
}

/** Whether the call may destroy volume data at all: no I/O, for the proxy's fast path. */
export function mayLoseData(call: ParsedCall): boolean {
	return classifyVolumeLoss(call, undefined).class !== 'none';
}

/** `1.41` < `1.42`, numerically per part (`1.9` < `1.10`). */
export function versionBelow(version: string, than: string): boolean {
	const a = version.split('.').map(Number);
	const b = than.split('.').map(Number);
	for (let i = 0; i < Math.max(a.length, b.length); i++) {
		const x = a[i] ?? 0;
		const y = b[i] ?? 0;
		if (Number.isNaN(x) || Number.isNaN(y)) return true;
		if (x !== y) return x < y;
	}
	return false;
}
