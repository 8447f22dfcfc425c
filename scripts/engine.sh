#!/usr/bin/env bash
# A real Docker engine for the tests: installs Debian's docker.io and busybox-static if missing, starts
# dockerd in the background (this sandbox has no iptables and no bridge), and builds the local test image
# (no registry is reachable). Idempotent; run as root.
#   scripts/engine.sh [start]   make the engine answer and the test image exist
#   scripts/engine.sh stop      stop the dockerd this script started
set -euo pipefail

IMAGE=safe-docker-test/busybox:latest
LOG=${SAFE_DOCKER_ENGINE_LOG:-/var/log/safe-docker-dockerd.log}
PIDFILE=/var/run/safe-docker-dockerd.pid

die() { echo "engine.sh: $*" >&2; exit 1; }
answers() { timeout 5 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

stop() {
	if [[ -f $PIDFILE ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
		kill "$(cat "$PIDFILE")"
		for _ in $(seq 1 100); do kill -0 "$(cat "$PIDFILE")" 2>/dev/null || break; sleep 0.1; done
	fi
	rm -f "$PIDFILE"
	if answers; then die "an engine this script did not start is still answering"; fi
	echo "engine stopped"
}

install() {
	local missing=()
	command -v dockerd >/dev/null || missing+=(docker.io)
	[[ -x /bin/busybox ]] || missing+=(busybox-static)
	command -v docker >/dev/null || missing+=(docker.io)
	if ((${#missing[@]})); then
		[[ $(id -u) -eq 0 ]] || die "need root to install ${missing[*]}"
		apt-get update -qq || die "apt-get update failed"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null ||
			die "apt-get install ${missing[*]} failed"
	fi
}

start() {
	install
	if ! answers; then
		[[ $(id -u) -eq 0 ]] || die "the engine is not running and starting it needs root"
		mkdir -p "$(dirname "$LOG")"
		setsid nohup dockerd --iptables=false --ip-masq=false --bridge=none >>"$LOG" 2>&1 </dev/null &
		echo $! >"$PIDFILE"
		for _ in $(seq 1 120); do answers && break; sleep 0.5; done
		answers || { tail -n 20 "$LOG" >&2; die "dockerd did not answer within 60 s (log: $LOG)"; }
	fi
	if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
		local rootfs
		rootfs=$(mktemp -d)
		mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc" "$rootfs/proc" "$rootfs/sys" "$rootfs/dev"
		cp /bin/busybox "$rootfs/bin/busybox"
		for applet in $("$rootfs/bin/busybox" --list); do
			[[ $applet == busybox ]] || ln -sf busybox "$rootfs/bin/$applet"
		done
		echo 'root:x:0:0:root:/root:/bin/sh' >"$rootfs/etc/passwd"
		tar -C "$rootfs" -c . | docker import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' - "$IMAGE" >/dev/null ||
			die "docker import of the test image failed"
		rm -rf "$rootfs"
	fi
	echo "engine ready: server $(docker version --format '{{.Server.Version}}'), image $IMAGE"
}

case ${1:-start} in
start) start ;;
stop) stop ;;
*) die "usage: scripts/engine.sh [start|stop]" ;;
esac
