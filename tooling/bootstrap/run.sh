#!/usr/bin/env bash
# The one entry point behind the README commands and the root scripts.
#   run.sh [--need temporal,redis,chromium,temporal_test_server,runware_python_sdk,versitygw] COMMAND [ARGS...]
# Makes sure Node 24, pnpm, the workspace and the requested system pieces are installed (fetching only
# from the package registries), then runs COMMAND with the workspace's binaries on PATH.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
# shellcheck source=toolchain.sh
source "$ROOT/tooling/bootstrap/toolchain.sh"
# shellcheck source=system.sh
source "$ROOT/tooling/bootstrap/system.sh"

if [ "${1:-}" = "--need" ]; then
  IFS=',' read -r -a needs <<<"$2"
  shift 2
  for need in "${needs[@]}"; do "ensure_$need"; done
fi
[ $# -gt 0 ] || die "usage: run.sh [--need temporal,redis,chromium,temporal_test_server,runware_python_sdk,versitygw] COMMAND [ARGS...]"
export PATH="$ROOT/node_modules/.bin:$PATH"
exec "$@"
