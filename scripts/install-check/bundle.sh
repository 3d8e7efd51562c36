#!/usr/bin/env bash
# What packages/backend/Dockerfile does, without a container runtime: build the
# backend bundle on the host, unpack it into an empty folder the way the image
# does (skeleton, production install, bundle, app-config*.yaml, examples), then
# start replicas of it with NODE_ENV=production against PostgreSQL and check
# the health endpoints the Kubernetes probes use. A replica whose start-up
# fails exits with status 1 and is started again, as Kubernetes would.
#
#   scripts/install-check/bundle.sh [--replicas N] [--together] [--skip-build] [--keep]
#
# By default the first replica starts alone on the fresh databases (the first
# install docs/deploy.md recommends) and the others then start together on the
# migrated ones (a scale-up or restart); each must become ready at its first
# start. --together starts all of them at the same moment on fresh databases
# and allows restarts: Backstage's own plugins do not wait for each other's
# migration locks (see docs/deploy.md).
#
# Environment: BUNDLE_CHECK_PORT (first replica's port, default 7217),
# POSTGRES_HOST/PORT/USER/PASSWORD (default 127.0.0.1:5432, postgres, trust).
# Exits 1 when a check fails. Each run uses its own database prefix and drops
# those databases afterwards.
set -euo pipefail
# The body is one block: bash reads all of it before running, so editing this
# file during a run cannot change what the run does.
{

replicas=2
together=0
build=1
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --replicas) replicas="$2"; shift ;;
    --together) together=1 ;;
    --skip-build) build=0 ;;
    --keep) keep=1 ;;
    *) echo "usage: $0 [--replicas N] [--together] [--skip-build] [--keep]" >&2; exit 2 ;;
  esac
  shift
done

repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"
# shellcheck source=../ensure-node.sh
. scripts/ensure-node.sh

export POSTGRES_HOST="${POSTGRES_HOST:-127.0.0.1}"
export POSTGRES_PORT="${POSTGRES_PORT:-5432}"
export POSTGRES_USER="${POSTGRES_USER:-postgres}"
export POSTGRES_PASSWORD="${POSTGRES_PASSWORD:-}"
first_port="${BUNDLE_CHECK_PORT:-7217}"
prefix="app_access_bundle_check_$$_"
work=$(mktemp -d "${TMPDIR:-/tmp}/app-access-bundle-check.XXXXXX")
image="$work/app"
failed=0
pids=()
started_all=$SECONDS

check() {
  if [ "$1" = ok ]; then echo "PASS $2"; else echo "FAIL $2"; failed=1; fi
}

psql_admin() {
  PGPASSWORD="$POSTGRES_PASSWORD" psql -h "$POSTGRES_HOST" -p "$POSTGRES_PORT" -U "$POSTGRES_USER" -d postgres -Atq "$@"
}

