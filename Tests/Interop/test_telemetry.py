"""Telemetry from devices (paho-mqtt on the native dialect) into the log, the series, the twin's last-known
values and the graph query language; replay as NDJSON and live as server-sent events."""

import datetime
import json
import time

import requests

from mqtt_support import Client

ADMIN = "interop-admin-token-0123456789"
SECRET = "telemetry-device-secret"
WAIT = 10  # seconds; an upper bound for polling, not a performance assertion


def headers(**extra):
    return {"Authorization": f"Bearer {ADMIN}", **extra}


def register(server, device):
    response = requests.put(f"{server.http}/v1/devices/{device}", json={"secret": SECRET}, headers=headers(), timeout=WAIT)
    assert response.status_code in (200, 201), response.text


def device(server, device_id):
    client = Client(server.ports["mqtt"], device_id, username=f"default/{device_id}", password=SECRET)
    _, reason, _ = client.connect()
    assert not reason.is_failure, reason
    return client


def replay(server, offset=0, count=None):
    """The log from `offset`, polled until it holds `count` entries (when given)."""
    deadline = time.monotonic() + WAIT
    while True:
        response = requests.get(f"{server.http}/v1/telemetry/stream", params={"fromOffset": offset}, headers=headers(), timeout=WAIT)
        assert response.status_code == 200 and response.headers["Content-Type"].startswith("application/x-ndjson")
        records = [json.loads(line) for line in response.text.splitlines() if line]
        if count is None or len(records) >= count or time.monotonic() > deadline:
            return records
        time.sleep(0.05)


def metric_count(server, outcome):
    text = requests.get(f"{server.http}/metrics", timeout=WAIT).text
    for line in text.splitlines():
        if line.startswith("doppel_telemetry_messages_total") and f'outcome="{outcome}"' in line:
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_telemetry_lands_in_the_log_the_series_the_twin_and_the_query_language(doppel):
    server = doppel(args=["--admin-token", ADMIN])
    register(server, "sensor-1")
    sensor = device(server, "sensor-1")
    # The device's clock is an hour behind: its time is kept, the server's time is authoritative.
    behind = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1)
    for index in range(5):
        payload = {"temperature": 20 + index, "humidity": 40, "status": "ok", "ts": behind.isoformat().replace("+00:00", "Z")}
        sensor.publish("tenant/default/device/sensor-1/telemetry", json.dumps(payload), qos=1)
    records = replay(server, count=5)
    assert [record["telemetry"]["temperature"] for record in records] == [20, 21, 22, 23, 24], "every message, in order"
    assert [record["offset"] for record in records] == sorted(record["offset"] for record in records)
    assert all(record["twin"] == "sensor-1" and "ts" not in record["telemetry"] for record in records)
    received = datetime.datetime.fromisoformat(records[0]["receivedAt"].replace("Z", "+00:00"))
    assert abs((received - datetime.datetime.now(datetime.timezone.utc)).total_seconds()) < 300, "on the server's timeline"
    assert records[0]["deviceTime"].startswith(behind.strftime("%Y-%m-%dT%H"))

    last = requests.get(f"{server.http}/v1/twins/sensor-1/telemetry", headers=headers(), timeout=WAIT).json()
    assert last["values"] == {"temperature": 24, "humidity": 40, "status": "ok"}
    assert 3_500_000 < last["skewMillis"] < 3_700_000, "the hour of skew is visible"

    raw = requests.get(f"{server.http}/v1/twins/sensor-1/telemetry", params={"metric": "temperature"}, headers=headers(), timeout=WAIT).json()
    assert raw["source"] == "raw" and [point["value"] for point in raw["points"]] == [20, 21, 22, 23, 24]
    per_minute = requests.get(f"{server.http}/v1/twins/sensor-1/telemetry",
                              params={"metric": "temperature", "interval": "1h", "aggregate": "max"}, headers=headers(), timeout=WAIT).json()
    assert per_minute["source"] == "rollup-1h" and max(point["value"] for point in per_minute["points"]) == 24
    counted = requests.get(f"{server.http}/v1/twins/sensor-1/telemetry",
                           params={"metric": "temperature", "interval": "1d", "aggregate": "count"}, headers=headers(), timeout=WAIT).json()
    assert sum(point["value"] for point in counted["points"]) == 5
    odd = requests.get(f"{server.http}/v1/twins/sensor-1/telemetry",
                       params={"metric": "temperature", "interval": "7s", "aggregate": "avg"}, headers=headers(), timeout=WAIT).json()
    assert odd["source"] == "raw" and sum(point["value"] for point in odd["points"]) > 0

    query = requests.post(f"{server.http}/v1/query", headers=headers(),
                          json={"query": "SELECT T.$dtId FROM DIGITALTWINS T WHERE T.telemetry.temperature > 23"}, timeout=WAIT).json()
    assert query["value"] == [{"$dtId": "sensor-1"}]

    for bad in ("not json", "[1, 2]", '{"ts": "yesterday", "t": 1}', "{}"):
        sensor.publish("tenant/default/device/sensor-1/telemetry", bad, qos=1)
    deadline = time.monotonic() + WAIT
    while metric_count(server, "invalid") < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert metric_count(server, "invalid") == 4 and metric_count(server, "stored") == 5
    assert len(replay(server)) == 5, "nothing of the bad messages was stored"

    for params, detail in (({"metric": "temperature", "interval": "fortnight"}, "interval"),
                           ({"metric": "temperature", "aggregate": "max"}, "aggregate needs an interval"),
                           ({"metric": "temperature", "interval": "1m", "aggregate": "median"}, "aggregate must be"),
                           ({"metric": "temperature", "from": "later"}, "from must be")):
        response = requests.get(f"{server.http}/v1/twins/sensor-1/telemetry", params=params, headers=headers(), timeout=WAIT)
        assert response.status_code == 400 and detail in response.json()["detail"], response.text
    sensor.close()


