#!/usr/bin/env bash
# Run one command with a private Docker daemon: `scripts/with_dockerd.sh [--work DIR] COMMAND...`
#
# Starts `python -m podium.runtime.sandbox.dockerd` in the background (installs docker.io and
# debootstrap when missing, builds the base images once per DIR), exports the DOCKER_HOST and
# PODIUM_DOCKER_BASE_IMAGE it prints, runs COMMAND, and exits with COMMAND's status. Whatever
# happens (failure, Ctrl-C, TERM) the daemon is stopped by its pid and nothing stays mounted
# under DIR. --work DIR keeps the daemon's data root, so its images, between runs (the same DIR as
# `nox -s docker` with PODIUM_DOCKER_WORK shares one base image); without it a temp folder is used
# and removed. Needs root, as dockerd does.
set -euo pipefail

usage="usage: $0 [--work DIR] COMMAND..."
work=${PODIUM_DOCKER_WORK:-}
if [[ ${1:-} == --work ]]; then
    [[ $# -ge 2 ]] || { echo "$usage" >&2; exit 2; }
    work=$2
    shift 2
fi
[[ $# -ge 1 ]] || { echo "$usage" >&2; exit 2; }

keep_work=1
if [[ -z $work ]]; then
    work=$(mktemp -d -t podium-dockerd-XXXXXX)
    keep_work=0
fi
mkdir -p "$work"
work=$(cd "$work" && pwd -P)  # absolute, as the mount table names it
exports="$work/dockerd.env"
setup_log="$work/dockerd-setup.log"
: >"$exports"
server_pid=""

stop_daemon() {
    local status=$?
    trap - EXIT INT TERM
    if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid"  # the server stops its dockerd and unmounts what it left
        wait "$server_pid" 2>/dev/null || true
    fi
    # If the server died without cleaning up (killed hard), stop its dockerd by the pid it wrote.
    if [[ -s $work/docker.pid ]]; then
        local daemon_pid
        daemon_pid=$(cat "$work/docker.pid")
        if kill -0 "$daemon_pid" 2>/dev/null && grep -q dockerd "/proc/$daemon_pid/cmdline" 2>/dev/null; then
            kill -TERM "$daemon_pid"
            for _ in $(seq 60); do kill -0 "$daemon_pid" 2>/dev/null || break; sleep 0.5; done
            kill -KILL "$daemon_pid" 2>/dev/null || true
        fi
    fi
    # dockerd leaves its network namespace bind-mounted under --exec-root; deepest mounts first.
    awk -v root="$work" '$2 == root || index($2, root "/") == 1 { print $2 }' /proc/self/mounts \
        | sort -r | while read -r mount_point; do umount -l "$mount_point" || true; done
    if [[ $keep_work == 0 ]]; then
        rm -rf "$work"
    fi
    exit "$status"
}
trap stop_daemon EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

started=$SECONDS
python -m podium.runtime.sandbox.dockerd --work "$work" >"$exports" 2>"$setup_log" &
server_pid=$!
until grep -q '^export PODIUM_DOCKER_BASE_IMAGE=' "$exports"; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "with_dockerd: the private docker daemon did not start; its log:" >&2
        tail -n 40 "$setup_log" >&2
        exit 1
    fi
    sleep 1
done
# shellcheck disable=SC1090
. "$exports"
echo "with_dockerd: DOCKER_HOST=$DOCKER_HOST PODIUM_DOCKER_BASE_IMAGE=$PODIUM_DOCKER_BASE_IMAGE" \
    "(ready in $((SECONDS - started)) s)" >&2
"$@"
