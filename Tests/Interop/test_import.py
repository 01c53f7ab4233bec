"""ADT graph files in through `doppel import` and `POST /v1/imports`: counts, idempotency, dry runs, errors."""

import json
import subprocess
import time
from pathlib import Path

import pytest
import requests

from conftest import DOPPEL

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
GUIDE = SHARED / "adt" / "rec-guide-spatial.json"
ADMIN = "interop-admin-token-0123456789"

needs_shared = pytest.mark.skipif(not GUIDE.exists(), reason=f"shared test data not found at {SHARED}")


def doppel_cli(*args):
    return subprocess.run([DOPPEL, *args], capture_output=True, text=True, timeout=120)


def counts(data):
    rooms = doppel_cli("query", "--data", str(data), "SELECT COUNT() FROM DIGITALTWINS")
    assert rooms.returncode == 0, rooms.stderr
    return json.loads(rooms.stdout)["COUNT"]


@needs_shared
def test_cli_imports_the_guide_graph_idempotently(tmp_path):
    data = tmp_path / "data"
    dry = doppel_cli("import", str(GUIDE), "--data", str(data), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "twins: 7 created" in dry.stdout and "relationships: 6 created" in dry.stdout
    assert counts(data) == 0, "a dry run changes nothing"

    first = doppel_cli("import", str(GUIDE), "--data", str(data))
    assert first.returncode == 0, first.stderr
    assert "models: 8 created" in first.stdout
    assert "twins: 7 created, 0 updated" in first.stdout
    assert "relationships: 6 created, 0 updated" in first.stdout

    again = doppel_cli("import", str(GUIDE), "--data", str(data))
    assert "twins: 0 created, 7 updated" in again.stdout and "models: 0 created" in again.stdout
    assert counts(data) == 7

    rooms = doppel_cli(
        "query", "--data", str(data),
        "SELECT R.$dtId FROM DIGITALTWINS MATCH (L)-[:hasPart]->(R) WHERE L.$dtId = 'UpperFloor'",
    )
    assert rooms.returncode == 0, rooms.stderr
    graph = json.loads(GUIDE.read_text(encoding="utf-8-sig"))["digitalTwinsGraph"]
    expected = sorted(r["$targetId"] for r in graph["relationships"]
                      if r["$sourceId"] == "UpperFloor" and r["$relationshipName"] == "hasPart")
    assert expected, "the guide file has rooms on UpperFloor"
    assert sorted(json.loads(line)["$dtId"] for line in rooms.stdout.splitlines()) == expected


def test_broken_files_name_the_file_and_line_and_import_nothing(tmp_path):
    data = tmp_path / "data"
    broken = tmp_path / "broken.ndjson"
    broken.write_text('{"Section": "Header"}\n{"fileVersion": "1.0.0"}\n{"Section": "Twins"}\n{"$dtId": "a"}\n{"$dtId": "b",\n')
    result = doppel_cli("import", str(broken), "--data", str(data))
    assert result.returncode != 0
    assert f"{broken}:5" in result.stderr

    dangling = tmp_path / "dangling.ndjson"
    dangling.write_text(
        '{"Section": "Header"}\n{"Section": "Twins"}\n{"$dtId": "a"}\n'
        '{"Section": "Relationships"}\n{"$dtId": "a", "$relationshipId": "r", "$targetId": "ghost", "$relationshipName": "feeds"}\n'
    )
    result = doppel_cli("import", str(dangling), "--data", str(data))
    assert result.returncode != 0 and "ghost" in result.stderr
    assert counts(data) == 0, "nothing half-imported"

    unknown = tmp_path / "notes.txt"
    unknown.write_text("hello")
    result = doppel_cli("import", str(unknown), "--data", str(data))
    assert result.returncode != 0 and "--format" in result.stderr


@needs_shared
def test_server_imports_as_a_background_job(doppel, tmp_path):
    server = doppel(args=["--admin-token", ADMIN])
    headers = {"Authorization": f"Bearer {ADMIN}"}
    submitted = requests.post(server.http + "/v1/imports", data=GUIDE.read_bytes(), headers=headers, timeout=30)
    assert submitted.status_code == 202, submitted.text
    job = submitted.json()
    deadline = time.monotonic() + 30
    while job["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.05)
        job = requests.get(server.http + f"/v1/imports/{job['id']}", headers=headers, timeout=10).json()
    assert job["status"] == "succeeded", job
    assert job["summary"]["twinsCreated"] == 7 and job["summary"]["relationshipsCreated"] == 6
    twin = requests.get(server.http + "/v1/twins/UpperFloor", headers=headers, timeout=10).json()
    assert twin["levelNumber"] == 2 and twin["$metadata"]["$model"] == "dtmi:org:w3id:rec:Level;1"

    refused = requests.post(server.http + "/v1/imports?format=adt-ndjson", data=b'{"Section": "Twins"}\n{"$dtId": 5}\n',
                            headers=headers, timeout=30)
    assert refused.status_code == 400 and "body:2" in refused.json()["detail"]

    via_cli = doppel_cli("import", str(GUIDE), "--server", server.http, "--token", ADMIN)
    assert via_cli.returncode == 0, via_cli.stderr
    assert "twins: 0 created, 7 updated" in via_cli.stdout


GBXML = sorted((SHARED / "gbxml").glob("*.xml"))
BRICK = sorted((SHARED / "brick").glob("*.ttl"))


@pytest.mark.skipif(not GBXML or not BRICK, reason=f"shared test data not found at {SHARED}")
def test_gbxml_and_brick_files_import_side_by_side_with_prefixes(tmp_path):
    data = tmp_path / "data"
    # Two gbXML exports reuse ids (aim0002 …): imported together without prefixes they are refused whole.
    clash = doppel_cli("import", *map(str, GBXML), "--data", str(data))
    assert clash.returncode != 0 and "already exists" in clash.stderr
    assert counts(data) == 0

    total = 0
    for index, path in enumerate(GBXML + BRICK):
        result = doppel_cli("import", str(path), "--data", str(data), "--id-prefix", f"f{index}-")
        assert result.returncode == 0, result.stderr
        created = int(result.stdout.split("twins: ")[1].split(" created")[0])
        assert created > 0 and "0 updated" in result.stdout.split("twins: ")[1].split("\n")[0]
        total += created
    assert counts(data) == total

    levels = doppel_cli("query", "--data", str(data),
                        "SELECT L.$dtId FROM DIGITALTWINS L WHERE IS_OF_MODEL(L, 'dtmi:digitaltwins:rec_3_3:core:Level;1', exact)")
    assert levels.returncode == 0 and len(levels.stdout.splitlines()) >= 3  # 2 + 1 storeys in the two gbXML samples


CAMPUS = Path(__file__).resolve().parents[2] / "models" / "doppel-campus.json"


def test_the_shipped_sample_campus_imports_and_answers_queries(doppel, tmp_path):
    server = doppel(args=["--admin-token", ADMIN])
    result = doppel_cli("import", str(CAMPUS), "--server", server.http, "--token", ADMIN)
    assert result.returncode == 0, result.stderr
    graph = json.loads(CAMPUS.read_text())["digitalTwinsGraph"]
    assert f"twins: {len(graph['digitalTwins'])} created" in result.stdout
    assert f"relationships: {len(graph['relationships'])} created" in result.stdout
    fed = requests.post(
        server.http + "/v1/query",
        json={"query": "SELECT R.$dtId FROM DIGITALTWINS MATCH (A)-[:feeds]->(R) WHERE A.$dtId = 'south-l1-ahu'"},
        headers={"Authorization": f"Bearer {ADMIN}"}, timeout=30,
    ).json()["value"]
    assert sorted(item["$dtId"] for item in fed) == ["south-l1-r0", "south-l1-r1", "south-l1-r2"]