def test_the_live_stream_replays_then_follows_and_resumes_from_the_last_event_id(doppel):
    server = doppel(args=["--admin-token", ADMIN])
    register(server, "sensor-2")
    sensor = device(server, "sensor-2")
    sensor.publish("tenant/default/device/sensor-2/telemetry", json.dumps({"power": 1}), qos=1)
    first = replay(server, count=1)[0]

    with requests.get(f"{server.http}/v1/telemetry/stream", params={"fromOffset": first["offset"]},
                      headers=headers(Accept="text/event-stream"), stream=True, timeout=WAIT) as live:
        assert live.headers["Content-Type"].startswith("text/event-stream")
        lines = live.iter_lines(decode_unicode=True)
        events = []

        def next_event():
            event = {}
            for line in lines:
                if not line:
                    return event
                field, _, value = line.partition(": ")
                event[field] = value
            return event

        events.append(next_event())
        sensor.publish("tenant/default/device/sensor-2/telemetry", json.dumps({"power": 2}), qos=1)
        events.append(next_event())
    assert [json.loads(event["data"])["telemetry"]["power"] for event in events] == [1, 2]
    assert int(events[1]["id"]) > int(events[0]["id"])

    with requests.get(f"{server.http}/v1/telemetry/stream", headers=headers(Accept="text/event-stream", **{"Last-Event-ID": events[0]["id"]}),
                      stream=True, timeout=WAIT) as resumed:
        line = next(line for line in resumed.iter_lines(decode_unicode=True) if line.startswith("data: "))
    assert json.loads(line[6:])["telemetry"]["power"] == 2, "resumed after the last event seen"
    sensor.close()


def test_past_the_queue_bound_new_telemetry_is_dropped_and_counted(doppel):
    """A queue of 5 messages and a burst of 3,000 QoS 0 messages from one device: what does not fit is
    dropped, and the counters account for every message."""
    server = doppel(args=["--admin-token", ADMIN, "--telemetry-queue", "5"])
    register(server, "sensor-3")
    sensor = device(server, "sensor-3")
    burst = 3_000
    for index in range(burst):
        sensor.client.publish("tenant/default/device/sensor-3/telemetry", json.dumps({"n": index}), qos=0)
    sensor.publish("tenant/default/device/sensor-3/telemetry", json.dumps({"n": "last"}), qos=1)  # acknowledged after the burst
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        stored, dropped = metric_count(server, "stored"), metric_count(server, "queue_full")
        if stored + dropped == burst + 1:
            break
        time.sleep(0.05)
    assert stored + dropped == burst + 1, (stored, dropped)
    assert dropped > 0, "the burst overflowed the queue"
    log = replay(server)
    assert len(log) == stored, "what was counted as stored is in the log"
    numbers = [record["telemetry"]["n"] for record in log if record["telemetry"]["n"] != "last"]
    assert numbers == sorted(numbers), "what was stored kept its order"
    sensor.close()


