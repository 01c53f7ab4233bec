"""The graph query language end to end: a generated portfolio, POST /v1/query over HTTP, `doppel query`."""

import json
import subprocess

import requests

from conftest import DOPPEL

ADMIN = "interop-admin-token-0123456789"
LEVEL_SENSORS = (
    "SELECT S FROM DIGITALTWINS MATCH (L)-[:hasPart]->(R)-[:isLocationOf]->(S) "
    "WHERE L.$dtId = 's0-b0-l1' AND IS_OF_MODEL(S, 'dtmi:digitaltwins:rec_3_3:device:TemperatureSensor;1')"
)


def portfolio(tmp_path):
    data = tmp_path / "data"
    subprocess.run(
        [DOPPEL, "sim", "portfolio", "--twins", "3000", "--sites", "1", "--seed", "3", "--data", str(data)],
        check=True, capture_output=True, text=True, timeout=120,
    )
    return data


def query(server, text, token=ADMIN, continuation=None):
    return requests.post(
        server.http + "/v1/query",
        json={"query": text, "continuationToken": continuation},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )


def test_queries_over_http_page_and_report_errors_precisely(doppel, tmp_path):
    server = doppel(portfolio(tmp_path), args=["--admin-token", ADMIN])

    response = query(server, LEVEL_SENSORS)
    assert response.status_code == 200, response.text
    sensors = response.json()["value"]
    # 20 rooms on a level, one temperature sensor of each room's first and fourth slot.
    assert len(sensors) == 40
    assert all(item["S"]["$metadata"]["$model"].endswith("TemperatureSensor;1") for item in sensors)

    # Paging: 100 per page, the token continues the same query.
    first = query(server, "SELECT T.$dtId FROM DIGITALTWINS T WHERE STARTSWITH(T.$dtId, 's0-b0-l0')").json()
    assert len(first["value"]) == 100 and "continuationToken" in first
    second = query(server, "SELECT T.$dtId FROM DIGITALTWINS T WHERE STARTSWITH(T.$dtId, 's0-b0-l0')",
                   continuation=first["continuationToken"]).json()
    ids = [item["$dtId"] for item in first["value"] + second["value"]]
    assert len(ids) == len(set(ids))

    broken = query(server, "SELECT * FROM DIGITALTWINS T WHERE T.$dtId = ")
    assert broken.status_code == 400
    assert broken.headers["content-type"] == "application/problem+json"
    assert "position" in broken.json()["detail"]

    injected = query(server, "SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'x\\' OR 1=1; DROP TABLE twin; --'")
    assert injected.status_code == 200 and injected.json()["value"] == [], "the quote is data, not SQL"
    assert len(query(server, LEVEL_SENSORS).json()["value"]) == 40, "the graph is intact"


def test_cli_queries_a_server_and_a_data_directory(doppel, tmp_path):
    data = portfolio(tmp_path)
    server = doppel(data, args=["--admin-token", ADMIN])
    via_server = subprocess.run(
        [DOPPEL, "query", "--server", server.http, "--token", ADMIN, LEVEL_SENSORS],
        capture_output=True, text=True, timeout=60,
    )
    assert via_server.returncode == 0, via_server.stderr
    assert len(via_server.stdout.splitlines()) == 40

    via_data = subprocess.run(
        [DOPPEL, "query", "--data", str(data), "--format", "table",
         "SELECT COUNT() FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, 'dtmi:digitaltwins:rec_3_3:core:Room;1')"],
        capture_output=True, text=True, timeout=60,
    )
    assert via_data.returncode == 0, via_data.stderr
    assert "(1 rows)" in via_data.stdout

    refused = subprocess.run([DOPPEL, "query", "--data", str(data), "SELECT FROM"], capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "position" in refused.stderr
    unauthorized = subprocess.run(
        [DOPPEL, "query", "--server", server.http, "--token", "wrong-token", LEVEL_SENSORS],
        capture_output=True, text=True, timeout=60,
    )
    assert unauthorized.returncode != 0 and "not valid" in unauthorized.stderr
