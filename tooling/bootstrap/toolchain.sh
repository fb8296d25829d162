# shellcheck shell=bash
# Sourced by run.sh. Puts Node 24 and the pinned pnpm on PATH (from the npm registry when the machine
# lacks them) and installs the workspace. Idempotent: a warm run costs a few file checks and one hash.

ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
TOOLS="$ROOT/.tools"
mkdir -p "$TOOLS/bin"
export PATH="$TOOLS/bin:$PATH"

say() { printf '\033[36m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

node_arch() {
  case "$(uname -m)" in
    x86_64 | amd64) echo x64 ;;
    aarch64 | arm64) echo arm64 ;;
    *) die "unsupported CPU architecture $(uname -m): install Node $(cat "$ROOT/.nvmrc") yourself" ;;
  esac
}

# Fetch one npm tarball into a fresh directory (npm pack talks only to the registry).
npm_unpack() { # <package@version> <destination dir>
  local spec=$1 dest=$2 tmp
  command -v npm >/dev/null || die "npm is needed once to fetch $spec from the npm registry"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent --loglevel=error "$spec" >/dev/null) || die "could not fetch $spec from the npm registry"
  tar xzf "$tmp"/*.tgz -C "$tmp"
  rm -rf "$dest" && mv "$tmp/package" "$dest" && rm -rf "$tmp"
}

ensure_node() {
  local want major
  want=$(tr -d ' \nv' <"$ROOT/.nvmrc")
  major=${want%%.*}
  if command -v node >/dev/null && [ "$(node -p 'process.versions.node.split(".")[0]')" -ge "$major" ]; then
    return
  fi
  local dir="$TOOLS/node-v$want"
  if [ ! -x "$dir/bin/node" ]; then
    say "Node $(node -v 2>/dev/null || echo none) is older than $major: fetching node-linux-$(node_arch)@$want from the npm registry"
    npm_unpack "node-linux-$(node_arch)@$want" "$dir"
  fi
  export PATH="$dir/bin:$PATH"
}

ensure_pnpm() {
  local want
  want=$(node -p 'require(process.argv[1]).packageManager.split("@")[1]' "$ROOT/package.json")
  if [ "$(pnpm --version 2>/dev/null)" = "$want" ]; then return; fi
  local dir="$TOOLS/pnpm-$want"
  if [ ! -f "$dir/bin/pnpm.cjs" ]; then
    say "Fetching pnpm $want from the npm registry"
    npm_unpack "pnpm@$want" "$dir"
  fi
  printf '#!/bin/sh\nexec node "%s/bin/pnpm.cjs" "$@"\n' "$dir" >"$TOOLS/bin/pnpm"
  chmod +x "$TOOLS/bin/pnpm"
}

# Reinstall only when the lockfile, a manifest or the Node version changed since the last install.
workspace_sum() {
  cd "$ROOT" && {
    node -v
    cat pnpm-lock.yaml pnpm-workspace.yaml 2>/dev/null
    find . -name package.json -not -path '*/node_modules/*' -not -path './.tools/*' | sort | xargs cat
  } | sha256sum | cut -d' ' -f1
}

# Reinstall only when the lockfile, a manifest or the Node version changed since the last install.
ensure_workspace() {
  local stamp="$ROOT/node_modules/.photomaker-install"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(workspace_sum)" ]; then return; fi
  say "Installing workspace dependencies (pnpm install)"
  (cd "$ROOT" && pnpm install ${CI:+--frozen-lockfile} --reporter=append-only) || die "pnpm install failed"
  workspace_sum >"$stamp"
}

ensure_node
ensure_pnpm
ensure_workspace
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
