#!/bin/sh
# The watchdog of `npm start`: started by the supervisor (scripts/lib/watchdog.ts) in a process
# group of its own (a Ctrl-C in the terminal does not reach it), it runs the embedded PostgreSQL
# when asked to and makes sure that nothing outlives the supervisor. A shell: it idles for the
# platform's whole life, and costs 2 MB where Node costs 50.
#
# stdin is its line to the supervisor: `watch <pid>` / `unwatch <pid>` name the children (each
# the leader of its process group), `stop` stops the database and ends the watchdog (the
# supervisor's orderly shutdown, database last). When stdin closes without `stop`, the supervisor
# died (kill -9): the children saw their own stdin close and are stopping; whatever still runs
# after the grace period is killed, then the database is stopped. stdout: `ready <json>` once the
# database is up, and log lines.
#
#   sh scripts/watchdog.sh <grace seconds>
#   WATCHDOG_POSTGRES_DIR: run the embedded PostgreSQL with its data there. Node prepares it and
#   waits for it (WATCHDOG_NODE $WATCHDOG_NODE_ARGS WATCHDOG_STARTER: scripts/start-postgres.ts);
#   the server itself is this shell's (grand)child, so that it stops with the rest.
grace_tenths=$((${1:-15} * 10))
watched=' '
server=
stopping=
main=$$

say() { printf '%s\n' "$*" 2>/dev/null; }
starter() { "$WATCHDOG_NODE" $WATCHDOG_NODE_ARGS "$WATCHDOG_STARTER" "$@"; }

stop_database() {
  [ -n "$server" ] || return 0
  stopping=1
  # SIGINT: fast shutdown (sessions ended, no data lost); SIGKILL if it has not ended in time.
  kill -INT "$server" 2>/dev/null
  tenths=0
  while kill -0 "$server" 2>/dev/null; do
    tenths=$((tenths + 1))
    [ "$tenths" -gt "$grace_tenths" ] && kill -KILL "$server" 2>/dev/null
    sleep 0.1
  done
  server=
  say 'embedded PostgreSQL stopped'
}

finish() {
  stop_database
  exit "$1"
}

# The supervisor is gone: children first (they stop by themselves, or are killed), database last.
orphaned() {
  tenths=0
  while [ "$tenths" -lt "$grace_tenths" ]; do
    running=
    for pid in $watched; do kill -0 "$pid" 2>/dev/null && running=1; done
    [ -n "$running" ] || break
    tenths=$((tenths + 1))
    sleep 0.1
  done
  for pid in $watched; do kill -KILL "-$pid" 2>/dev/null; done
  finish 0
}

# Only the supervisor should stop us, but an operator's signal still ends things in order.
trap 'finish 0' TERM INT
trap '' HUP
# Once the supervisor is gone nobody reads stdout: a failed write is not a reason to stop.
trap '' PIPE
# From the server's waiter: the server exited without being asked to.
trap '[ -n "$stopping" ] || { say "the embedded PostgreSQL exited unexpectedly"; server=; exit 1; }' USR1

if [ -n "$WATCHDOG_POSTGRES_DIR" ]; then
  command=$(starter prepare) || {
    say 'the embedded PostgreSQL did not start (the reason is above)'
    exit 1
  }
  log="$WATCHDOG_POSTGRES_DIR/server.log"
  pidfile="$WATCHDOG_POSTGRES_DIR/server.pid"
  rm -f "$pidfile"
  set --
  while IFS= read -r argument; do set -- "$@" "$argument"; done <<EOF_COMMAND
$command
EOF_COMMAND
  # The waiter: the server's parent, so that its end is noticed while this shell reads stdin.
  (
    "$@" >"$log" 2>&1 &
    echo "$!" >"$pidfile"
    wait "$!"
    kill -USR1 "$main" 2>/dev/null
  ) &
  while [ ! -s "$pidfile" ]; do sleep 0.05; done
  server=$(cat "$pidfile")
  if ! starter ready "$server"; then
    say 'the embedded PostgreSQL did not start; the end of its log:'
    tail -n 20 "$log" 2>/dev/null | while IFS= read -r line; do say "  $line"; done
    finish 1
  fi
else
  say 'ready {}'
fi

while IFS=' ' read -r command argument; do
  case "$argument" in '' | *[!0-9]*) [ "$command" = stop ] || continue ;; esac
  case "$command" in
    watch) watched="$watched$argument " ;;
    unwatch) watched=$(printf '%s' "$watched" | sed "s/ $argument / /") ;;
    stop) finish 0 ;;
  esac
done
orphaned
