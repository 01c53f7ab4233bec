#!/usr/bin/env bash
# Doppel's import of a generated portfolio's ADT bulk NDJSON file vs Kuzu's COPY of the same graph, in one run.
#   Benchmarks/import/run.sh [TWINS] [SITES] [WORKDIR]
# Defaults: 1,000,000 twins over 20 sites in a temporary folder. A WORKDIR is kept, and its NDJSON file reused.
set -euo pipefail
cd "$(dirname "$0")/../.."
source Benchmarks/kuzu-setup.sh "$@"

echo "== Doppel: doppel bench import --twins $twins --sites $sites"
"$doppel" bench import --twins "$twins" --sites "$sites" --work "$work" --json > "$work/doppel-import.json"
echo "== Kuzu: COPY of the same twins and relationships (read back from Doppel's store as CSV first, untimed)"
"$python" Benchmarks/query/compare_kuzu.py --data "$work/data" --copy-only > "$work/kuzu-import.json"

python3 - "$work/doppel-import.json" "$work/kuzu-import.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
k = json.load(open(sys.argv[2]))
rows = d["twins"] + d["relationships"]
print(f"graph: {d['twins']} twins, {d['relationships']} relationships ({rows} rows); file {d['fileBytes'] / 1e6:.0f} MB")
print(f"Doppel: {d['totalSeconds']:.2f} s ({d['readSeconds']:.2f} s reading and parsing the file, "
      f"{d['storeSeconds']:.2f} s validating and storing) = {d['rowsPerSecond']:.0f} rows/s, "
      f"peak RSS {d['peakResidentBytes'] / 2**20:.0f} MiB")
print(f"Kuzu {k['kuzuVersion']}: COPY {k['copySeconds']:.2f} s = {k['copyRowsPerSecond']:.0f} rows/s "
      f"({k['nodes']} nodes, {k['relationships']} relationships)")
print(f"ratio (Doppel rate / Kuzu rate): {d['rowsPerSecond'] / k['copyRowsPerSecond']:.2f}")
PY
