#!/usr/bin/env bash
# stop-glewlwyd.sh DIR : stops the Glewlwyd started by start-glewlwyd.sh in DIR (by its pid file only).
set -u
DIR=${1:?usage: stop-glewlwyd.sh DIR}
PIDFILE="$DIR/glewlwyd.pid"
[ -s "$PIDFILE" ] || { echo "stop-glewlwyd: no pid file in $DIR" >&2; exit 0; }
PID=$(cat "$PIDFILE")
# only kill it if that pid is still a glewlwyd using this DIR's config
if [ -r "/proc/$PID/cmdline" ] && tr '\0' ' ' < "/proc/$PID/cmdline" | grep -q -- "--config-file=$DIR/glewlwyd.conf"; then
  kill -TERM "$PID"
  for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.05; done
  kill -0 "$PID" 2>/dev/null && kill -KILL "$PID"
fi
rm -f "$PIDFILE"
