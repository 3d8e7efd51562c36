#!/usr/bin/env bash
# Install check: does App Access install into a brand-new Backstage app the way
# the README says, and work there?
#
#   scripts/install-check/run.sh [--latest | --update-lock] [--tarballs DIR] [--keep]
#
# Builds and packs every publishable package under plugins/ (into DIR, reused
# when it already holds the tarballs), generates an app with the pinned
# @backstage/create-app, installs the tarballs (see prepare-app.mjs), starts the
# backend on SQLite and checks health, a request through the API, the Apps page
# in Chromium and the admin routes under the documented permission policy.
# Prints one line per check and a summary; exits 1 when a check fails.
#
# The pinned run installs from fixtures/yarn.lock (see lockfile.mjs), so it
# resolves the same packages every time, and fails when the install needed a
# package that lockfile does not hold (an App Access package gained a
# dependency, or create-app's template changed). --update-lock then stores the
# app's lockfile as the new fixture (delete the fixture first to re-resolve
# everything as of create-app's release).
#
# --latest repeats this with the template's @backstage/* dependencies raised to
# the newest versions the registry serves. It reports what broke and always
# exits 0: a new Backstage release must not turn CI red before App Access has
# been moved to it.
#
# --tarballs DIR is also what the two runs share, so that --latest redoes only
# what the newer packages change: the pinned run leaves in DIR the tarballs,
# create-app's output as generated (app-template/) and, when its install
# passed, the installed app (app/). --latest then takes that app over (moved,
# not copied), puts the template's files back, prepares it again and runs
# `yarn up '@backstage/*'` on the pinned lockfile, which fetches and links only
# what changed: the upgrade a portal makes with its own lockfile. Without an
# installed app it starts from app-template/ (no create-app), and without that
# from a new create-app and no lockfile.
#
# Each phase's time is printed in the summary (timings: ...).
#
# Environment: INSTALL_CHECK_PORT (default 7117; the e2e portal uses 3000/7007),
# INSTALL_CHECK_DIR (work folder, default a new temp dir).
set -euo pipefail

CREATE_APP_VERSION=0.9.2
POLICY_DIR=plugins/permission-backend-module-app-access-policy
EMPLOYEE=user:default/eve.employee
ADMIN=user:default/ada.admin

mode=pinned
tarballs=""
keep=0
update_lock=0
while [ $# -gt 0 ]; do
  case "$1" in
    --latest) mode=latest ;;
    --update-lock) update_lock=1 ;;
    --tarballs) tarballs="$2"; shift ;;
    --keep) keep=1 ;;
    *) echo "usage: $0 [--latest | --update-lock] [--tarballs DIR] [--keep]" >&2; exit 2 ;;
  esac
  shift
done

if [ "$mode" = latest ] && [ "$update_lock" = 1 ]; then
  echo "--update-lock stores the pinned run's lockfile; it does not go with --latest" >&2
  exit 2
fi
repo=$(cd "$(dirname "$0")/../.." && pwd)
here="$repo/scripts/install-check"
lock_fixture="$here/fixtures/yarn.lock"
cd "$repo"
# shellcheck source=../ensure-node.sh
. scripts/ensure-node.sh
# corepack cannot verify the signature of the newest Yarn here; the generated
# app pins its own Yarn release anyway.
export COREPACK_DEFAULT_TO_LATEST=0

port="${INSTALL_CHECK_PORT:-7117}"
sqlite_from=""
if [ -f "$repo/node_modules/better-sqlite3/build/Release/better_sqlite3.node" ]; then
  sqlite_from="$repo/node_modules/better-sqlite3"
fi
base="http://localhost:$port"
work="${INSTALL_CHECK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/app-access-install-check.XXXXXX")}"
mkdir -p "$work/logs"
tarballs_shared=0
[ -n "$tarballs" ] && tarballs_shared=1
tarballs="${tarballs:-$work/tarballs}"
mkdir -p "$tarballs"
app="$work/app"
results="$work/results.txt"
: >"$results"
timings="$work/timings.txt"
: >"$timings"
started_all=$SECONDS
backend_pid=""
# Where the pinned run leaves its app for --latest (see --tarballs above).
shared_template="$tarballs/app-template"
shared_app="$tarballs/app"

