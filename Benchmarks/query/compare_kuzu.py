"""Kuzu side of `doppel bench query`: loads the same portfolio into Kuzu and times the equivalent Cypher.

Reads twins and relationships straight from a Doppel data directory (so both engines hold the same graph),
bulk-loads them with Kuzu's COPY (timed: the import comparison), runs each query like `doppel bench query`
does, and prints one JSON object.

    python compare_kuzu.py --data DIR [--iterations 200] [--warmup 20] [--copy-only]
"""

import argparse
import csv
import json
import os
import sqlite3
import statistics
import tempfile
import time

import kuzu

QUERIES = [
    ("point lookup", "MATCH (t:Twin {id: 's0-b0-l5-r7-x0'}) RETURN t.*"),
    (
        "level sensors > 30 (2 hops)",
        "MATCH (l:Twin {id: 's0-b0-l5'})-[:hasPart]->(r:Twin)-[:isLocationOf]->(s:Twin) "
        "WHERE s.temperature > 30 RETURN s.*",
    ),
    (
        "building hot sensors (3 hops)",
        "MATCH (b:Twin {id: 's0-b0'})-[:hasPart]->(l:Twin)-[:hasPart]->(r:Twin)-[:isLocationOf]->(s:Twin) "
        "WHERE s.temperature > 30 RETURN s.id",
    ),
    (
        "devices per building",
        "MATCH (c:Twin {id: 's0'})-[:includes]->(b:Twin)-[:hasPart]->(l:Twin)-[:hasPart]->(r:Twin)-[:isLocationOf]->(s:Twin) "
        "RETURN b.id AS building, s.model AS model, COUNT(*) AS devices",
    ),
    (
        "10-hop meter chain",
        "MATCH (b:Twin {id: 's0-b0'})-[:isLocationOf|:feeds*10..10]->(m:Twin) RETURN m.id",
    ),
]

REL_NAMES = ["includes", "hasPart", "isLocationOf", "feeds"]


def export(data_dir, out_dir):
    """Writes nodes.csv and one CSV per relationship name from the Doppel store."""
    db = sqlite3.connect(os.path.join(data_dir, "doppel.sqlite"))
    nodes = os.path.join(out_dir, "nodes.csv")
    count_nodes = 0
    with open(nodes, "w", newline="") as f:
        writer = csv.writer(f)
        for twin_id, model, reported in db.execute("SELECT id, model, reported FROM twin WHERE tenant = 'default'"):
            temperature = json.loads(reported).get("temperature")
            writer.writerow([twin_id, model or "", "" if temperature is None else temperature])
            count_nodes += 1
    count_rels = 0
    for name in REL_NAMES:
        with open(os.path.join(out_dir, f"{name}.csv"), "w", newline="") as f:
            writer = csv.writer(f)
            for source, target in db.execute(
                "SELECT s.id, t.id FROM relationship r JOIN twin s ON s.pk = r.source JOIN twin t ON t.pk = r.target "
                "WHERE r.name = ?",
                (name,),
            ):
                writer.writerow([source, target])
                count_rels += 1
    return count_nodes, count_rels


def load(conn, csv_dir):
    conn.execute("CREATE NODE TABLE Twin(id STRING, model STRING, temperature DOUBLE, PRIMARY KEY(id))")
    for name in REL_NAMES:
        conn.execute(f"CREATE REL TABLE {name}(FROM Twin TO Twin)")
    start = time.perf_counter()
    conn.execute(f"COPY Twin FROM '{os.path.join(csv_dir, 'nodes.csv')}' (HEADER=false)")
    for name in REL_NAMES:
        conn.execute(f"COPY {name} FROM '{os.path.join(csv_dir, name + '.csv')}' (HEADER=false)")
    return time.perf_counter() - start


def run(conn, query):
    result = conn.execute(query)
    rows = 0
    while result.has_next():
        result.get_next()
        rows += 1
    return rows


def percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round((len(ordered) - 1) * fraction))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--copy-only", action="store_true", help="time the bulk load only (the import comparison)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as work:
        nodes, rels = export(args.data, work)
        database = kuzu.Database(os.path.join(work, "kuzu"))
        conn = kuzu.Connection(database)
        load_seconds = load(conn, work)
        results = []
        for name, query in [] if args.copy_only else QUERIES:
            rows = 0
            for _ in range(args.warmup):
                rows = run(conn, query)
            samples = []
            for _ in range(args.iterations):
                start = time.perf_counter()
                run(conn, query)
                samples.append((time.perf_counter() - start) * 1000)
            results.append(
                {"name": name, "query": query, "rows": rows, "iterations": args.iterations,
                 "medianMs": statistics.median(samples), "p99Ms": percentile(samples, 0.99)}
            )
    print(json.dumps({
        "benchmark": "kuzu", "kuzuVersion": kuzu.__version__, "nodes": nodes, "relationships": rels,
        "copySeconds": load_seconds, "copyRowsPerSecond": (nodes + rels) / load_seconds, "results": results,
    }))


if __name__ == "__main__":
    main()