cleanup() {
  local pid f
  touch "$work/stopping"
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for f in "$work"/replica-*.pid; do
    [ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null || true
  done
  local db
  for db in $(psql_admin -c "select datname from pg_database where datname like '${prefix}%'" 2>/dev/null); do
    psql_admin -c "drop database if exists \"$db\"" >/dev/null 2>&1 || true
  done
  [ "$keep" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT

if [ "$build" = 1 ]; then
  echo "== yarn build:backend (backend bundle and the example frontend it serves)"
  t=$SECONDS
  yarn tsc >/dev/null
  yarn build:backend >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log"; exit 1; }
  echo "   done in $((SECONDS - t))s"
fi
for f in packages/backend/dist/skeleton.tar.gz packages/backend/dist/bundle.tar.gz; do
  [ -f "$f" ] || { echo "FAIL $f is missing (run without --skip-build)"; exit 1; }
done

echo "== unpack as the Dockerfile does, into $image"
t=$SECONDS
mkdir -p "$image"
cp .yarnrc.yml backstage.json yarn.lock package.json "$image/"
tar xzf packages/backend/dist/skeleton.tar.gz -C "$image"
# `&&`, not errexit: errexit does not apply inside a subshell that is followed by `||`.
(
  cd "$image" &&
    export NODE_ENV=production YARN_NM_MODE=hardlinks-global YARN_ENABLE_SCRIPTS=false &&
    # The image compiles better-sqlite3 here; on the host the repository's own
    # build of the same version for the same Node is copied in instead, which
    # saves minutes of CI. No other production dependency needs a build step.
    yarn workspaces focus --all --production &&
    mkdir -p node_modules/better-sqlite3/build/Release &&
    cp "$repo/node_modules/better-sqlite3/build/Release/better_sqlite3.node" node_modules/better-sqlite3/build/Release/
) >"$work/install.log" 2>&1 || { tail -n 30 "$work/install.log"; exit 1; }
cp -r examples "$image/"
cp app-config*.yaml "$image/"
tar xzf packages/backend/dist/bundle.tar.gz -C "$image"
echo "   done in $((SECONDS - t))s"

# Like a Deployment's pod: start again after a failed start-up (at most 4 starts).
supervise() {
  local i="$1" port="$2" n=0 rc
  while :; do
    n=$((n + 1))
    echo "$n" >"$work/replica-$i.starts"
    (
      cd "$image"
      NODE_ENV=production \
        APP_CONFIG_backend_listen=":$port" \
        APP_CONFIG_backend_baseUrl="http://localhost:$port" \
        APP_CONFIG_app_baseUrl="http://localhost:$port" \
        APP_CONFIG_backend_database_prefix="$prefix" \
        APP_CONFIG_appAccess_usage_seedFiles='[]' \
        exec node packages/backend --config app-config.yaml --config app-config.production.yaml
    ) >>"$work/replica-$i.log" 2>&1 &
    echo $! >"$work/replica-$i.pid"
    rc=0
    wait $! || rc=$?
    echo "start $n exited with status $rc" >>"$work/replica-$i.exits"
    if [ -f "$work/stopping" ] || [ "$n" -ge 4 ]; then break; fi
    sleep 1
  done
}

start_replica() {
  if curl -s -o /dev/null "http://localhost:$((first_port + $1 - 1))" 2>/dev/null; then
    check no "port $((first_port + $1 - 1)) is already in use (set BUNDLE_CHECK_PORT)"
    return 0
  fi
  supervise "$1" $((first_port + $1 - 1)) &
  pids[$(($1 - 1))]=$!
}

# Waits for replica $1 (started at second $2) and checks its health endpoints.
check_replica() {
  local i="$1" t="$2" port=$((first_port + $1 - 1)) ready=no starts code
  for _ in $(seq 1 150); do
    if curl -fsS "http://localhost:$port/.backstage/health/v1/readiness" >/dev/null 2>&1; then ready=ok; break; fi
    kill -0 "${pids[$((i - 1))]}" 2>/dev/null || break
    sleep 2
  done
  starts=$(cat "$work/replica-$i.starts" 2>/dev/null || echo 0)
  if [ "$starts" -gt 1 ]; then
    echo "   replica $i failed to start $((starts - 1)) time(s) and exited with status 1; why:"
    grep -h -o -E "Plugin '[a-z-]+' startup failed; caused by [^\\]{0,160}" "$work/replica-$i.log" | sort | uniq -c | sed 's/^/     /'
    # Only a start on fresh databases together with others may need a restart.
    [ "$together" = 1 ] || ready=no
  fi
  if [ "$ready" != ok ]; then
    tail -n 30 "$work/replica-$i.log" | sed 's/^/   | /'
  fi
  check "$ready" "replica $i readiness /.backstage/health/v1/readiness → 200 ($((SECONDS - t))s after start, $starts start(s))"
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://localhost:$port/.backstage/health/v1/liveness" || true)
  [ "$code" = 200 ] && check ok "replica $i liveness /.backstage/health/v1/liveness → 200" || check no "replica $i liveness → $code"
  code=$(curl -s -o /dev/null -w '%{http_code}' "http://localhost:$port/api/app-access/health" || true)
  [ "$code" = 200 ] && check ok "replica $i /api/app-access/health → 200" || check no "replica $i /api/app-access/health → $code"
}

echo "== NODE_ENV=production, PostgreSQL $POSTGRES_HOST:$POSTGRES_PORT, database prefix $prefix"
if [ "$together" = 1 ]; then
  echo "== $replicas replicas started together on fresh databases"
  t=$SECONDS
  for i in $(seq 1 "$replicas"); do start_replica "$i"; done
  for i in $(seq 1 "$replicas"); do check_replica "$i" "$t"; done
else
  echo "== replica 1 alone on fresh databases"
  t=$SECONDS
  start_replica 1
  check_replica 1 "$t"
  if [ "$replicas" -gt 1 ]; then
    echo "== replicas 2-$replicas together on the migrated databases"
    t=$SECONDS
    for i in $(seq 2 "$replicas"); do start_replica "$i"; done
    for i in $(seq 2 "$replicas"); do check_replica "$i" "$t"; done
  fi
fi

port=$first_port
if curl -fsS "http://localhost:$port/" | grep -qi '<html'; then
  check ok "the frontend bundle is served at / (app backend plugin)"
else
  check no "the frontend bundle is not served at /"
fi
code=$(curl -s -o /dev/null -w '%{http_code}' "http://localhost:$port/api/auth/demo/refresh?env=development" -H 'x-demo-user: jane.doe' || true)
case "$code" in
  200 | 000) check no "demo sign-in in production answered $code, expected a refusal" ;;
  *) check ok "demo sign-in refused in production (HTTP $code)" ;;
esac

apps=$(psql_admin -d "${prefix}app-access" -c "select count(*) from information_schema.tables where table_schema = 'public'" 2>/dev/null || echo 0)
[ "${apps:-0}" -gt 0 ] && check ok "App Access schema migrated once in ${prefix}app-access ($apps tables)" || check no "no App Access tables in ${prefix}app-access"
waited=$( (grep -l 'migrations are locked by another process' "$work"/replica-*.log 2>/dev/null || true) | wc -l)
echo "   replicas that waited for App Access's migration lock: $waited of $replicas"

echo "== SIGTERM: replicas stop"
touch "$work/stopping"
for i in $(seq 1 "$replicas"); do
  kill -TERM "$(cat "$work/replica-$i.pid")" 2>/dev/null || true
done
t=$SECONDS
for i in $(seq 1 "$replicas"); do
  pid=${pids[$((i - 1))]}
  # The manifest's terminationGracePeriodSeconds: after it Kubernetes kills.
  while kill -0 "$pid" 2>/dev/null && [ $((SECONDS - t)) -lt 90 ]; do sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    check no "replica $i still running 90s after SIGTERM (log $work/replica-$i.log)"
  else
    echo "   replica $i: $(tail -n 1 "$work/replica-$i.exits") after $((SECONDS - t))s"
  fi
done
pids=()

echo "== bundle check: $([ $failed = 0 ] && echo passed || echo FAILED) in $((SECONDS - started_all))s (logs: $work$([ $keep = 1 ] || echo ', removed'))"
exit $failed
}