def test_retention_downsamples_raw_points_into_the_archive_and_keeps_the_rollups(doppel):
    import gzip
    server = doppel(args=["--admin-token", ADMIN, "--simulated-clock"])
    settings = requests.patch(f"{server.http}/v1/tenant", headers=headers(), timeout=WAIT, json={"telemetry": {
        "rawRetention": "1h", "downsampling": [{"metric": "temperature", "deadband": 0.5}]}}).json()
    assert settings["telemetry"] == {"rawRetention": "1h", "rollupRetention": "400d",
                                     "downsampling": [{"metric": "temperature", "deadband": 0.5}]}
    register(server, "sensor-4")
    sensor = device(server, "sensor-4")
    values = [20, 20.2, 20.4, 21, 21.1, 25]
    for value in values:
        sensor.publish("tenant/default/device/sensor-4/telemetry", json.dumps({"temperature": value}), qos=1)
    assert len(replay(server, count=len(values))) == len(values)

    advanced = requests.post(f"{server.http}/v1/clock", json={"advance": "2h"}, headers=headers(), timeout=WAIT)
    assert advanced.status_code == 200
    archive = server.data_dir / "archive" / "default"
    deadline = time.monotonic() + WAIT
    segments = []
    while not segments and time.monotonic() < deadline:
        segments = sorted(archive.glob("*/*/*/points-*.ndjson.gz"))
        time.sleep(0.05)
    assert len(segments) == 1, segments
    year, month, day = segments[0].parts[-4:-1]
    assert len(year) == 4 and len(month) == 2 and len(day) == 2, "archive/{tenant}/{yyyy}/{mm}/{dd}/"
    lines = [json.loads(line) for line in gzip.decompress(segments[0].read_bytes()).decode().splitlines()]
    assert [line["value"] for line in lines] == [20, 21, 25], "within 0.5 of the last kept value is dropped"
    assert {line["twin"] for line in lines} == {"sensor-4"} and {line["metric"] for line in lines} == {"temperature"}

    deadline = time.monotonic() + WAIT
    while replay(server) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert replay(server) == [], "the log keeps raw data for its retention only"
    day_ago = str(int(time.time() * 1000) - 86_400_000)
    future = str(int(time.time() * 1000) + 86_400_000)
    raw = requests.get(f"{server.http}/v1/twins/sensor-4/telemetry", params={"metric": "temperature", "from": day_ago, "to": future},
                       headers=headers(), timeout=WAIT).json()
    assert raw["points"] == []
    hourly = requests.get(f"{server.http}/v1/twins/sensor-4/telemetry", timeout=WAIT, headers=headers(), params={
        "metric": "temperature", "from": day_ago, "to": future, "interval": "1h", "aggregate": "count"}).json()
    assert sum(point["value"] for point in hourly["points"]) == len(values), "rollups outlive raw data"

    bad = requests.patch(f"{server.http}/v1/tenant", json={"telemetry": {"rawRetention": "10s"}}, headers=headers(), timeout=WAIT)
    assert bad.status_code == 400 and "telemetry.rawRetention" in bad.json()["detail"]
    sensor.close()


def test_durable_ingest_acknowledges_qos1_telemetry_only_once_it_is_committed(doppel):
    import paho.mqtt.client as mqtt
    server = doppel(args=["--admin-token", ADMIN, "--durable-ingest"])
    register(server, "sensor-5")
    acks = {}

    def on_publish(client, userdata, mid, reason_code, properties):
        acks[mid] = reason_code

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="sensor-5", protocol=mqtt.MQTTv5)
    client.username_pw_set("default/sensor-5", SECRET)
    client.on_publish = on_publish
    client.connect("127.0.0.1", server.ports["mqtt"])
    client.loop_start()
    try:
        for index in range(3):
            info = client.publish("tenant/default/device/sensor-5/telemetry", json.dumps({"n": index}), qos=1)
            info.wait_for_publish(WAIT)
            assert acks[info.mid] == 0, acks[info.mid]
            # Acknowledged means committed: the entry is there at once, no polling.
            records = replay(server)
            assert records[-1]["telemetry"] == {"n": index}
        bad = client.publish("tenant/default/device/sensor-5/telemetry", "not json", qos=1)
        bad.wait_for_publish(WAIT)
        assert acks[bad.mid] == 0x99, "payload format invalid, in the PUBACK"
        assert len(replay(server)) == 3
    finally:
        client.loop_stop()
        client.disconnect()

    # 3.1.1 has no negative PUBACK: the device is disconnected, and sends the message again after reconnecting.
    old = Client(server.ports["mqtt"], "sensor-5", version=4, username="default/sensor-5", password=SECRET)
    _, reason, _ = old.connect()
    assert not reason.is_failure
    old.client.publish("tenant/default/device/sensor-5/telemetry", "not json", qos=1)
    deadline = time.monotonic() + WAIT
    while old.client.is_connected() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not old.client.is_connected()
    old.client.loop_stop()
