#!/usr/bin/env bash
# Where the server's CPU goes per forwarded packet: samples Sfu.Host with perf (software
# cpu-clock event, so it works without hardware counters) during a 1 → N fan-out and prints
# the shares by library and the hottest symbols. JIT-compiled frames are named through the
# perf map the runtime writes with DOTNET_PerfMapEnabled=1 (and W^X off, so JIT code is mapped
# where the map says).
#
#   benchmarks/profile.sh [N] [seconds]      default: 100 subscribers, 10 s
#   PROFILE_ENV="DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1" benchmarks/profile.sh
#   PROFILE_ARGS="--subscriber-mode count --full-subscribers 10" benchmarks/profile.sh 1000
#   PROFILE_ARGS="--target relay --relay-mode srtp" benchmarks/profile.sh 1000   the relay instead
#   ANNOTATE='DownTrack::Send|ParticipantMedia::OnRtp' benchmarks/profile.sh 1000
#       also counts samples per instruction of the JIT-compiled methods whose names match, with
#       their disassembly, in annotate.txt (benchmarks/annotate.py; needs python3 and objdump)
#
# Needs root (unshare, perf) and Debian's linux-perf; runs in a private network namespace.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100}
seconds=${2:-10}
if [ -z "${SFU_PROFILE_INSIDE:-}" ]; then
  [ "$(id -u)" = 0 ] || exec sudo -E "$0" "$@"
  command -v perf >/dev/null || { echo "perf is missing: apt-get install linux-perf"; exit 1; }
  dotnet build -c Release benchmarks/Sfu.LoadTest --verbosity quiet -nologo -clp:ErrorsOnly >/dev/null
  exec unshare -n env SFU_PROFILE_INSIDE=1 "$0" "$@"
fi
ip link set lo up
out=benchmarks/results/profile-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
log="$out/load.log"

# shellcheck disable=SC2086 # PROFILE_ENV is a list of NAME=VALUE words.
env DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 ${PROFILE_ENV:-} dotnet benchmarks/Sfu.LoadTest/bin/Release/net10.0/Sfu.LoadTest.dll \
  fanout --subscribers "$n" ${PROFILE_ARGS:-} --warmup "${WARMUP:-3}" --duration $((seconds + 6)) --json "$out/load.json" >"$log" 2>&1 &
tool=$!
until grep -q "warming up" "$log"; do
  kill -0 "$tool" 2>/dev/null || { cat "$log"; exit 1; }
  sleep 0.5
done
# The server is SfuRouter's host, or the relay's process when PROFILE_ARGS asks for the relay.
server=$(pgrep -f -P "$tool" 'Sfu.Host.dll|relay-server')
sleep 3
perf record -e cpu-clock -F 999 -g -p "$server" -o "$out/perf.data" -- sleep "$seconds" 2>/dev/null
# The code bytes exist only in the running server: copy them before the load tool stops it.
[ -z "${ANNOTATE:-}" ] || python3 benchmarks/annotate.py dump "$server" "/tmp/perf-$server.map" "$out/code" "$ANNOTATE"
wait "$tool"
tail -3 "$log"

perf report -i "$out/perf.data" --no-children --sort dso --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -15 | tee "$out/by-library.txt"
echo
perf report -i "$out/perf.data" --no-children --sort dso,sym --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' >"$out/by-symbol.txt"
head -40 "$out/by-symbol.txt"
echo
# Managed frames grouped by namespace (first two parts): Sfu.Core is our own code.
awk '/\[JIT\]/ {
       share = $1; sub(/%/, "", share)
       name = $0; sub(/.*\[\.\] /, "", name); sub(/::.*/, "", name)
       n = split(name, words, " "); k = split(words[n], parts, ".")
       group = k >= 2 ? parts[1] "." parts[2] : words[n]
       sum[group] += share
     }
     END { for (g in sum) printf "%6.2f%%  %s\n", sum[g], g }' "$out/by-symbol.txt" | sort -rn | head -12 | tee "$out/managed.txt"
if [ -n "${ANNOTATE:-}" ]; then
  python3 benchmarks/annotate.py show "$out/perf.data" "$out/code" > "$out/annotate.txt"
  echo "per-instruction samples in $out/annotate.txt"
fi
echo "profile in $out"
