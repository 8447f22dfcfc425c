#!/usr/bin/env bash
# A real Docker engine for the tests: installs Debian's docker.io and busybox-static if missing, starts
# dockerd in the background (this sandbox has no iptables and no bridge), and builds the local test image
# (no registry is reachable). Idempotent and quiet on success; run as root.
#   scripts/engine.sh [start]   make the engine answer and the test image exist
#   scripts/engine.sh stop      stop the dockerd this script started
# It also installs Debian's redis-server, which the fleet-mode tests start on private ports.
# Either docker client works: Debian's /usr/bin/docker (20.10) or a newer one, which negotiates API 1.41.
set -euo pipefail

IMAGE=safe-docker-test/busybox:latest
LOG=${SAFE_DOCKER_ENGINE_LOG:-/var/log/safe-docker-dockerd.log}
PIDFILE=/var/run/safe-docker-dockerd.pid
LOCK=/var/lock/safe-docker-engine.lock
START_TIMEOUT=60
STOP_TIMEOUT=30
APPLETS=(sh sleep cat echo true false env ls rm mkdir touch date kill id printf test wc tail head)

die() { echo "engine.sh: $*" >&2; exit 1; }
answers() { timeout 5 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }
# A pid from a pid file, if that process is alive and is a dockerd (guards against pid reuse).
live_dockerd() {
	local pid
	[[ -f $1 ]] && pid=$(<"$1") && [[ $pid =~ ^[0-9]+$ ]] && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == dockerd ]] && echo "$pid"
}

stop() {
	local pid
	if pid=$(live_dockerd "$PIDFILE"); then
		kill -TERM "$pid"
		local deadline=$((SECONDS + STOP_TIMEOUT))
		while kill -0 "$pid" 2>/dev/null; do
			((SECONDS < deadline)) || die "dockerd (pid $pid) did not exit within ${STOP_TIMEOUT} s (log: $LOG)"
			sleep 0.2
		done
	fi
	rm -f "$PIDFILE"
	if answers; then die "an engine this script did not start is still answering; not stopping it"; fi
	echo "engine stopped"
}

install_packages() {
	local missing=()
	command -v dockerd >/dev/null || missing+=(docker.io)
	[[ -x /bin/busybox ]] || missing+=(busybox-static)
	# The fleet tests start their own private redis-server processes.
	command -v redis-server >/dev/null || missing+=(redis-server)
	[[ ${#missing[@]} -gt 0 ]] || return 0
	[[ $(id -u) -eq 0 ]] || die "need root to install ${missing[*]}"
	# Keep docker.io's postinst from starting a default dockerd (with iptables and a bridge) behind our back.
	local policy=
	if [[ ! -e /usr/sbin/policy-rc.d ]]; then
		policy=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy"
	fi
	local ok=false
	if apt-get update -qq </dev/null >/dev/null 2>&1 &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" </dev/null >/dev/null 2>&1; then
		ok=true
	fi
	[[ -z $policy ]] || rm -f "$policy"
	$ok || die "apt-get install ${missing[*]} failed (try: apt-get update && apt-get install -y ${missing[*]})"
	command -v dockerd >/dev/null || die "dockerd still missing after apt-get install docker.io"
	[[ -x /bin/busybox ]] || die "/bin/busybox still missing after apt-get install busybox-static"
	command -v docker >/dev/null || die "no docker client on PATH"
}

start_daemon() {
	answers && return 0
	[[ $(id -u) -eq 0 ]] || die "the engine is not running and starting it needs root"
	local pid
	# A dockerd that is still starting (ours or not) owns /var/run/docker.pid: wait for it instead of racing it.
	if ! pid=$(live_dockerd /var/run/docker.pid); then
		mkdir -p "$(dirname "$LOG")"
		# Detached: own session, no stdin, the lock fd closed so the daemon does not hold it.
		setsid nohup dockerd --iptables=false --ip-masq=false --bridge=none </dev/null >>"$LOG" 2>&1 9>&- &
		pid=$!
		echo "$pid" >"$PIDFILE"
	fi
	local deadline=$((SECONDS + START_TIMEOUT))
	until answers; do
		if ! kill -0 "$pid" 2>/dev/null || ((SECONDS >= deadline)); then
			tail -n 20 "$LOG" >&2 2>/dev/null || true
			kill -0 "$pid" 2>/dev/null && die "dockerd (pid $pid) did not answer within ${START_TIMEOUT} s (log: $LOG)"
			rm -f "$PIDFILE"
			die "dockerd exited during start-up (log: $LOG)"
		fi
		sleep 0.5
	done
}

build_image() {
	docker image inspect "$IMAGE" >/dev/null 2>&1 && return 0
	local rootfs applet
	rootfs=$(mktemp -d)
	# shellcheck disable=SC2064 # expand now: rootfs is local
	trap "rm -rf '$rootfs'" EXIT
	mkdir -p "$rootfs"/{bin,tmp,etc,proc,sys,dev,root}
	chmod 1777 "$rootfs/tmp"
	cp /bin/busybox "$rootfs/bin/busybox"
	for applet in $("$rootfs/bin/busybox" --list); do
		[[ $applet == busybox ]] || ln -sf busybox "$rootfs/bin/$applet"
	done
	for applet in "${APPLETS[@]}"; do
		[[ -L $rootfs/bin/$applet ]] || die "/bin/busybox has no '$applet' applet"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
	echo 'root:x:0:' >"$rootfs/etc/group"
	tar -C "$rootfs" -c . | docker import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' - "$IMAGE" >/dev/null ||
		die "docker import of the test image $IMAGE failed"
	rm -rf "$rootfs"
	trap - EXIT
}

start() {
	install_packages
	start_daemon
	build_image
	echo "engine ready: server $(docker version --format '{{.Server.Version}}'), image $IMAGE"
}

case ${1:-start} in
start | stop) ;;
*) die "usage: scripts/engine.sh [start|stop]" ;;
esac

# One engine.sh at a time (tests may stop and start the engine while another run starts it).
if [[ -w $(dirname "$LOCK") ]] && command -v flock >/dev/null; then
	exec 9>"$LOCK"
	flock -w 120 9 || die "another scripts/engine.sh held $LOCK for 120 s"
fi

"${1:-start}"
