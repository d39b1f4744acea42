#!/usr/bin/env bash
# Runs every test of the solution on a fresh machine: installs what the tests need when it is
# missing (Debian chromium, firefox-esr, redis-server, iproute2, nftables, coturn, janus, npm packages), builds, runs each test project inside a
# private network namespace that has only loopback, and ends with one line
# "N passed, N failed, N skipped" summed over all projects.
set -uo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -x /usr/bin/firefox-esr ] || need_apt+=(firefox-esr)
# The cluster tests start their own redis-server on a free loopback port (the package's service is not used).
[ -x /usr/bin/redis-server ] || need_apt+=(redis-server)
command -v ip >/dev/null || need_apt+=(iproute2)
command -v unshare >/dev/null || need_apt+=(util-linux)
# The connection-ladder browser tests drop UDP/TCP to the media port with nftables and relay
# through Debian's coturn (started by the test itself).
command -v nft >/dev/null || need_apt+=(nftables)
command -v turnserver >/dev/null || need_apt+=(coturn)
# The load tool's janus target is checked against Debian's Janus (started by the test itself).
[ -x /usr/bin/janus ] || need_apt+=(janus)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need_apt[@]}" >/dev/null || { echo "apt-get install failed"; exit 1; }
fi

for dir in $(git ls-files '*package-lock.json' | xargs -r -n1 dirname); do
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    echo "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || { echo "npm ci failed in $dir"; exit 1; }
  fi
done

dotnet restore SfuRouter.sln --verbosity quiet || { echo "0 passed, 1 failed"; exit 1; }
dotnet build SfuRouter.sln --no-restore --verbosity quiet -nologo -clp:ErrorsOnly || { echo "0 passed, 1 failed"; exit 1; }

projects=$(ls tests/*.Tests/*.csproj)
logdir=$(mktemp -d)
passed=0 failed=0 skipped=0
for proj in $projects; do
  name=$(basename "$proj" .csproj)
  log="$logdir/$name.log"
  echo "== $name"
  # A private namespace with loopback only: WebRTC gathers 127.0.0.1 alone, and nothing a
  # test starts can reach another address.
  as_root unshare -n sh -c "ip link set lo up && exec dotnet test --project '$proj' --no-build" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  t=$(grep -Eo 'succeeded: *[0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+')
  f=$(grep -Eo 'failed: *[0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+')
  s=$(grep -Eo 'skipped: *[0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+')
  if [ -z "$t" ] && [ -z "$f" ]; then
    echo "$name: no test summary (exit $rc), counted as one failure"
    failed=$((failed + 1))
    continue
  fi
  passed=$((passed + ${t:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
  if [ "$rc" != 0 ] && [ "${f:-0}" = 0 ]; then failed=$((failed + 1)); fi
  # A test that failed gets one more run of its own (real browsers and real sockets on a shared
  # machine have bad seconds). It counts as passed only when that run passes; it is still named
  # at the end as FLAKY with its first message, so a test that starts failing now and then shows.
  # More than five failures in one project is not flakiness: no reruns then.
  methods=$(grep -E '^failed ' "$log" | sed -E 's/^failed ([^ (]+).*/\1/' | sort -u)
  if [ -n "$methods" ] && [ "$(echo "$methods" | wc -l)" -le 5 ]; then
    for method in $methods; do
      cases=$(grep -cE "^failed ${method//./\\.}[ (]" "$log")
      rerun="$logdir/$name.rerun.$(echo "$method" | tr -c 'A-Za-z0-9_\n' '_').log"
      echo "== $name: once more, $method"
      as_root unshare -n sh -c "ip link set lo up && exec dotnet test --project '$proj' --no-build -- --filter-method '$method'" > "$rerun" 2>&1
      rt=$(grep -Eo 'succeeded: *[0-9]+' "$rerun" | tail -1 | grep -Eo '[0-9]+')
      rf=$(grep -Eo 'failed: *[0-9]+' "$rerun" | tail -1 | grep -Eo '[0-9]+')
      if [ "${rf:-1}" = 0 ] && [ "${rt:-0}" -gt 0 ]; then
        passed=$((passed + cases)); failed=$((failed - cases))
        sed -i -E "s/^failed ${method//./\\.}([ (])/flaky ${method}\\1/" "$log"
      else
        cat "$rerun"
      fi
    done
  fi
done
# CI shows only the end of the output: name the failed tests there, each with the first lines
# of its message (what an assertion printed), cut short so a long one cannot hide the rest.
for log in "$logdir"/*.log; do
  case "$log" in *.rerun.*) continue ;; esac
  awk '/^failed /{print "FAILED: " substr($0, 8); n=3; next} /^flaky /{print "FLAKY (passed when run again): " substr($0, 7); n=3; next} n>0 && !/^ *from /{print "  " substr($0, 1, 1500); n--}' "$log"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
