#!/usr/bin/env bash
# Doppel's MQTT broker vs mosquitto under the same `doppel bench mqtt` loads, in one run.
#   Benchmarks/mqtt/run.sh [DURATION_SECONDS] [IDLE_CONNECTIONS]
# Defaults: 10 s per throughput load, 19,000 idle connections. PAIRS (default 4) publisher→subscriber
# pairs carry the throughput loads, RATE (default 10000 msg/s) the latency load, PROTOCOL (5 or 3.1.1,
# default 5) is the MQTT version of every load. mosquitto (Debian's
# package, installed when missing) and `doppel serve` listen on free loopback ports; Doppel is left out,
# and said so, when its `serve` has no MQTT listener. mosquitto runs with anonymous access, no
# persistence and TCP_NODELAY (without it Nagle's algorithm adds up to 40 ms to its latency tail;
# Doppel's sockets have it on).
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-10}
idle=${2:-19000}
pairs=${PAIRS:-4}
rate=${RATE:-10000}
protocol=${PROTOCOL:-5}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
mosquitto_bin=$(command -v mosquitto || echo /usr/sbin/mosquitto)
if [ ! -x "$mosquitto_bin" ]; then
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto >/dev/null
    mosquitto_bin=$(command -v mosquitto || echo /usr/sbin/mosquitto)
fi

work=$(mktemp -d)
if ! swift build -c release --product doppel >"$work/build.log" 2>&1; then
    cat "$work/build.log" >&2
    rm -rf "$work"
    exit 1
fi
doppel="$(swift build -c release --show-bin-path)/doppel"
ulimit -n "$(ulimit -Hn)"

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for_port() {
    for _ in $(seq 200); do
        if python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2)' "$1" 2>/dev/null; then
            return 0
        fi
        sleep 0.05
    done
    echo "nothing listens on port $1" >&2
    return 1
}

brokers=()
mosquitto_port=$(free_port)
cat > "$work/mosquitto.conf" <<CONF
listener $mosquitto_port 127.0.0.1
allow_anonymous true
persistence false
log_dest none
set_tcp_nodelay true
CONF
"$mosquitto_bin" -c "$work/mosquitto.conf" &
pids+=($!)
declare -A pid_of port_of
pid_of[mosquitto]=$!
port_of[mosquitto]=$mosquitto_port
wait_for_port "$mosquitto_port"
brokers+=(mosquitto)
echo "== mosquitto $("$mosquitto_bin" -h 2>&1 | sed -n 's/^mosquitto version //p') on 127.0.0.1:$mosquitto_port"

if "$doppel" serve --help 2>&1 | grep -q -- '--mqtt-port'; then
    doppel_port=$(free_port)
    "$doppel" serve --data "$work/doppel-data" --http-port 0 --http-host 127.0.0.1 --mqtt-host 127.0.0.1 \
        --mqtt-port "$doppel_port" --mqtt-allow-anonymous >"$work/doppel-serve.log" 2>&1 &
    pids+=($!)
    pid_of[doppel]=$!
    port_of[doppel]=$doppel_port
    wait_for_port "$doppel_port"
    brokers+=(doppel)
    echo "== doppel serve on 127.0.0.1:$doppel_port"
else
    echo "== doppel serve has no --mqtt-port yet: measuring mosquitto alone"
fi

common=(--protocol "$protocol" --topics pairs --publishers "$pairs" --subscribers "$pairs" --payload-bytes 64 --json)
for broker in "${brokers[@]}"; do
    port=${port_of[$broker]}
    echo "-- $broker: QoS 0 flat out, QoS 1 flat out, QoS 0 at $rate msg/s, $idle idle connections"
    "$doppel" bench mqtt --port "$port" --qos 0 --duration "$duration" "${common[@]}" >"$work/$broker-qos0.json"
    "$doppel" bench mqtt --port "$port" --qos 1 --duration "$duration" "${common[@]}" >"$work/$broker-qos1.json"
    "$doppel" bench mqtt --port "$port" --qos 0 --rate "$rate" --duration "$duration" "${common[@]}" >"$work/$broker-latency.json"
    "$doppel" bench mqtt --port "$port" --qos 0 --rate 100 --duration 2 --publishers 1 --subscribers 1 --topics pairs \
        --protocol "$protocol" --connections "$idle" --broker-pid "${pid_of[$broker]}" --json >"$work/$broker-memory.json"
done

python3 - "$work" "$duration" "$pairs" "$rate" "$idle" "$protocol" "${brokers[@]}" <<'PY'
import json, os, sys
work, duration, pairs, rate, idle, protocol = sys.argv[1:7]
brokers = sys.argv[7:]
load = lambda broker, name: json.load(open(os.path.join(work, f"{broker}-{name}.json")))
rows = [
    ("QoS 0 received msg/s", lambda b: load(b, "qos0")["receivedPerSecond"], "{:,.0f}"),
    ("QoS 0 published msg/s", lambda b: load(b, "qos0")["publishedPerSecond"], "{:,.0f}"),
    ("QoS 1 received msg/s", lambda b: load(b, "qos1")["receivedPerSecond"], "{:,.0f}"),
    ("QoS 1 published msg/s", lambda b: load(b, "qos1")["publishedPerSecond"], "{:,.0f}"),
    (f"p50 latency µs @ {rate}/s", lambda b: load(b, "latency")["latencyMicros"]["p50"], "{:,}"),
    (f"p99 latency µs @ {rate}/s", lambda b: load(b, "latency")["latencyMicros"]["p99"], "{:,}"),
    ("bytes per idle connection", lambda b: load(b, "memory").get("brokerBytesPerConnection"), "{:,}"),
]
print(f"\nMQTT {protocol}, {pairs} publisher→subscriber pairs, 64-byte payloads, {duration} s per load, {idle} idle connections")
print(f"{'':32}" + "".join(f"{b:>16}" for b in brokers) + ("" if len(brokers) < 2 else f"{'doppel/mosquitto':>20}"))
for name, get, fmt in rows:
    values = [get(b) for b in brokers]
    cells = "".join(f"{(fmt.format(v) if v is not None else '-'):>16}" for v in values)
    ratio = ""
    if len(brokers) == 2 and values[0] and values[1] is not None:
        ratio = f"{values[1] / values[0]:>20.2f}"
    print(f"{name:32}{cells}{ratio}")
for b in brokers:
    for name in ("qos0", "qos1"):
        r = load(b, name)
        if r["received"] < r["expected"]:
            print(f"note: {b} {name}: {r['received']:,} of {r['expected']:,} messages arrived")
PY