stop_backend() {
  if [ -n "$backend_pid" ] && kill -0 "$backend_pid" 2>/dev/null; then
    # The backend runs in its own process group (setsid): end it and its children.
    kill -TERM -- "-$backend_pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$backend_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$backend_pid" 2>/dev/null || true
  fi
  backend_pid=""
}
cleanup() {
  stop_backend
  if [ "$keep" = 0 ] && [ -z "${INSTALL_CHECK_DIR:-}" ]; then
    # The generated app is large; the logs are kept only when something failed.
    if grep -q '^FAIL' "$results" 2>/dev/null; then
      rm -rf "$app"
    else
      rm -rf "$app" "$work/logs" "$work/results.txt" "$work/tested.txt" "$work/timings.txt" "$work/apps-page.png"
      [ "$tarballs" = "$work/tarballs" ] && rm -rf "$tarballs"
      rmdir "$work" 2>/dev/null || true
    fi
  fi
}
trap cleanup EXIT

record() { echo "$*" | tee -a "$results"; }

# The time a phase took, for the summary's timings line.
timing() { echo "$1 $2s" >>"$timings"; }

# Runs one setup step with its output in logs/<name>.log; a failing step is a
# FAIL line with the end of its log, and stops the run (later steps need it).
step() {
  local name="$1"
  shift
  local t=$SECONDS rc
  echo "== $name"
  set +e
  # A new shell, not a subshell: errexit would be ignored in a subshell of a
  # function that is called as `step ... || ...`.
  bash -euo pipefail -c '"$@"' "$name" "$@" >"$work/logs/$name.log" 2>&1
  rc=$?
  set -e
  if [ $rc -ne 0 ]; then
    tail -n 25 "$work/logs/$name.log" | sed 's/^/   | /'
    record "FAIL setup: $name (exit $rc, log $work/logs/$name.log)"
    timing "$name" $((SECONDS - t))
    return 1
  fi
  timing "$name" $((SECONDS - t))
  echo "   done in $((SECONDS - t))s"
}

build_packages() {
  # Declarations first (incremental; a no-op after `yarn tsc` in test:all),
  # then every package except the example app and backend bundles.
  yarn tsc
  yarn backstage-cli repo build
}

