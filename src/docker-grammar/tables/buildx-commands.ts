/**
 * Docker Buildx (CLI plugin, `docker buildx …`) command grammar, from docker/buildx commands/** (checked at
 * v0.36.0-54-g461836ba0) and cross-checked with its generated docs/reference/buildx_*.md.
 * Hidden and deprecated flags are included; -h/--help is not.
 *
 * Every row also lists the buildx root's persistent flags `--builder` (value) and `-D/--debug` (bool), which are
 * accepted after the subcommand as well (root-options.ts has them for the position before it).
 * Aliases: cobra aliases (`buildx b`, `buildx f`), the same command registered under `debug`/`dap`, top-level
 * `bake`, and `builder <path>`: docker/cli (cmd/docker/builder.go) rewrites `docker builder …` to `docker buildx …`
 * when buildx is installed (`builder build` and `builder prune` are rows of docker-commands.ts instead).
 * Management commands without flags of their own (imagetools, history, policy, dap) have no row.
 */
import type { CommandTable } from '../types.js';

export const buildxCommands: CommandTable = {
	// docker/buildx commands/bake.go (flags also from commands/build.go)
	// hidden --list-targets --list-variables
	// --check is a Var with NoOptDefVal "true": `--check` alone, never consumes the next token
	// top-level `docker bake` is forwarded to `buildx bake` (docker/cli cmd/docker/builder.go)
	'buildx bake': {
		bool: 'check D/debug list-targets list-variables load no-cache print pull push',
		value: 'allow builder call f/file list metadata-file policy progress provenance sbom set var',
		aliases: ['buildx f', 'bake', 'builder bake', 'builder f'],
		source: 'docker/buildx:commands/bake.go',
	},
	// docker/buildx commands/build.go
	// hidden --compress --cpu-period --cpu-quota --cpu-shares --cpuset-cpus --cpuset-mems --force-rm --isolation --memory --memory-swap --print --rm --security-opt --squash
	// --check is a Var with NoOptDefVal "true": `--check` alone, never consumes the next token
	// `dap build` drops the `b` alias (dapCmd sets Aliases = nil); `builder build` is docker `image build` (union)
	'buildx build': {
		bool: 'check compress D/debug force-rm load no-cache pull push q/quiet rm squash',
		value:
			'add-host allow annotation attest build-arg build-context builder cache-from cache-to call cgroup-parent cpu-period cpu-quota c/cpu-shares cpuset-cpus cpuset-mems f/file iidfile isolation label m/memory memory-swap metadata-file network no-cache-filter o/output platform policy print progress provenance resource sbom secret security-opt shm-size ssh t/tag target ulimit',
		aliases: [
			'buildx b',
			'buildx dap build',
			'buildx debug b',
			'buildx debug build',
			'builder b',
			'builder dap build',
			'builder debug b',
			'builder debug build',
		],
		source: 'docker/buildx:commands/build.go',
	},
	// docker/buildx commands/create.go (flags also from commands/root.go)
	// hidden --builder --config
	'buildx create': {
		bool: 'append bootstrap D/debug leave use',
		value: 'builder buildkitd-config buildkitd-flags config driver driver-opt name node platform timeout',
		aliases: ['builder create'],
		source: 'docker/buildx:commands/create.go',
	},
	// hidden command
	'buildx dap attach': { bool: 'D/debug', value: 'builder', aliases: ['builder dap attach'], source: 'docker/buildx:commands/dap.go' },
	// experimental: only registered with BUILDX_EXPERIMENTAL=1; --invoke/--on are local to `debug`
	'buildx debug': { bool: 'D/debug', value: 'builder invoke on', aliases: ['builder debug'], source: 'docker/buildx:commands/debug.go' },
	'buildx dial-stdio': {
		bool: 'D/debug',
		value: 'builder platform progress',
		aliases: ['builder dial-stdio'],
		source: 'docker/buildx:commands/dial_stdio.go',
	},
	// docker/buildx commands/diskusage.go (flags also from commands/root.go)
	'buildx du': {
		bool: 'D/debug verbose',
		value: 'builder filter format timeout',
		aliases: ['builder du'],
		source: 'docker/buildx:commands/diskusage.go',
	},
	'buildx history export': {
		bool: 'all D/debug finalize',
		value: 'builder o/output',
		aliases: ['builder history export'],
		source: 'docker/buildx:commands/history/export.go',
	},
	'buildx history import': {
		bool: 'D/debug',
		value: 'builder f/file',
		aliases: ['builder history import'],
		source: 'docker/buildx:commands/history/import.go',
	},
	'buildx history inspect': {
		bool: 'D/debug',
		value: 'builder format',
		aliases: ['builder history inspect'],
		source: 'docker/buildx:commands/history/inspect.go',
	},
	'buildx history inspect attachment': {
		bool: 'D/debug',
		value: 'builder platform type',
		aliases: ['builder history inspect attachment'],
		source: 'docker/buildx:commands/history/inspect_attachment.go',
	},
	'buildx history logs': {
		bool: 'D/debug',
		value: 'builder progress',
		aliases: ['builder history logs'],
		source: 'docker/buildx:commands/history/logs.go',
	},
	'buildx history ls': {
		bool: 'D/debug local no-trunc',
		value: 'builder filter format',
		aliases: ['builder history ls'],
		source: 'docker/buildx:commands/history/ls.go',
	},
	'buildx history open': {
		bool: 'D/debug',
		value: 'builder',
		aliases: ['builder history open'],
		source: 'docker/buildx:commands/history/open.go',
	},
	'buildx history rm': {
		bool: 'all D/debug',
		value: 'builder',
		aliases: ['builder history rm'],
		source: 'docker/buildx:commands/history/rm.go',
	},
	'buildx history trace': {
		bool: 'D/debug',
		value: 'addr builder compare',
		aliases: ['builder history trace'],
		source: 'docker/buildx:commands/history/trace.go',
	},
	'buildx imagetools create': {
		bool: 'append D/debug dry-run prefer-index',
		value: 'annotation builder f/file metadata-file p/platform progress t/tag',
		aliases: ['builder imagetools create'],
		source: 'docker/buildx:commands/imagetools/create.go',
	},
	'buildx imagetools inspect': {
		bool: 'D/debug raw',
		value: 'builder format',
		aliases: ['builder imagetools inspect'],
		source: 'docker/buildx:commands/imagetools/inspect.go',
	},
	// docker/buildx commands/inspect.go (flags also from commands/root.go)
	'buildx inspect': {
		bool: 'bootstrap D/debug',
		value: 'builder timeout',
		aliases: ['builder inspect'],
		source: 'docker/buildx:commands/inspect.go',
	},
	// hidden command
	// hidden --builder
	'buildx install': { bool: 'D/debug', value: 'builder', aliases: ['builder install'], source: 'docker/buildx:commands/install.go' },
	// docker/buildx commands/ls.go (flags also from commands/root.go)
	// hidden --builder
	'buildx ls': {
		bool: 'D/debug no-trunc',
		value: 'builder format timeout',
		aliases: ['builder ls'],
		source: 'docker/buildx:commands/ls.go',
	},
	// hidden --filename
	'buildx policy eval': {
		bool: 'D/debug print',
		value: 'builder fields f/file filename platform',
		aliases: ['builder policy eval'],
		source: 'docker/buildx:commands/policy/eval.go',
	},
	'buildx policy test': {
		bool: 'D/debug',
		value: 'builder filename run',
		aliases: ['builder policy test'],
		source: 'docker/buildx:commands/policy/test.go',
	},
	// docker/buildx commands/prune.go (flags also from commands/root.go)
	// deprecated --keep-storage
	// `builder prune` is the docker `builder prune` row (union of both)
	'buildx prune': {
		bool: 'a/all D/debug f/force verbose',
		value: 'builder filter keep-storage max-used-space min-free-space reserved-space timeout',
		source: 'docker/buildx:commands/prune.go',
	},
	// docker/buildx commands/rm.go (flags also from commands/root.go)
	'buildx rm': {
		bool: 'all-inactive D/debug f/force keep-daemon keep-state',
		value: 'builder timeout',
		aliases: ['builder rm'],
		source: 'docker/buildx:commands/rm.go',
	},
	'buildx stop': { bool: 'D/debug', value: 'builder', aliases: ['builder stop'], source: 'docker/buildx:commands/stop.go' },
	// hidden command
	// hidden --builder
	'buildx uninstall': { bool: 'D/debug', value: 'builder', aliases: ['builder uninstall'], source: 'docker/buildx:commands/uninstall.go' },
	'buildx use': { bool: 'D/debug default global', value: 'builder', aliases: ['builder use'], source: 'docker/buildx:commands/use.go' },
	// hidden --builder
	'buildx version': { bool: 'D/debug', value: 'builder', aliases: ['builder version'], source: 'docker/buildx:commands/version.go' },
};
