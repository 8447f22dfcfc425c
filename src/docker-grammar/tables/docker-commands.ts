/**
 * Docker CLI command grammar: every command path of docker/cli 28.2.2 (the local client) united with docker/cli up to
 * v29.x (checked at v29.7.2-16-g28f756087e; flags added since 28.2.2 are marked "v29 only"). A flag that takes a value
 * in either version is a value flag. Hidden and deprecated flags are included (they still parse); -h/--help is not.
 *
 * Keys are canonical paths; `aliases` are the other full paths cobra resolves to the same command (legacy top-level
 * commands such as `rm`/`ps`/`images`, and subcommand aliases such as `container remove`/`image rmi`).
 * Management commands without flags of their own (container, image, builder, completion, trust key, …) have no row.
 * `bake` (forwarded to `buildx bake`) lives in buildx-commands.ts; `builder <cmd>` other than `builder build` and
 * `builder prune` is forwarded to `buildx <cmd>` and listed there as an alias.
 * Global options (--config, -H, …) are in root-options.ts; they are only accepted before the subcommand.
 *
 * Extracted from the pflag definitions (BoolVar/StringVar/Var/… in cli/command/**, cmd/docker-trust/**) and checked
 * against `docker <path> --help` of the 28.2.2 binary for every visible flag.
 */
import type { CommandTable } from '../types.js';

