#!/usr/bin/env bash
# SfuRouter, Janus VideoRoom and two raw UDP relays under the same 1 → N fan-out, in one run,
# on loopback only, and one table of the results with ratios to SfuRouter and to the SRTP relay.
# The relays: "relay" sends each copy with its own sendto and encrypts nothing; "relay-srtp"
# encrypts each copy once (SRTP AES-GCM, the subscriber's keys) and batches them into sendmmsg,
# what a perfect SFU would cost.
#
#   benchmarks/compare.sh [N | RxK ...]  default: 50 200
#   DURATION=10 WARMUP=3 RUNS=3 BITRATE=1500000 benchmarks/compare.sh 50
#   COUNT_FROM=500 benchmarks/compare.sh 200 500 1000
#   benchmarks/compare.sh 25x4           25 rooms of 4, everyone publishing (ROOMS_BITRATE, default
#                                        300000) and receiving the other 3 (on Janus a member is a
#                                        publisher and a listener, two PeerConnections)
#
# SfuRouter is started once, like Janus, as two long-lived servers ("sfu" with the defaults, and
# "sfu-tuned"), each warmed by a discarded run of SERVER_WARMUP seconds (default 60) at the first
# fan-out size before anything is measured, and when rooms are asked for, by one more of
# ROOMS_WARMUP seconds (default 30) in the first rooms shape: a fresh .NET process spends minutes
# recompiling its warm methods in the background (the tiered JIT, a fifth of the server's CPU at
# 1 → 50 half a minute after start), which a server that has been up a while does not. Rooms
# exercise paths a fan-out does not (a hundred publishers' RTCP and feedback, many rooms), and
# their recompilation took a third of the server's CPU ten seconds into a rooms run.
#
# The load tool's threads run under SCHED_BATCH (its default --bot-policy), so a bot woken by a
# server's send does not preempt that server mid-send; every server (SfuRouter's two, Janus, the
# relays the tool starts) keeps the normal policy. BOT_POLICY=normal turns that off.
#
# SFU_ENV="NAME=VALUE ..." is added to both SfuRouter servers' environment (e.g. DOTNET_TieredPGO=0).
#
# From COUNT_FROM subscribers on (default 500) the subscribers are counting bots
# (--subscriber-mode count: ICE and DTLS, then only the clear RTP header is read, one recvmmsg
# thread for all) except FULL_SUBSCRIBERS (default 10) full ones for the latency columns, so the
# bots' process leaves the cores to the server. SKIP_JANUS=1 leaves Janus out.
#
# It needs root (for unshare and, when Janus is missing, apt-get) and runs everything inside a
# private network namespace. Janus does not gather candidates on loopback interfaces, so the
# namespace gets a veth pair with the benchmark address 198.18.0.1 (RFC 2544) on one end: an
# address that exists only inside the namespace, so nothing can leave the machine. Janus's
# HTTP API listens on 127.0.0.1. Results go to benchmarks/results/<UTC time>/, with the servers'
# output (SfuRouter's warnings say, e.g., why a handshake failed).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if [ -z "${SFU_COMPARE_INSIDE:-}" ]; then
  [ "$(id -u)" = 0 ] || exec sudo -E "$0" "$@"
  if ! command -v janus >/dev/null; then
    while pgrep -x apt-get >/dev/null || pgrep -x dpkg >/dev/null; do echo "waiting for another apt run"; sleep 5; done
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq janus >/dev/null
  fi
  dotnet build -c Release benchmarks/Sfu.LoadTest --verbosity quiet -nologo -clp:ErrorsOnly
  exec unshare -n env SFU_COMPARE_INSIDE=1 "$0" "$@"
fi

ice_address=198.18.0.1
ip link set lo up
ip link add bench0 type veth peer name bench1
ip link set bench0 up
ip link set bench1 up
ip addr add "$ice_address/32" dev bench0

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(50 200)
duration=${DURATION:-10}
warmup=${WARMUP:-3}
runs=${RUNS:-1}
bitrate=${BITRATE:-1500000}
count_from=${COUNT_FROM:-500}
full_subscribers=${FULL_SUBSCRIBERS:-10}
out=benchmarks/results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"

config=$(mktemp -d)
benchmarks/janus-config.sh "$config" "$ice_address" 8088
janus -C "$config/janus.jcfg" -F "$config" >"$out/janus.log" 2>&1 &
janus_pid=$!
sfu_pids=()
trap 'kill "$janus_pid" "${sfu_pids[@]}" 2>/dev/null; rm -rf "$config"' EXIT
for _ in $(seq 100); do
  curl -fs -o /dev/null http://127.0.0.1:8088/janus/info && break
  sleep 0.2
done

tool=(dotnet benchmarks/Sfu.LoadTest/bin/Release/net10.0/Sfu.LoadTest.dll)
common=(--duration "$duration" --warmup "$warmup" --bot-policy "${BOT_POLICY:-batch}")

