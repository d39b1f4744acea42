#!/usr/bin/env bash
# Writes a minimal Janus configuration into the folder given as $1: the core bound for ICE to
# the benchmark address on lo only, the VideoRoom plugin and the plain HTTP transport on
# 127.0.0.1, nothing else loaded. Used by compare.sh.
set -euo pipefail
dir=$1
ice_address=${2:-198.18.0.1}
http_port=${3:-8088}
lib=$(dirname "$(dpkg -L janus | grep -m1 '/plugins/libjanus_videoroom.so$')")
lib=$(dirname "$lib")
mkdir -p "$dir"

# Everything Janus would load from its folders except the two modules we want.
others() { (cd "$lib/$1" && ls lib*.so) | grep -vx "$2" | paste -sd, -; }

cat > "$dir/janus.jcfg" <<JCFG
general: {
  configs_folder = "$dir"
  plugins_folder = "$lib/plugins"
  transports_folder = "$lib/transports"
  events_folder = "$lib/events"
  loggers_folder = "$lib/loggers"
  debug_level = 3
  session_timeout = 60
  server_name = "benchmark"
  interface = "$ice_address"
}
certificates: {
}
media: {
  rtp_port_range = "20000-40000"
}
nat: {
  nice_debug = false
  full_trickle = false
  ice_lite = false
  ice_tcp = false
  # Only the benchmark address on lo: Janus does not gather loopback addresses.
  ice_enforce_list = "$ice_address"
}
plugins: {
  disable = "$(others plugins libjanus_videoroom.so)"
}
transports: {
  disable = "$(others transports libjanus_http.so)"
}
events: {
  broadcast = false
  disable = "$(others events none)"
}
loggers: {
  disable = "$(others loggers none)"
}
JCFG

cat > "$dir/janus.transport.http.jcfg" <<JCFG
general: {
  json = "compact"
  base_path = "/janus"
  http = true
  port = $http_port
  ip = "127.0.0.1"
  https = false
}
admin: {
  admin_http = false
  admin_https = false
}
cors: {
}
JCFG

cat > "$dir/janus.plugin.videoroom.jcfg" <<JCFG
general: {
  # Rooms are created over the API by the load tool.
}
JCFG