export const dockerCommands: CommandTable = {
	// ---- builder: docker/cli cli/command/builder/ ----
	// UNION with buildx prune (`docker builder …` is forwarded to `docker buildx …` when buildx is installed,
	//   cmd/docker/builder.go): + docker/buildx commands/prune.go flags, + buildx root persistent --builder, -D/--debug
	'builder prune': {
		bool: 'a/all D/debug f/force verbose',
		value: 'builder filter keep-storage max-used-space min-free-space reserved-space timeout',
		source: 'docker/cli:cli/command/builder/prune.go',
	},

	// ---- checkpoint: docker/cli cli/command/checkpoint/ ----
	'checkpoint create': { bool: 'leave-running', value: 'checkpoint-dir', source: 'docker/cli:cli/command/checkpoint/create.go' },
	'checkpoint ls': { value: 'checkpoint-dir', aliases: ['checkpoint list'], source: 'docker/cli:cli/command/checkpoint/list.go' },
	'checkpoint rm': { value: 'checkpoint-dir', aliases: ['checkpoint remove'], source: 'docker/cli:cli/command/checkpoint/remove.go' },

	// ---- completion: spf13/cobra completions.go (default completion command, hidden in help) ----
	'completion bash': { bool: 'no-descriptions', source: 'spf13/cobra:completions.go' },
	'completion fish': { bool: 'no-descriptions', source: 'spf13/cobra:completions.go' },
	'completion powershell': { bool: 'no-descriptions', source: 'spf13/cobra:completions.go' },
	'completion zsh': { bool: 'no-descriptions', source: 'spf13/cobra:completions.go' },

	// ---- config: docker/cli cli/command/config/ ----
	'config create': { value: 'l/label template-driver', source: 'docker/cli:cli/command/config/create.go' },
	'config inspect': { bool: 'pretty', value: 'f/format', source: 'docker/cli:cli/command/config/inspect.go' },
	'config ls': { bool: 'q/quiet', value: 'f/filter format', aliases: ['config list'], source: 'docker/cli:cli/command/config/ls.go' },
	'config rm': { aliases: ['config remove'], source: 'docker/cli:cli/command/config/remove.go' },

	// ---- container: docker/cli cli/command/container/ ----
	'container attach': {
		bool: 'no-stdin sig-proxy',
		value: 'detach-keys',
		aliases: ['attach'],
		source: 'docker/cli:cli/command/container/attach.go',
	},
	// since v29: deprecated --pause
	// v29 only: --no-pause
	'container commit': {
		bool: 'no-pause p/pause',
		value: 'a/author c/change m/message',
		aliases: ['commit'],
		interspersed: false,
		source: 'docker/cli:cli/command/container/commit.go',
	},
	'container cp': { bool: 'a/archive L/follow-link q/quiet', aliases: ['cp'], source: 'docker/cli:cli/command/container/cp.go' },
	// docker/cli cli/command/container/create.go (flags also from cli/command/container/opts.go, cli/command/trust.go, cli/command/utils.go)
	// hidden --dns-opt --net --net-alias
	// since v29: deprecated --disable-content-trust --kernel-memory
	'container create': {
		bool: 'disable-content-trust init i/interactive no-healthcheck oom-kill-disable privileged P/publish-all q/quiet read-only rm t/tty use-api-socket',
		value:
			'add-host annotation a/attach blkio-weight blkio-weight-device cap-add cap-drop cgroup-parent cgroupns cidfile cpu-count cpu-percent cpu-period cpu-quota cpu-rt-period cpu-rt-runtime c/cpu-shares cpus cpuset-cpus cpuset-mems device device-cgroup-rule device-read-bps device-read-iops device-write-bps device-write-iops dns dns-opt dns-option dns-search domainname entrypoint e/env env-file expose gpus group-add health-cmd health-interval health-retries health-start-interval health-start-period health-timeout h/hostname io-maxbandwidth io-maxiops ip ip6 ipc isolation kernel-memory l/label label-file link link-local-ip log-driver log-opt mac-address m/memory memory-reservation memory-swap memory-swappiness mount name net net-alias network network-alias oom-score-adj pid pids-limit platform p/publish pull restart runtime security-opt shm-size stop-signal stop-timeout storage-opt sysctl tmpfs ulimit u/user userns uts v/volume volume-driver volumes-from w/workdir',
		aliases: ['create'],
		interspersed: false,
		source: 'docker/cli:cli/command/container/create.go',
	},
	'container diff': { aliases: ['diff'], source: 'docker/cli:cli/command/container/diff.go' },
	'container exec': {
		bool: 'd/detach i/interactive privileged t/tty',
		value: 'detach-keys e/env env-file u/user w/workdir',
		aliases: ['exec'],
		interspersed: false,
		source: 'docker/cli:cli/command/container/exec.go',
	},
	'container export': { value: 'o/output', aliases: ['export'], source: 'docker/cli:cli/command/container/export.go' },
	'container inspect': { bool: 's/size', value: 'f/format', source: 'docker/cli:cli/command/container/inspect.go' },
	'container kill': { value: 's/signal', aliases: ['kill'], source: 'docker/cli:cli/command/container/kill.go' },
	'container logs': {
		bool: 'details f/follow t/timestamps',
		value: 'since n/tail until',
		aliases: ['logs'],
		source: 'docker/cli:cli/command/container/logs.go',
	},
	'container ls': {
		bool: 'a/all l/latest no-trunc q/quiet s/size',
		value: 'f/filter format n/last',
		aliases: ['ps', 'container list', 'container ps'],
		source: 'docker/cli:cli/command/container/list.go',
	},
	'container pause': { aliases: ['pause'], source: 'docker/cli:cli/command/container/pause.go' },
	'container port': { aliases: ['port'], source: 'docker/cli:cli/command/container/port.go' },
	'container prune': { bool: 'f/force', value: 'filter', source: 'docker/cli:cli/command/container/prune.go' },
	'container rename': { aliases: ['rename'], source: 'docker/cli:cli/command/container/rename.go' },
	// deprecated --time
	'container restart': { value: 's/signal time t/timeout', aliases: ['restart'], source: 'docker/cli:cli/command/container/restart.go' },
	// alias remove: v23.0-v28.2 only (hidden; removed in v28.3.0)
	'container rm': {
		bool: 'f/force l/link v/volumes',
		aliases: ['remove', 'rm', 'container remove'],
		source: 'docker/cli:cli/command/container/rm.go',
	},
	// docker/cli cli/command/container/run.go (flags also from cli/command/container/opts.go, cli/command/trust.go, cli/command/utils.go)
	// hidden --dns-opt --net --net-alias
	// since v29: deprecated --disable-content-trust --kernel-memory
	'container run': {
		bool: 'd/detach disable-content-trust init i/interactive no-healthcheck oom-kill-disable privileged P/publish-all q/quiet read-only rm sig-proxy t/tty use-api-socket',
		value:
			'add-host annotation a/attach blkio-weight blkio-weight-device cap-add cap-drop cgroup-parent cgroupns cidfile cpu-count cpu-percent cpu-period cpu-quota cpu-rt-period cpu-rt-runtime c/cpu-shares cpus cpuset-cpus cpuset-mems detach-keys device device-cgroup-rule device-read-bps device-read-iops device-write-bps device-write-iops dns dns-opt dns-option dns-search domainname entrypoint e/env env-file expose gpus group-add health-cmd health-interval health-retries health-start-interval health-start-period health-timeout h/hostname io-maxbandwidth io-maxiops ip ip6 ipc isolation kernel-memory l/label label-file link link-local-ip log-driver log-opt mac-address m/memory memory-reservation memory-swap memory-swappiness mount name net net-alias network network-alias oom-score-adj pid pids-limit platform p/publish pull restart runtime security-opt shm-size stop-signal stop-timeout storage-opt sysctl tmpfs ulimit u/user userns uts v/volume volume-driver volumes-from w/workdir',
		aliases: ['run'],
		interspersed: false,
		source: 'docker/cli:cli/command/container/run.go',
	},
	'container start': {
		bool: 'a/attach i/interactive',
		value: 'checkpoint checkpoint-dir detach-keys',
		aliases: ['start'],
		source: 'docker/cli:cli/command/container/start.go',
	},
	'container stats': {
		bool: 'a/all no-stream no-trunc',
		value: 'format',
		aliases: ['stats'],
		source: 'docker/cli:cli/command/container/stats.go',
	},
	// deprecated --time
	'container stop': { value: 's/signal time t/timeout', aliases: ['stop'], source: 'docker/cli:cli/command/container/stop.go' },
	'container top': { aliases: ['top'], interspersed: false, source: 'docker/cli:cli/command/container/top.go' },
	'container unpause': { aliases: ['unpause'], source: 'docker/cli:cli/command/container/unpause.go' },
	// v28 only: hidden --kernel-memory
	// since v29: deprecated --kernel-memory
	'container update': {
		value:
			'blkio-weight cpu-period cpu-quota cpu-rt-period cpu-rt-runtime c/cpu-shares cpus cpuset-cpus cpuset-mems kernel-memory m/memory memory-reservation memory-swap pids-limit restart',
		aliases: ['update'],
		source: 'docker/cli:cli/command/container/update.go',
	},
	'container wait': { aliases: ['wait'], source: 'docker/cli:cli/command/container/wait.go' },

	// ---- context: docker/cli cli/command/context/ ----
	'context create': { value: 'description docker from', source: 'docker/cli:cli/command/context/create.go' },
	'context export': { source: 'docker/cli:cli/command/context/export.go' },
	'context import': { source: 'docker/cli:cli/command/context/import.go' },
	'context inspect': { value: 'f/format', source: 'docker/cli:cli/command/context/inspect.go' },
	'context ls': { bool: 'q/quiet', value: 'format', aliases: ['context list'], source: 'docker/cli:cli/command/context/list.go' },
	'context rm': { bool: 'f/force', aliases: ['context remove'], source: 'docker/cli:cli/command/context/remove.go' },
	'context show': { source: 'docker/cli:cli/command/context/show.go' },
	'context update': { value: 'description docker', source: 'docker/cli:cli/command/context/update.go' },
	'context use': { source: 'docker/cli:cli/command/context/use.go' },

	// ---- image: docker/cli cli/command/image/ ----
	// docker/cli cli/command/image/build.go (flags also from cli/command/trust.go)
	// since v29: deprecated --disable-content-trust
	// UNION with buildx build (docker forwards build/image build/builder build to `buildx build` when buildx is installed,
	//   cmd/docker/builder.go): + docker/buildx commands/build.go flags, + buildx root persistent --builder, -D/--debug
	'image build': {
		bool: 'check compress D/debug disable-content-trust force-rm load no-cache pull push q/quiet rm squash',
		value:
			'add-host allow annotation attest build-arg build-context builder cache-from cache-to call cgroup-parent cpu-period cpu-quota c/cpu-shares cpuset-cpus cpuset-mems f/file iidfile isolation label m/memory memory-swap metadata-file network no-cache-filter o/output platform policy print progress provenance resource sbom secret security-opt shm-size ssh t/tag target ulimit',
		aliases: ['build', 'builder build'],
		source: 'docker/cli:cli/command/image/build.go',
	},
	'image history': {
		bool: 'H/human no-trunc q/quiet',
		value: 'format platform',
		aliases: ['history'],
		source: 'docker/cli:cli/command/image/history.go',
	},
	// docker/cli cli/command/image/import.go (flags also from cli/command/utils.go)
	'image import': { value: 'c/change m/message platform', aliases: ['import'], source: 'docker/cli:cli/command/image/import.go' },
	'image inspect': { value: 'f/format platform', source: 'docker/cli:cli/command/image/inspect.go' },
	'image load': { bool: 'q/quiet', value: 'i/input platform', aliases: ['load'], source: 'docker/cli:cli/command/image/load.go' },
	'image ls': {
		bool: 'a/all digests no-trunc q/quiet tree',
		value: 'f/filter format',
		aliases: ['images', 'image list'],
		source: 'docker/cli:cli/command/image/list.go',
	},
	'image prune': { bool: 'a/all f/force', value: 'filter', source: 'docker/cli:cli/command/image/prune.go' },
	// docker/cli cli/command/image/pull.go (flags also from cli/command/trust.go, cli/command/utils.go)
	// since v29: deprecated --disable-content-trust
	'image pull': {
		bool: 'a/all-tags disable-content-trust q/quiet',
		value: 'platform',
		aliases: ['pull'],
		source: 'docker/cli:cli/command/image/pull.go',
	},
	// docker/cli cli/command/image/push.go (flags also from cli/command/trust.go)
	// since v29: deprecated --disable-content-trust
	'image push': {
		bool: 'a/all-tags disable-content-trust q/quiet',
		value: 'platform',
		aliases: ['push'],
		source: 'docker/cli:cli/command/image/push.go',
	},
	'image rm': {
		bool: 'f/force no-prune',
		value: 'platform',
		aliases: ['rmi', 'image remove', 'image rmi'],
		source: 'docker/cli:cli/command/image/remove.go',
	},
	'image save': { value: 'o/output platform', aliases: ['save'], source: 'docker/cli:cli/command/image/save.go' },
	'image tag': { aliases: ['tag'], interspersed: false, source: 'docker/cli:cli/command/image/tag.go' },

	// ---- manifest: docker/cli cli/command/manifest/ ----
	'manifest annotate': { value: 'arch os os-features os-version variant', source: 'docker/cli:cli/command/manifest/annotate.go' },
	'manifest create': { bool: 'a/amend insecure', source: 'docker/cli:cli/command/manifest/create_list.go' },
	'manifest inspect': { bool: 'insecure v/verbose', source: 'docker/cli:cli/command/manifest/inspect.go' },
	'manifest push': { bool: 'insecure p/purge', source: 'docker/cli:cli/command/manifest/push.go' },
	'manifest rm': { source: 'docker/cli:cli/command/manifest/rm.go' },

	// ---- network: docker/cli cli/command/network/ ----
	'network connect': {
		value: 'alias driver-opt gw-priority ip ip6 link link-local-ip',
		source: 'docker/cli:cli/command/network/connect.go',
	},
	'network create': {
		bool: 'attachable config-only ingress internal ipv4 ipv6',
		value: 'aux-address config-from d/driver gateway ip-range ipam-driver ipam-opt label o/opt scope subnet',
		source: 'docker/cli:cli/command/network/create.go',
	},
	'network disconnect': { bool: 'f/force', source: 'docker/cli:cli/command/network/disconnect.go' },
	'network inspect': { bool: 'v/verbose', value: 'f/format', source: 'docker/cli:cli/command/network/inspect.go' },
	'network ls': {
		bool: 'no-trunc q/quiet',
		value: 'f/filter format',
		aliases: ['network list'],
		source: 'docker/cli:cli/command/network/list.go',
	},
	'network prune': { bool: 'f/force', value: 'filter', source: 'docker/cli:cli/command/network/prune.go' },
	'network rm': { bool: 'f/force', aliases: ['network remove'], source: 'docker/cli:cli/command/network/remove.go' },

	// ---- node: docker/cli cli/command/node/ ----
	'node demote': { source: 'docker/cli:cli/command/node/demote.go' },
	'node inspect': { bool: 'pretty', value: 'f/format', source: 'docker/cli:cli/command/node/inspect.go' },
	'node ls': { bool: 'q/quiet', value: 'f/filter format', aliases: ['node list'], source: 'docker/cli:cli/command/node/list.go' },
	'node promote': { source: 'docker/cli:cli/command/node/promote.go' },
	'node ps': { bool: 'no-resolve no-trunc q/quiet', value: 'f/filter format', source: 'docker/cli:cli/command/node/ps.go' },
	'node rm': { bool: 'f/force', aliases: ['node remove'], source: 'docker/cli:cli/command/node/remove.go' },
	'node update': { value: 'availability label-add label-rm role', source: 'docker/cli:cli/command/node/update.go' },

	// ---- plugin: docker/cli cli/command/plugin/ ----
	'plugin create': { bool: 'compress', source: 'docker/cli:cli/command/plugin/create.go' },
	'plugin disable': { bool: 'f/force', source: 'docker/cli:cli/command/plugin/disable.go' },
	'plugin enable': { value: 'timeout', source: 'docker/cli:cli/command/plugin/enable.go' },
	'plugin inspect': { value: 'f/format', source: 'docker/cli:cli/command/plugin/inspect.go' },
	// docker/cli cli/command/plugin/install.go (flags also from cli/command/trust.go)
	// since v29: deprecated --disable-content-trust
	'plugin install': {
		bool: 'disable disable-content-trust grant-all-permissions',
		value: 'alias',
		source: 'docker/cli:cli/command/plugin/install.go',
	},
	'plugin ls': {
		bool: 'no-trunc q/quiet',
		value: 'f/filter format',
		aliases: ['plugin list'],
		source: 'docker/cli:cli/command/plugin/list.go',
	},
	// docker/cli cli/command/plugin/push.go (flags also from cli/command/trust.go)
	// since v29: deprecated --disable-content-trust
	'plugin push': { bool: 'disable-content-trust', source: 'docker/cli:cli/command/plugin/push.go' },
	'plugin rm': { bool: 'f/force', aliases: ['plugin remove'], source: 'docker/cli:cli/command/plugin/remove.go' },
	'plugin set': { source: 'docker/cli:cli/command/plugin/set.go' },
	// docker/cli cli/command/plugin/upgrade.go (flags also from cli/command/plugin/install.go, cli/command/trust.go)
	// since v29: deprecated --disable-content-trust
	'plugin upgrade': {
		bool: 'disable-content-trust grant-all-permissions skip-remote-check',
		source: 'docker/cli:cli/command/plugin/upgrade.go',
	},

	// ---- secret: docker/cli cli/command/secret/ ----
	'secret create': { value: 'd/driver l/label template-driver', source: 'docker/cli:cli/command/secret/create.go' },
	'secret inspect': { bool: 'pretty', value: 'f/format', source: 'docker/cli:cli/command/secret/inspect.go' },
	'secret ls': { bool: 'q/quiet', value: 'f/filter format', aliases: ['secret list'], source: 'docker/cli:cli/command/secret/ls.go' },
	'secret rm': { aliases: ['secret remove'], source: 'docker/cli:cli/command/secret/remove.go' },

	// ---- service: docker/cli cli/command/service/ ----
	// docker/cli cli/command/service/create.go (flags also from cli/command/service/opts.go)
	// v29 only: --memory-swap --memory-swappiness
	'service create': {
		bool: 'd/detach init no-healthcheck no-resolve-image q/quiet read-only t/tty with-registry-auth',
		value:
			'cap-add cap-drop config constraint container-label credential-spec dns dns-option dns-search endpoint-mode entrypoint e/env env-file generic-resource group health-cmd health-interval health-retries health-start-interval health-start-period health-timeout host hostname isolation l/label limit-cpu limit-memory limit-pids log-driver log-opt max-concurrent memory-swap memory-swappiness mode mount name network oom-score-adj placement-pref p/publish replicas replicas-max-per-node reserve-cpu reserve-memory restart-condition restart-delay restart-max-attempts restart-window rollback-delay rollback-failure-action rollback-max-failure-ratio rollback-monitor rollback-order rollback-parallelism secret stop-grace-period stop-signal sysctl ulimit update-delay update-failure-action update-max-failure-ratio update-monitor update-order update-parallelism u/user w/workdir',
		interspersed: false,
		source: 'docker/cli:cli/command/service/create.go',
	},
	'service inspect': { bool: 'pretty', value: 'f/format', source: 'docker/cli:cli/command/service/inspect.go' },
	'service logs': {
		bool: 'details f/follow no-resolve no-task-ids no-trunc raw t/timestamps',
		value: 'since n/tail',
		source: 'docker/cli:cli/command/service/logs.go',
	},
	'service ls': { bool: 'q/quiet', value: 'f/filter format', aliases: ['service list'], source: 'docker/cli:cli/command/service/list.go' },
	'service ps': { bool: 'no-resolve no-trunc q/quiet', value: 'f/filter format', source: 'docker/cli:cli/command/service/ps.go' },
	'service rm': { aliases: ['service remove'], source: 'docker/cli:cli/command/service/remove.go' },
	// docker/cli cli/command/service/rollback.go (flags also from cli/command/service/opts.go)
	'service rollback': { bool: 'd/detach q/quiet', source: 'docker/cli:cli/command/service/rollback.go' },
	// docker/cli cli/command/service/scale.go (flags also from cli/command/service/opts.go)
	'service scale': { bool: 'd/detach', source: 'docker/cli:cli/command/service/scale.go' },
	// docker/cli cli/command/service/update.go (flags also from cli/command/service/opts.go)
	// v29 only: --memory-swap --memory-swappiness
	'service update': {
		bool: 'd/detach force init no-healthcheck no-resolve-image q/quiet read-only rollback t/tty with-registry-auth',
		value:
			'args cap-add cap-drop config-add config-rm constraint-add constraint-rm container-label-add container-label-rm credential-spec dns-add dns-option-add dns-option-rm dns-rm dns-search-add dns-search-rm endpoint-mode entrypoint env-add env-rm generic-resource-add generic-resource-rm group-add group-rm health-cmd health-interval health-retries health-start-interval health-start-period health-timeout host-add host-rm hostname image isolation label-add label-rm limit-cpu limit-memory limit-pids log-driver log-opt max-concurrent memory-swap memory-swappiness mount-add mount-rm network-add network-rm oom-score-adj placement-pref-add placement-pref-rm publish-add publish-rm replicas replicas-max-per-node reserve-cpu reserve-memory restart-condition restart-delay restart-max-attempts restart-window rollback-delay rollback-failure-action rollback-max-failure-ratio rollback-monitor rollback-order rollback-parallelism secret-add secret-rm stop-grace-period stop-signal sysctl-add sysctl-rm ulimit-add ulimit-rm update-delay update-failure-action update-max-failure-ratio update-monitor update-order update-parallelism u/user w/workdir',
		source: 'docker/cli:cli/command/service/update.go',
	},

	// ---- stack: docker/cli cli/command/stack/ ----
	// deprecated --orchestrator
	stack: { value: 'orchestrator', source: 'docker/cli:cli/command/stack/cmd.go' },
	// inherited persistent: --orchestrator
	'stack config': { bool: 'skip-interpolation', value: 'c/compose-file orchestrator', source: 'docker/cli:cli/command/stack/config.go' },
	// inherited persistent: --orchestrator
	'stack deploy': {
		bool: 'd/detach prune q/quiet with-registry-auth',
		value: 'c/compose-file orchestrator resolve-image',
		aliases: ['stack up'],
		source: 'docker/cli:cli/command/stack/deploy.go',
	},
	// inherited persistent: --orchestrator
	'stack ls': { value: 'format orchestrator', aliases: ['stack list'], source: 'docker/cli:cli/command/stack/list.go' },
	// inherited persistent: --orchestrator
	'stack ps': { bool: 'no-resolve no-trunc q/quiet', value: 'f/filter format orchestrator', source: 'docker/cli:cli/command/stack/ps.go' },
	// inherited persistent: --orchestrator
	'stack rm': {
		bool: 'd/detach',
		value: 'orchestrator',
		aliases: ['stack down', 'stack remove'],
		source: 'docker/cli:cli/command/stack/remove.go',
	},
	// inherited persistent: --orchestrator
	'stack services': { bool: 'q/quiet', value: 'f/filter format orchestrator', source: 'docker/cli:cli/command/stack/services.go' },

	// ---- swarm: docker/cli cli/command/swarm/ ----
	// docker/cli cli/command/swarm/ca.go (flags also from cli/command/swarm/opts.go)
	'swarm ca': {
		bool: 'd/detach q/quiet rotate',
		value: 'ca-cert ca-key cert-expiry external-ca',
		source: 'docker/cli:cli/command/swarm/ca.go',
	},
	// docker/cli cli/command/swarm/init.go (flags also from cli/command/swarm/opts.go)
	'swarm init': {
		bool: 'autolock force-new-cluster',
		value:
			'advertise-addr availability cert-expiry data-path-addr data-path-port default-addr-pool default-addr-pool-mask-length dispatcher-heartbeat external-ca listen-addr max-snapshots snapshot-interval task-history-limit',
		source: 'docker/cli:cli/command/swarm/init.go',
	},
	'swarm join': { value: 'advertise-addr availability data-path-addr listen-addr token', source: 'docker/cli:cli/command/swarm/join.go' },
	'swarm join-token': { bool: 'q/quiet rotate', source: 'docker/cli:cli/command/swarm/join_token.go' },
	'swarm leave': { bool: 'f/force', source: 'docker/cli:cli/command/swarm/leave.go' },
	'swarm unlock': { source: 'docker/cli:cli/command/swarm/unlock.go' },
	'swarm unlock-key': { bool: 'q/quiet rotate', source: 'docker/cli:cli/command/swarm/unlock_key.go' },
	// docker/cli cli/command/swarm/update.go (flags also from cli/command/swarm/opts.go)
	'swarm update': {
		bool: 'autolock',
		value: 'cert-expiry dispatcher-heartbeat external-ca max-snapshots snapshot-interval task-history-limit',
		source: 'docker/cli:cli/command/swarm/update.go',
	},

	// ---- system: docker/cli cli/command/system/ ----
	'system df': { bool: 'v/verbose', value: 'format', source: 'docker/cli:cli/command/system/df.go' },
	// hidden command
	'system dial-stdio': { source: 'docker/cli:cli/command/system/dial_stdio.go' },
	'system events': { value: 'f/filter format since until', aliases: ['events'], source: 'docker/cli:cli/command/system/events.go' },
	'system info': { value: 'f/format', aliases: ['info'], source: 'docker/cli:cli/command/system/info.go' },
	'system prune': { bool: 'a/all f/force volumes', value: 'filter', source: 'docker/cli:cli/command/system/prune.go' },

	// ---- trust: docker/cli cli/command/trust/ (v28); since v29 the docker-trust plugin, cmd/docker-trust/trust/ ----
	// docker/cli cli/command/trust/inspect.go; v29: cmd/docker-trust/trust/inspect.go
	'trust inspect': { bool: 'pretty', source: 'docker/cli:cli/command/trust/inspect.go' },
	// docker/cli cli/command/trust/key_generate.go; v29: cmd/docker-trust/trust/key_generate.go
	'trust key generate': { value: 'dir', source: 'docker/cli:cli/command/trust/key_generate.go' },
	// docker/cli cli/command/trust/key_load.go; v29: cmd/docker-trust/trust/key_load.go
	'trust key load': { value: 'name', source: 'docker/cli:cli/command/trust/key_load.go' },
	// docker/cli cli/command/trust/revoke.go; v29: cmd/docker-trust/trust/revoke.go
	'trust revoke': { bool: 'y/yes', source: 'docker/cli:cli/command/trust/revoke.go' },
	// docker/cli cli/command/trust/sign.go; v29: cmd/docker-trust/trust/sign.go
	'trust sign': { bool: 'local', source: 'docker/cli:cli/command/trust/sign.go' },
	// docker/cli cli/command/trust/signer_add.go; v29: cmd/docker-trust/trust/signer_add.go
	'trust signer add': { value: 'key', source: 'docker/cli:cli/command/trust/signer_add.go' },
	// docker/cli cli/command/trust/signer_remove.go; v29: cmd/docker-trust/trust/signer_remove.go
	'trust signer remove': { bool: 'f/force', source: 'docker/cli:cli/command/trust/signer_remove.go' },

	// ---- volume: docker/cli cli/command/volume/ ----
	// hidden --name
	'volume create': {
		value:
			'availability d/driver group label limit-bytes name o/opt required-bytes scope secret sharing topology-preferred topology-required type',
		source: 'docker/cli:cli/command/volume/create.go',
	},
	'volume inspect': { value: 'f/format', source: 'docker/cli:cli/command/volume/inspect.go' },
	'volume ls': {
		bool: 'cluster q/quiet',
		value: 'f/filter format',
		aliases: ['volume list'],
		source: 'docker/cli:cli/command/volume/list.go',
	},
	'volume prune': { bool: 'a/all f/force', value: 'filter', source: 'docker/cli:cli/command/volume/prune.go' },
	'volume rm': { bool: 'f/force', aliases: ['volume remove'], source: 'docker/cli:cli/command/volume/remove.go' },
	'volume update': { value: 'availability', source: 'docker/cli:cli/command/volume/update.go' },

	// ---- top-level commands without a management-command home ----
	// cobra default help command (`docker help container prune`)
	help: { source: 'spf13/cobra:command.go' },
	inspect: { bool: 's/size', value: 'f/format type', source: 'docker/cli:cli/command/system/inspect.go' },
	login: { bool: 'password-stdin', value: 'p/password u/username', source: 'docker/cli:cli/command/registry/login.go' },
	logout: { source: 'docker/cli:cli/command/registry/logout.go' },
	search: { bool: 'no-trunc', value: 'f/filter format limit', source: 'docker/cli:cli/command/registry/search.go' },
	version: { value: 'f/format', source: 'docker/cli:cli/command/system/version.go' },
};