pack_packages() {
  # Every non-private workspace (the plugins; the example app, backend and the
  # root are private), packed four at a time: each pack is mostly the start-up
  # of its prepack/postpack scripts. A pack can fail when it loads the project
  # just as another package's prepack rewrites that package's package.json
  # (seen under load: "No local workspace found for this range"); its postpack has
  # then put everything back, so it is packed again. Not `yarn workspaces
  # foreach --parallel`: on the first failure it stops the other packs between
  # their prepack and postpack, leaving rewritten package.json files behind.
  rm -f "$tarballs"/*.tgz
  yarn workspaces list --no-private --json |
    node -e 'for (const l of require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean)) console.log(JSON.parse(l).name)' |
    xargs -P 4 -I{} bash -c 'for attempt in 1 2 3; do
        yarn workspace "$1" pack --out "$2/%s.tgz" >"$2/.pack-$attempt-${1//\//-}.log" 2>&1 && exit 0
        echo "pack $1 failed (attempt $attempt):"; tail -n 3 "$2/.pack-$attempt-${1//\//-}.log"; sleep 2
      done; exit 1' _ {} "$tarballs"
  rm -f "$tarballs"/.pack-*.log
  : >"$tarballs/index.tsv"
  local tgz
  for tgz in "$tarballs"/*.tgz; do
    tar -xzOf "$tgz" package/package.json |
      node -e 'const p = JSON.parse(require("fs").readFileSync(0)); console.log([p.name, p.version, process.argv[1]].join("\t"))' "$tgz" >>"$tarballs/index.tsv"
  done
  cat "$tarballs/index.tsv"
}

create_app() {
  rm -rf "$app"
  # create-app asks for the app's name even with --path.
  (cd "$work" && echo app-access-check | npx -y "@backstage/create-app@$CREATE_APP_VERSION" --path "$app" --skip-install)
  test -f "$app/packages/backend/src/index.ts"
  # Kept as generated, for a --latest run that shares the tarballs folder.
  rm -rf "$shared_template"
  cp -a "$app" "$shared_template"
}

# --latest without create-app: the pinned run's installed app when it left
# one (its node_modules and lockfile kept), else its create-app output. The
# template's files are put back over what prepare-app changed, so that
# prepare-app runs on the app as generated.
reuse_app() {
  rm -rf "$app"
  if [ -f "$shared_app/yarn.lock" ] && [ -d "$shared_app/node_modules" ]; then
    mv "$shared_app" "$app"
    cp "$app/yarn.lock" "$work/logs/pinned-yarn.lock"
    cp -a "$shared_template/." "$app/"
    cp "$work/logs/pinned-yarn.lock" "$app/yarn.lock"
    # Every @backstage/* package, direct or pulled in by App Access or the
    # template's plugins, resolved afresh as in a new app; the rest stays.
    node "$here/lockfile.mjs" unlock "$app" @backstage/
    rm -f "$app/app-config.local.yaml"
    echo "the pinned run's installed app, with create-app's files put back"
  else
    cp -a "$shared_template" "$app"
    echo "create-app's output from the pinned run"
  fi
  test -f "$app/packages/backend/src/index.ts"
}

prepare_app() {
  local gate=""
  if [ "$mode" = pinned ]; then
    # Days since create-app $CREATE_APP_VERSION was published, less 4: its
    # template names versions published up to three days after it (see
    # prepare-app.mjs). Not more: a week later @yarnpkg/core 4.9.2 was
    # published with a dependency on a Yarn patch file it does not ship.
    gate=$(npm view "@backstage/create-app@$CREATE_APP_VERSION" time --json |
      node -e 'const t = JSON.parse(require("fs").readFileSync(0))[process.argv[1]];
        console.log(`${Math.floor((Date.now() - Date.parse(t)) / 864e5) - 4}d`)' "$CREATE_APP_VERSION")
  fi
  INSTALL_CHECK_AGE_GATE="$gate" INSTALL_CHECK_SQLITE_FROM="$sqlite_from" node "$here/prepare-app.mjs" "$app" "$tarballs/index.tsv" "$here/fixtures" "$port"
  if [ "$mode" = pinned ]; then
    node "$here/lockfile.mjs" seed "$app" "$lock_fixture"
  fi
}

install_app() {
  cd "$app"
  # The App Access tarballs are never in the lockfile (a new checksum on every
  # pack), so this install writes their entries even where CI makes Yarn
  # immutable; lockfile.mjs check then says whether anything else was resolved.
  export YARN_ENABLE_IMMUTABLE_INSTALLS=false
  # node_modules as hard links into Yarn's shared store: the app's ~2000
  # packages are linked, not copied, which is most of a fresh install's time.
  export YARN_NM_MODE=hardlinks-global
  if [ "$mode" = latest ]; then
    # The template's Backstage packages at the newest versions the registry
    # serves (`backstage-cli versions:bump` needs the release manifest site,
    # which this machine cannot reach; yarn up asks the registry directly).
    yarn up '@backstage/*'
  else
    yarn install
  fi
  # What this run tested App Access with (the summary repeats it).
  local p
  for p in backend-defaults backend-plugin-api frontend-defaults frontend-plugin-api plugin-catalog-react plugin-catalog-node; do
    echo "installed @backstage/$p $(node -p "require('@backstage/$p/package.json').version" 2>/dev/null || echo 'not installed')"
  done
  if [ -n "$sqlite_from" ]; then
    mkdir -p node_modules/better-sqlite3/build/Release
    cp "$sqlite_from/build/Release/better_sqlite3.node" node_modules/better-sqlite3/build/Release/
  fi
}

build_frontend() {
  cd "$app"
  yarn workspace app build
}

start_backend() {
  local user="$1" log="$work/logs/backend-$2.log"
  stop_backend
  # Another check on this machine (or a portal) on the port would answer for
  # us; a backend just stopped may take a moment to let go of it.
  for _ in $(seq 1 10); do curl -s -o /dev/null "$base" 2>/dev/null || break; sleep 1; done
  if curl -s -o /dev/null "$base" 2>/dev/null; then
    record "FAIL setup: port $port is already in use (set INSTALL_CHECK_PORT)"
    return 1
  fi
  (cd "$app" && INSTALL_CHECK_USER="$user" exec setsid yarn workspace backend start) >"$log" 2>&1 &
  backend_pid=$!
  local t=$SECONDS
  echo "== backend as $user (log $log)"
  until curl -fsS "$base/api/app-access/health" >/dev/null 2>&1; do
    if ! kill -0 "$backend_pid" 2>/dev/null; then
      tail -n 25 "$log" | sed 's/^/   | /'
      record "FAIL setup: backend exited while starting (log $log)"
      return 1
    fi
    if [ $((SECONDS - t)) -gt 240 ]; then
      tail -n 25 "$log" | sed 's/^/   | /'
      record "FAIL setup: backend not healthy within 240s (log $log)"
      return 1
    fi
    sleep 2
  done
  echo "   up in $((SECONDS - t))s"
}

summary() {
  echo
  echo "== install check ($mode, create-app $CREATE_APP_VERSION) in $((SECONDS - started_all))s (load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown))"
  cat "$results"
  local passed failed skipped
  passed=$(grep -c '^PASS' "$results" || true)
  failed=$(grep -c '^FAIL' "$results" || true)
  skipped=$(grep -c '^SKIP' "$results" || true)
  echo "$passed passed, $failed failed, $skipped skipped"
  if [ -s "$timings" ]; then
    echo "timings: $(paste -sd, "$timings" | sed 's/,/, /g')"
  fi
  if [ -s "$work/tested.txt" ]; then
    echo "tested with: $(paste -sd, "$work/tested.txt" | sed 's/,/, /g')"
  fi
  if [ "$mode" = latest ]; then
    if [ "$failed" -gt 0 ]; then
      echo "latest: App Access does not yet install cleanly on the newest Backstage packages (report only, see above)"
    fi
    return 0
  fi
  [ "$failed" -eq 0 ]
}

run() {
  if [ -s "$tarballs/index.tsv" ]; then
    echo "== reusing the tarballs in $tarballs"
  else
    step build build_packages || return 0
    step pack pack_packages || return 0
  fi
  if [ "$mode" = latest ] && [ -f "$shared_template/packages/backend/src/index.ts" ]; then
    step reuse-app reuse_app || return 0
    sed 's/^/   /' "$work/logs/reuse-app.log"
  else
    step create-app create_app || return 0
  fi
  step prepare-app prepare_app || return 0
  cat "$work/logs/prepare-app.log" | sed 's/^/   /'
  local policy=missing
  if grep -q '^policy package: installed' "$work/logs/prepare-app.log"; then
    policy=installed
  fi
  if [ "$policy" = missing ] && [ -d "$POLICY_DIR" ]; then
    record "FAIL setup: $POLICY_DIR exists but its package was not packed"
    return 0
  fi
  step install install_app || return 0
  grep '^installed ' "$work/logs/install.log" | sed 's/^installed //' >"$work/tested.txt" || true
  sed 's/^/   installed /' "$work/tested.txt"
  local shared
  if shared=$(node "$here/shared-deps.mjs" "$app"); then
    record "PASS shared Backstage packages: $shared"
  else
    record "FAIL shared Backstage packages: $shared (widen App Access's version ranges)"
  fi
  if [ "$mode" = latest ]; then
    :
  elif [ "$update_lock" = 1 ]; then
    node "$here/lockfile.mjs" write "$app" "$lock_fixture" | sed 's/^/   /'
  else
    local drift
    if drift=$(node "$here/lockfile.mjs" check "$app" "$lock_fixture"); then
      record "PASS pinned lockfile: $drift"
    else
      record "FAIL pinned lockfile: $(echo "$drift" | tr '\n' ' ')(run scripts/install-check/run.sh --update-lock and commit $lock_fixture)"
    fi
  fi
  step build-frontend build_frontend || return 0

  local t=$SECONDS
  start_backend "$EMPLOYEE" employee || { timing start-employee $((SECONDS - t)); return 0; }
  timing start-employee $((SECONDS - t))
  t=$SECONDS
  node "$here/checks.mjs" employee "$base" "$EMPLOYEE" "$results" "$policy" "$work" || true
  timing checks-employee $((SECONDS - t))
  if [ "$policy" = installed ]; then
    t=$SECONDS
    start_backend "$ADMIN" admin || { timing start-admin $((SECONDS - t)); return 0; }
    timing start-admin $((SECONDS - t))
  fi
  t=$SECONDS
  node "$here/checks.mjs" admin "$base" "$ADMIN" "$results" "$policy" || true
  timing checks-admin $((SECONDS - t))
  stop_backend
  hand_over
}

# The pinned run's installed app, left for --latest in the shared folder
# (only when --tarballs named one: a run on its own cleans up after itself).
hand_over() {
  if [ "$mode" = pinned ] && [ "$update_lock" = 0 ] && [ "$tarballs_shared" = 1 ] && [ -d "$app/node_modules" ]; then
    rm -rf "$shared_app"
    mv "$app" "$shared_app"
    echo "== left the installed app in $shared_app for --latest"
  fi
}

export mode app work tarballs here port sqlite_from lock_fixture CREATE_APP_VERSION shared_template shared_app
export -f build_packages pack_packages create_app reuse_app prepare_app install_app build_frontend

echo "== App Access install check: $mode, work folder $work"
# On one line so bash has read all of it before running: editing this file
# while a check runs cannot change what the running check does next.
run; summary; exit $?
