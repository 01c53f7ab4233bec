#!/usr/bin/env bash
# Doppel vs Kuzu on the same generated portfolio, in one run.
#   Benchmarks/query/run.sh [TWINS] [SITES] [WORKDIR]
# Defaults: 1,000,000 twins over 20 sites in a temporary folder. A WORKDIR is kept, and a portfolio
# already generated there is reused.
set -euo pipefail
cd "$(dirname "$0")/../.."
source Benchmarks/kuzu-setup.sh "$@"

if [ ! -f "$work/data/doppel.sqlite" ]; then
    echo "== generating $twins twins over $sites sites"
    "$doppel" sim portfolio --twins "$twins" --sites "$sites" --seed 1 --data "$work/data"
fi
echo "== Doppel"
"$doppel" bench query --data "$work/data" --json > "$work/doppel.json"
echo "== Kuzu"
"$python" Benchmarks/query/compare_kuzu.py --data "$work/data" > "$work/kuzu.json"

python3 - "$work/doppel.json" "$work/kuzu.json" <<'PY'
import json, sys
doppel = {r["name"]: r for r in json.load(open(sys.argv[1]))["results"]}
kuzu_run = json.load(open(sys.argv[2]))
print(f"Kuzu {kuzu_run['kuzuVersion']}: {kuzu_run['nodes']} nodes, {kuzu_run['relationships']} relationships, "
      f"COPY {kuzu_run['copySeconds']:.2f} s ({kuzu_run['copyRowsPerSecond']:.0f} rows/s)")
print(f"{'query':30} {'rows D/K':>12} {'Doppel p50':>11} {'Kuzu p50':>9} {'ratio':>6} {'Doppel p99':>11} {'Kuzu p99':>9}")
for k in kuzu_run["results"]:
    d = doppel[k["name"]]
    print(f"{k['name']:30} {str(d['rows']) + '/' + str(k['rows']):>12} {d['medianMs']:>9.3f}ms {k['medianMs']:>7.3f}ms "
          f"{d['medianMs'] / k['medianMs']:>6.2f} {d['p99Ms']:>9.3f}ms {k['p99Ms']:>7.3f}ms")
PY
