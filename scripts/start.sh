#!/bin/sh
# `npm start`. The supervisor (scripts/start.ts) runs compiled like the processes it starts, so it
# is built first: `tsc -b` is incremental (half a second when nothing changed). START_FROM=source
# runs everything from source through tsx instead, nothing built. A production install (no
# sources, no compiler) runs the dist/ it was given. `exec`: npm's signals reach the supervisor.
cd "$(dirname "$0")/.." || exit 1
if [ "$START_FROM" = source ]; then
  exec node --conditions=flow-source --import tsx scripts/start.ts
fi
if [ -x node_modules/.bin/tsc ] && [ -d router/src ]; then
  echo 'Building (tsc -b) ...'
  if ! node_modules/.bin/tsc -b tsconfig.build.json; then
    echo 'Flow failed to start: the build failed (START_FROM=source runs the sources instead)' >&2
    exit 1
  fi
fi
# The supervisor itself runs with the malloc settings it gives every process (LEAN_ENV in
# scripts/start.ts): glibc reads them at start. And in V8's lite mode (no optimising compiler,
# feedback allocated lazily; no WebAssembly, which it does not use): it polls, seeds and waits,
# where speed does not show, and 5 MB less.
lean=
case "$LEAN_PROCESSES" in
  false | 0 | no) ;;
  *)
    export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}" MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-32768}"
    lean="--lite-mode --no-expose-wasm"
    ;;
esac
exec node $lean scripts/dist/start.js