# shape_of SIZE: the scenario's arguments in $shape: "25x4" is 25 rooms of 4, a number N a 1 → N fan-out.
shape_of() {
  if [[ $1 =~ ^([0-9]+)x([0-9]+)$ ]]; then
    shape=(rooms --rooms "${BASH_REMATCH[1]}" --room-size "${BASH_REMATCH[2]}" --video-bitrate "${ROOMS_BITRATE:-300000}")
  else
    shape=(fanout --subscribers "$1" --video-bitrate "$bitrate")
  fi
}

# start_sfu NAME PORT [VAR=VALUE ...]: a long-lived Sfu.Host on 127.0.0.1:PORT, its output in
# $out/NAME-server.log; sets sfu_pid.
start_sfu() {
  local name=$1 port=$2
  shift 2
  # shellcheck disable=SC2086 # SFU_ENV is a list of NAME=VALUE words.
  env ${SFU_ENV:-} "$@" dotnet src/Sfu.Host/bin/Release/net10.0/Sfu.Host.dll --Urls="http://127.0.0.1:$port" --Sfu:Media:Port=0 \
    --Sfu:Limits:MaxParticipants=0 --Logging:LogLevel:Default=Warning --Logging:LogLevel:Microsoft.Hosting.Lifetime=Information \
    >"$out/$name-server.log" 2>&1 &
  sfu_pid=$!
  sfu_pids+=("$sfu_pid")
  for _ in $(seq 300); do
    grep -q "Now listening" "$out/$name-server.log" && return 0
    sleep 0.2
  done
  echo "Sfu.Host ($name) did not start:"; cat "$out/$name-server.log"; exit 1
}
start_sfu sfu 5180
sfu=(--server http://127.0.0.1:5180 --server-pid "$sfu_pid")
start_sfu sfu-tuned 5181 DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1
sfu_tuned=(--server http://127.0.0.1:5181 --server-pid "$sfu_pid" --label sfu-tuned)
# The servers are warmed with a fan-out: the first size given that is one, else 50.
warm_size=50
for n in "${sizes[@]}"; do [[ $n =~ ^[0-9]+$ ]] && { warm_size=$n; break; }; done
warm=(--subscribers "$warm_size" --duration "${SERVER_WARMUP:-60}" --warmup 0 --video-bitrate "$bitrate")
[ "$warm_size" -lt "$count_from" ] || warm+=(--subscriber-mode count --full-subscribers "$full_subscribers")
warm_rooms=()
for n in "${sizes[@]}"; do [[ $n =~ ^[0-9]+x[0-9]+$ ]] && { shape_of "$n"; warm_rooms=("${shape[@]}" --duration "${ROOMS_WARMUP:-30}" --warmup 0); break; }; done
for server in sfu sfu_tuned; do
  declare -n args=$server
  echo "warming $server for ${SERVER_WARMUP:-60} s (not measured)"
  "${tool[@]}" fanout "${args[@]}" "${warm[@]}" >/dev/null || echo "warm-up run failed: $server"
  if [ ${#warm_rooms[@]} -gt 0 ]; then
    echo "warming $server with rooms for ${ROOMS_WARMUP:-30} s (not measured)"
    "${tool[@]}" "${warm_rooms[@]}" "${args[@]}" >/dev/null || echo "rooms warm-up run failed: $server"
  fi
done
# One failed run (e.g. a handshake storm on a small machine) is reported and the others go on.
run() { "${tool[@]}" "$@" || echo "run failed: $*"; }
for n in "${sizes[@]}"; do
  shape_of "$n"
  mode=()
  [[ ! $n =~ ^[0-9]+$ ]] || [ "$n" -lt "$count_from" ] || mode=(--subscriber-mode count --full-subscribers "$full_subscribers")
  for r in $(seq "$runs"); do
    # Round r starts at a different target each time (1, 2, 3, … of the list, wrapping), so no
    # target always runs first or right after the same other one: the machine drifts within a
    # round, and a fixed order would put that drift into the ratios.
    targets=(1 2 4 5)
    [ -n "${SKIP_JANUS:-}" ] || targets=(1 2 3 4 5)
    for ((k = 0; k < ${#targets[@]}; k++)); do
      case ${targets[(k + r - 1) % ${#targets[@]}]} in
        1) run "${shape[@]}" "${sfu[@]}" "${common[@]}" "${mode[@]}" --json "$out/$n-$r-1-sfu.json" ;;
        2) run "${shape[@]}" "${sfu_tuned[@]}" "${common[@]}" "${mode[@]}" --json "$out/$n-$r-2-sfu-tuned.json" ;;
        3) run "${shape[@]}" --target janus --server http://127.0.0.1:8088/janus --server-pid "$janus_pid" --bind "$ice_address" \
             "${common[@]}" "${mode[@]}" --json "$out/$n-$r-3-janus.json" ;;
        4) run "${shape[@]}" --target relay "${common[@]}" "${mode[@]}" --json "$out/$n-$r-4-relay.json" ;;
        5) run "${shape[@]}" --target relay --relay-mode srtp "${common[@]}" "${mode[@]}" --json "$out/$n-$r-5-relay-srtp.json" ;;
      esac
    done
  done
done

"${tool[@]}" table $(ls "$out"/*.json | sort -V) | tee "$out/table.md"
echo "results in $out"
