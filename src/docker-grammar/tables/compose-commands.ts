/**
 * Docker Compose (v2+ CLI plugin, `docker compose …`) command grammar, from docker/compose cmd/compose/*.go
 * (checked at v5.5.0-71-gf72979427) and cross-checked with its generated docs/reference/docker_compose_*.yaml.
 * Hidden and deprecated flags are included; -h/--help is not.
 *
 * Every row also lists `--dry-run`: it is the compose root's only persistent flag, so it is accepted after the
 * subcommand too. All other compose root options (-f, -p, --profile, …; root-options.ts) are local to the root and
 * must come before the subcommand.
 * Names accepted only through a command's SetNormalizeFunc (e.g. `run --volumes` for `--volume`) are listed as flags
 * of the same kind, since pflag resolves them to the real flag.
 * Management commands without flags (alpha, bridge, bridge transformations) have no row. Internal plumbing
 * (`compose __hook`, hidden, added by cmd/main.go for CLI hooks) is left out.
 */
import type { CommandTable } from '../types.js';

export const composeCommands: CommandTable = {
	'compose alpha generate': { bool: 'dry-run', value: 'format name project-dir', source: 'docker/compose:cmd/compose/generate.go' },
	'compose alpha viz': {
		bool: 'dry-run image networks ports spaces',
		value: 'indentation-size',
		source: 'docker/compose:cmd/compose/viz.go',
	},
	'compose attach': { bool: 'dry-run no-stdin sig-proxy', value: 'detach-keys index', source: 'docker/compose:cmd/compose/attach.go' },
	'compose bridge convert': {
		bool: 'dry-run',
		value: 'o/output templates t/transformation',
		source: 'docker/compose:cmd/compose/bridge.go',
	},
	'compose bridge transformations create': { bool: 'dry-run', value: 'f/from', source: 'docker/compose:cmd/compose/bridge.go' },
	'compose bridge transformations list': {
		bool: 'dry-run q/quiet',
		value: 'format',
		aliases: ['compose bridge transformations ls'],
		source: 'docker/compose:cmd/compose/bridge.go',
	},
	// hidden --compress --force-rm --no-rm --parallel --progress
	'compose build': {
		bool: 'check compress dry-run force-rm no-cache no-rm parallel print pull push q/quiet with-dependencies',
		value: 'build-arg builder m/memory progress provenance sbom ssh',
		source: 'docker/compose:cmd/compose/build.go',
	},
	'compose commit': { bool: 'dry-run p/pause', value: 'a/author c/change index m/message', source: 'docker/compose:cmd/compose/commit.go' },
	'compose config': {
		bool: 'dry-run environment images lock-image-digests models networks no-consistency no-env-resolution no-interpolate no-normalize no-path-resolution profiles q/quiet resolve-image-digests services variables volumes',
		value: 'format hash o/output',
		source: 'docker/compose:cmd/compose/config.go',
	},
	'compose cp': { bool: 'all a/archive dry-run L/follow-link', value: 'index', source: 'docker/compose:cmd/compose/cp.go' },
	// SetNormalizeFunc also accepts --y (= --yes) (listed as long flags)
	'compose create': {
		bool: 'build dry-run force-recreate no-build no-recreate quiet-pull remove-orphans y y/yes',
		value: 'pull scale',
		source: 'docker/compose:cmd/compose/create.go',
	},
	// SetNormalizeFunc also accepts --volume (= --volumes) (listed as long flags)
	'compose down': { bool: 'dry-run remove-orphans volume v/volumes', value: 'rmi t/timeout', source: 'docker/compose:cmd/compose/down.go' },
	'compose events': { bool: 'dry-run json', value: 'since until', source: 'docker/compose:cmd/compose/events.go' },
	// hidden --interactive --tty
	// SetNormalizeFunc also accepts --no-TTY (= --no-tty) (listed as long flags)
	'compose exec': {
		bool: 'd/detach dry-run i/interactive no-TTY T/no-tty privileged t/tty',
		value: 'e/env index u/user w/workdir',
		interspersed: false,
		source: 'docker/compose:cmd/compose/exec.go',
	},
	'compose export': { bool: 'dry-run', value: 'index o/output', source: 'docker/compose:cmd/compose/export.go' },
	'compose images': { bool: 'dry-run q/quiet', value: 'format', source: 'docker/compose:cmd/compose/images.go' },
	'compose kill': { bool: 'dry-run remove-orphans', value: 's/signal', source: 'docker/compose:cmd/compose/kill.go' },
	'compose logs': {
		bool: 'dry-run f/follow no-color no-log-prefix t/timestamps',
		value: 'index since n/tail until',
		source: 'docker/compose:cmd/compose/logs.go',
	},
	'compose ls': { bool: 'a/all dry-run q/quiet', value: 'filter format', source: 'docker/compose:cmd/compose/list.go' },
	'compose pause': { bool: 'dry-run', source: 'docker/compose:cmd/compose/pause.go' },
	'compose port': { bool: 'dry-run', value: 'index protocol', source: 'docker/compose:cmd/compose/port.go' },
	'compose ps': {
		bool: 'a/all dry-run no-trunc orphans q/quiet services',
		value: 'filter format status',
		source: 'docker/compose:cmd/compose/ps.go',
	},
	// hidden --insecure-registry
	// SetNormalizeFunc also accepts --y (= --yes) (listed as long flags)
	'compose publish': {
		bool: 'app dry-run insecure-registry resolve-image-digests with-env y y/yes',
		value: 'oci-version',
		aliases: ['compose alpha publish'],
		source: 'docker/compose:cmd/compose/publish.go',
	},
	// hidden --no-parallel --parallel
	'compose pull': {
		bool: 'dry-run ignore-buildable ignore-pull-failures include-deps no-parallel parallel q/quiet',
		value: 'policy',
		source: 'docker/compose:cmd/compose/pull.go',
	},
	'compose push': { bool: 'dry-run ignore-push-failures include-deps q/quiet', source: 'docker/compose:cmd/compose/push.go' },
	'compose restart': { bool: 'dry-run no-deps', value: 't/timeout', source: 'docker/compose:cmd/compose/restart.go' },
	// hidden --all
	'compose rm': { bool: 'a/all dry-run f/force s/stop v/volumes', source: 'docker/compose:cmd/compose/remove.go' },
	// hidden --tty
	// SetNormalizeFunc also accepts --labels (= --label), --no-TTY (= --no-tty), --volumes (= --volume) (listed as long flags)
	'compose run': {
		bool: 'build d/detach dry-run i/interactive no-TTY no-deps T/no-tty q/quiet quiet-build quiet-pull remove-orphans rm P/service-ports t/tty use-aliases',
		value: 'cap-add cap-drop entrypoint e/env env-from-file l/label labels name p/publish pull u/user v/volume volumes w/workdir',
		interspersed: false,
		source: 'docker/compose:cmd/compose/run.go',
	},
	'compose scale': { bool: 'dry-run no-deps', source: 'docker/compose:cmd/compose/scale.go' },
	'compose start': { bool: 'dry-run wait', value: 'wait-timeout', source: 'docker/compose:cmd/compose/start.go' },
	'compose stats': { bool: 'a/all dry-run no-stream no-trunc', value: 'format', source: 'docker/compose:cmd/compose/stats.go' },
	'compose stop': { bool: 'dry-run', value: 't/timeout', source: 'docker/compose:cmd/compose/stop.go' },
	'compose top': { bool: 'dry-run', source: 'docker/compose:cmd/compose/top.go' },
	'compose unpause': { bool: 'dry-run', source: 'docker/compose:cmd/compose/pause.go' },
	// SetNormalizeFunc also accepts --y (= --yes) (listed as long flags)
	'compose up': {
		bool: 'abort-on-container-exit abort-on-container-failure always-recreate-deps attach-dependencies build d/detach dry-run force-recreate menu no-build no-color no-deps no-log-prefix no-recreate no-start quiet-build quiet-pull remove-orphans V/renew-anon-volumes timestamps wait w/watch y y/yes',
		value: 'attach exit-code-from no-attach pull scale t/timeout wait-timeout',
		source: 'docker/compose:cmd/compose/up.go',
	},
	'compose version': { bool: 'dry-run short', value: 'f/format', source: 'docker/compose:cmd/compose/version.go' },
	'compose volumes': { bool: 'dry-run q/quiet', value: 'format', source: 'docker/compose:cmd/compose/volumes.go' },
	'compose wait': { bool: 'down-project dry-run', source: 'docker/compose:cmd/compose/wait.go' },
	'compose watch': { bool: 'dry-run no-up prune quiet', source: 'docker/compose:cmd/compose/watch.go' },
};
