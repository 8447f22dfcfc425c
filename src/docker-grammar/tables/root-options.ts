/**
 * Root (global) options of docker, `docker compose` and `docker buildx`: the flags accepted between the program /
 * plugin name and the first subcommand. -h/--help is not listed (the parser handles help itself).
 */
import type { CommandSpec } from '../types.js';

/**
 * `docker [OPTIONS] COMMAND`.
 * docker/cli cli/flags/options.go (ClientOptions.InstallFlags) and cmd/docker/docker.go (`-v/--version`); identical in
 * 28.2.2 and v29.x. `-H/--host` is repeatable. cli/cobra.go HandleGlobalFlags parses them with SetInterspersed(false):
 * they are only accepted before the subcommand (`docker rm --context x` is "unknown flag"), and `--` ends them.
 */
export const dockerRoot: CommandSpec = {
	bool: 'D/debug tls tlsverify v/version',
	value: 'config c/context H/host l/log-level tlscacert tlscert tlskey',
	interspersed: false,
	source: 'docker/cli:cli/flags/options.go',
};

/**
 * `docker compose [OPTIONS] COMMAND`.
 * docker/compose cmd/compose/compose.go: ProjectOptions.addProjectFlags (-f/--file repeatable, -p, --profile, --env-file,
 * --project-directory, --progress, --compatibility, --all-resources, hidden --workdir and --insecure-registry) and
 * RootCommand (--ansi, --parallel, --dry-run, hidden -v/--version, --no-ansi, --verbose).
 * The root calls SetInterspersed(false); its flags are local, so they must precede the subcommand
 * (`docker compose up -f x.yml` fails), except `--dry-run`, the only persistent one, which compose-commands.ts also
 * lists on every subcommand.
 */
export const composeRoot: CommandSpec = {
	bool: 'all-resources compatibility dry-run no-ansi verbose v/version',
	value: 'ansi env-file f/file insecure-registry parallel profile progress project-directory p/project-name workdir',
	interspersed: false,
	source: 'docker/compose:cmd/compose/compose.go',
};

/**
 * `docker buildx [OPTIONS] COMMAND`.
 * docker/buildx commands/root.go rootFlags: PersistentFlags of the buildx root, so they are accepted before or after
 * the subcommand (buildx-commands.ts lists them on every subcommand too). Also reached as `docker builder [OPTIONS] …`
 * when buildx is installed (docker/cli cmd/docker/builder.go forwards `builder` to `buildx`).
 */
export const buildxRoot: CommandSpec = {
	bool: 'D/debug',
	value: 'builder',
	source: 'docker/buildx:commands/root.go',
};
