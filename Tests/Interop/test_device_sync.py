"""Devices on the native dialect: registry credentials at CONNECT, topic ACL, reported patches, twin reads,
desired deltas pushed on change and when a device (re)subscribes, connection state — paho-mqtt and real HTTP."""

import json
import time

import requests
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from mqtt_support import WAIT, Client

ADMIN = "interop-admin-token-0123456789"
SECRET = "device-secret-42"


def headers():
    return {"Authorization": f"Bearer {ADMIN}"}


def register(server, device, **body):
    response = requests.put(f"{server.http}/v1/devices/{device}", json={"secret": SECRET, **body}, headers=headers(), timeout=WAIT)
    assert response.status_code in (200, 201), response.text
    return response.json()


def device_client(server, device, secret=SECRET, client_id=None, version=5, clean=True, expiry=None):
    client = Client(server.ports["mqtt"], client_id or device, version=version, clean=clean, expiry=expiry,
                    username=f"default/{device}", password=secret)
    return client


def connect_reason(client):
    client.client.connect("127.0.0.1", client.port, keepalive=30)
    client.client.loop_start()
    _, reason, _ = client.connack.get(timeout=WAIT)
    client.client.loop_stop()
    return int(reason.value)


def prefix(device):
    return f"tenant/default/device/{device}/"


def test_devices_connect_with_their_registered_secret_only(doppel):
    server = doppel(args=["--admin-token", ADMIN])
    register(server, "d1")
    assert connect_reason(device_client(server, "d1", secret="wrong")) == 0x86  # bad user name or password
    assert connect_reason(device_client(server, "ghost")) == 0x86
    assert connect_reason(device_client(server, "d1", client_id="someone-else")) == 0x85  # client id must be the device
    register(server, "d2", status="disabled")
    assert connect_reason(device_client(server, "d2")) == 0x87  # disabled devices are refused

    client = device_client(server, "d1")
    _, reason, _ = client.connect()
    assert int(reason.value) == 0
    assert [int(c.value) for c in client.subscribe(prefix("d1") + "twin/#", qos=1)] == [1]
    assert [int(c.value) for c in client.subscribe(prefix("d2") + "twin/#", qos=1)] == [0x87], "another device's topics"
    assert [int(c.value) for c in client.subscribe("#", qos=1)] == [0x87]
    connection = requests.get(f"{server.http}/v1/devices/d1/connection", headers=headers(), timeout=WAIT).json()
    deadline = time.monotonic() + WAIT
    while connection["connectionState"] != "connected" and time.monotonic() < deadline:
        time.sleep(0.05)
        connection = requests.get(f"{server.http}/v1/devices/d1/connection", headers=headers(), timeout=WAIT).json()
    assert connection["connectionState"] == "connected"
    client.close()
    while connection["connectionState"] != "disconnected" and time.monotonic() < deadline:
        time.sleep(0.05)
        connection = requests.get(f"{server.http}/v1/devices/d1/connection", headers=headers(), timeout=WAIT).json()
    assert connection["connectionState"] == "disconnected"


def test_reported_patches_and_twin_reads_get_replies(doppel):
    server = doppel(args=["--admin-token", ADMIN])
    register(server, "d1")
    device = device_client(server, "d1", version=3)
    device.connect()
    device.subscribe(prefix("d1") + "twin/res/#", qos=1)
    device.publish(prefix("d1") + "twin/reported?rid=7", json.dumps({"temp": 21.5, "fw": "1.2"}).encode(), qos=1)
    [reply] = device.receive(1)
    assert reply.topic == prefix("d1") + "twin/res/200?rid=7"
    assert json.loads(reply.payload) == {"version": 1}
    state = requests.get(f"{server.http}/v1/twins/d1/state", headers=headers(), timeout=WAIT).json()
    assert state["reported"]["temp"] == 21.5 and state["reported"]["fw"] == "1.2"

    device.publish(prefix("d1") + "twin/reported?rid=8", b"{not json", qos=1)
    [bad] = device.receive(1)
    assert bad.topic == prefix("d1") + "twin/res/400?rid=8"
    assert json.loads(bad.payload)["status"] == 400
    device.close()

    # MQTT 5: the reply goes to the response topic with the correlation data.
    v5 = device_client(server, "d1")
    v5.connect()
    v5.subscribe(prefix("d1") + "replies/#", qos=1)
    properties = Properties(PacketTypes.PUBLISH)
    properties.ResponseTopic = prefix("d1") + "replies/get"
    properties.CorrelationData = b"corr-1"
    v5.publish(prefix("d1") + "twin/get", b"", qos=1, properties=properties)
    [answer] = v5.receive(1)
    assert answer.topic == prefix("d1") + "replies/get"
    assert answer.properties.CorrelationData == b"corr-1"
    assert ("status", "200") in answer.properties.UserProperty
    twin = json.loads(answer.payload)
    assert twin["reported"] == {"temp": 21.5, "fw": "1.2"} and twin["reportedVersion"] == 1
    v5.close()


def test_desired_changes_reach_online_devices_and_devices_that_come_back(doppel):
    server = doppel(args=["--admin-token", ADMIN])
    register(server, "d1")
    device = device_client(server, "d1")
    device.connect()
    device.subscribe(prefix("d1") + "twin/desired", qos=1)
    patched = requests.patch(f"{server.http}/v1/twins/d1/state/desired", data=json.dumps({"fan": "high"}),
                             headers={**headers(), "Content-Type": "application/merge-patch+json"}, timeout=WAIT)
    assert patched.status_code == 200, patched.text
    [delta] = device.receive(1)
    assert json.loads(delta.payload) == {"version": 1, "state": {"fan": "high"}}
    device.publish(prefix("d1") + "twin/reported", json.dumps({"fan": "high"}).encode(), qos=1)
    device.close()

    # Offline: the desired change waits in the store; the delta goes out when the device subscribes again.
    requests.patch(f"{server.http}/v1/twins/d1/state/desired", data=json.dumps({"mode": "eco"}),
                   headers={**headers(), "Content-Type": "application/merge-patch+json"}, timeout=WAIT)
    again = device_client(server, "d1")
    again.connect()
    again.subscribe(prefix("d1") + "twin/desired", qos=1)
    [pending] = again.receive(1)
    assert json.loads(pending.payload) == {"version": 2, "state": {"mode": "eco"}}, "only what differs from reported"
    again.close()

    # A persistent session resumed: its subscription becomes active again, and the delta is pushed.
    persistent = device_client(server, "d1", clean=False, expiry=600)
    persistent.connect()
    persistent.subscribe(prefix("d1") + "twin/desired", qos=1)
    persistent.receive(1)
    persistent.close()
    requests.patch(f"{server.http}/v1/twins/d1/state/desired", data=json.dumps({"mode": "boost"}),
                   headers={**headers(), "Content-Type": "application/merge-patch+json"}, timeout=WAIT)
    resumed = device_client(server, "d1", clean=False, expiry=600)
    flags, _, _ = resumed.connect()
    assert flags.session_present
    payloads = [json.loads(message.payload) for message in resumed.receive(2, timeout=3)]
    assert payloads and payloads[-1] == {"version": 3, "state": {"mode": "boost"}}
    resumed.close()


def test_commands_over_http_reach_the_device_and_return_its_answer(doppel):
    server = doppel(args=["--admin-token", ADMIN])
    register(server, "d1")
    register(server, "d2")
    received = []

    def answer(client, userdata, message):
        received.append(message)
        if "/commands/reboot" in message.topic:
            rid = message.topic.split("?rid=")[1]
            client.publish(prefix("d1") + f"commands/res/200?rid={rid}", json.dumps({"ok": True}), qos=1)
        elif "/commands/blink" in message.topic and message.properties.ResponseTopic:
            properties = Properties(PacketTypes.PUBLISH)
            properties.CorrelationData = message.properties.CorrelationData
            properties.UserProperty = [("status", "202")]
            client.publish(message.properties.ResponseTopic, json.dumps({"blinking": True}), qos=1, properties=properties)
        # "slow" is never answered

    device = device_client(server, "d1")
    device.connect()
    device.client.on_message = answer
    device.subscribe(prefix("d1") + "commands/#", qos=1)

    def command(device_id, name, **body):
        return requests.post(f"{server.http}/v1/twins/{device_id}/commands/{name}", json=body, headers=headers(), timeout=WAIT)

    rebooted = command("d1", "reboot", payload={"delay": 5})
    assert rebooted.status_code == 200, rebooted.text
    assert {k: v for k, v in rebooted.json().items() if k != "id"} == {"status": 200, "payload": {"ok": True}}
    assert json.loads(received[0].payload) == {"delay": 5}

    blinked = command("d1", "blink")
    assert blinked.json()["status"] == 202 and blinked.json()["payload"] == {"blinking": True}, "MQTT 5 response topic and correlation data"

    slow = command("d1", "slow", timeoutSeconds=1)
    assert slow.status_code == 504 and slow.json()["type"].endswith("/command-timeout")
    offline = command("d2", "reboot")
    assert offline.status_code == 404 and offline.json()["type"].endswith("/device-offline")
    bad = command("d1", "reboot", timeoutSeconds=0)
    assert bad.status_code == 400
    device.close()

    history = requests.get(f"{server.http}/v1/twins/d1/commands", headers=headers(), timeout=WAIT).json()["value"]
    assert [(c["name"], c["status"]) for c in history] == [("slow", "timedOut"), ("blink", "completed"), ("reboot", "completed")]
    assert history[2]["id"] == rebooted.json()["id"] and history[2]["reply"] == {"status": 200, "payload": {"ok": True}}
    assert history[2]["payload"] == {"delay": 5} and history[2]["requestedBy"].startswith("token:")
    assert [c["status"] for c in requests.get(f"{server.http}/v1/twins/d2/commands", headers=headers(), timeout=WAIT).json()["value"]] \
        == ["offline"]


def test_queued_commands_wait_for_the_device_and_expire_after_their_time_to_live(doppel):
    server = doppel(args=["--admin-token", ADMIN])
    register(server, "d3")

    def queue(name, **body):
        response = requests.post(f"{server.http}/v1/twins/d3/commands/{name}", json={"queue": True, **body},
                                 headers=headers(), timeout=WAIT)
        assert response.status_code == 202, response.text
        assert response.headers["Location"] == f"/v1/twins/d3/commands/{response.json()['id']}"
        return response.json()

    def status(command):
        response = requests.get(f"{server.http}/v1/twins/d3/commands/{command['id']}", headers=headers(), timeout=WAIT)
        assert response.status_code == 200, response.text
        return response.json()

    stale = queue("wipe", ttlSeconds=1)
    first = queue("reboot", payload={"delay": 1}, ttlSeconds=600)
    second = queue("blink", ttlSeconds=600)
    assert first["status"] == "queued" and "expiresAt" in first
    time.sleep(1.5)  # past the stale command's time to live
    assert status(stale)["status"] == "expired"
    assert status(first)["status"] == "queued"

    received = []

    def answer(client, userdata, message):
        received.append(message.topic)
        rid = message.topic.split("?rid=")[1]
        client.publish(prefix("d3") + f"commands/res/200?rid={rid}", json.dumps({"done": message.topic.split("/")[-1]}), qos=1)

    device = device_client(server, "d3")
    device.connect()
    device.client.on_message = answer
    device.subscribe(prefix("d3") + "commands/+", qos=1)  # not commands/res/…, its own replies
    deadline = time.monotonic() + WAIT
    while status(second)["status"] != "completed" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [topic.split("/")[-1].split("?")[0] for topic in received] == ["reboot", "blink"], "oldest first, the expired one never"
    done = status(first)
    assert done["status"] == "completed" and done["reply"]["status"] == 200 and "deliveredAt" in done and "completedAt" in done
    assert status(stale)["status"] == "expired"

    # Queued while the device listens: delivered at once.
    third = queue("ping")
    deadline = time.monotonic() + WAIT
    while status(third)["status"] != "completed" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert status(third)["status"] == "completed"
    device.close()

    refused = requests.post(f"{server.http}/v1/twins/d3/commands/x", json={"ttlSeconds": 5}, headers=headers(), timeout=WAIT)
    assert refused.status_code == 400 and "queued commands only" in refused.json()["detail"]
    missing = requests.get(f"{server.http}/v1/twins/d3/commands/nope", headers=headers(), timeout=WAIT)
    assert missing.status_code == 404


def test_a_device_offline_through_three_desired_changes_gets_one_delta_with_the_latest_state(doppel):
    server = doppel(args=["--admin-token", ADMIN])
    register(server, "d1")
    device = device_client(server, "d1", clean=False, expiry=600)
    device.connect()
    device.subscribe(prefix("d1") + "twin/desired", qos=1)
    device.close()
    for speed in ("low", "medium", "high"):
        changed = requests.patch(f"{server.http}/v1/twins/d1/state/desired", data=json.dumps({"fan": speed}),
                                 headers={**headers(), "Content-Type": "application/merge-patch+json"}, timeout=WAIT)
        assert changed.status_code == 200
    back = device_client(server, "d1", clean=False, expiry=600)
    flags, _, _ = back.connect()
    assert flags.session_present
    [delta] = back.receive(1)
    assert json.loads(delta.payload) == {"version": 3, "state": {"fan": "high"}}
    assert back.nothing_more(1.0), "exactly one delta"
    back.close()


def test_a_device_that_reports_the_desired_value_converges(doppel):
    server = doppel(args=["--admin-token", ADMIN])
    register(server, "d1")
    requests.patch(f"{server.http}/v1/twins/d1/state/desired", data=json.dumps({"fan": "high"}),
                   headers={**headers(), "Content-Type": "application/merge-patch+json"}, timeout=WAIT)
    before = requests.get(f"{server.http}/v1/twins/d1/state", headers=headers(), timeout=WAIT).json()
    assert before["delta"] == {"fan": "high"} and before["convergence"] == {"convergedAt": None, "keys": {}}
    device = device_client(server, "d1", version=3)
    device.connect()
    device.subscribe(prefix("d1") + "twin/res/#", qos=1)
    device.publish(prefix("d1") + "twin/reported?rid=1", json.dumps({"fan": "high"}).encode(), qos=1)
    [reply] = device.receive(1)
    assert reply.topic.startswith(prefix("d1") + "twin/res/200")
    after = requests.get(f"{server.http}/v1/twins/d1/state", headers=headers(), timeout=WAIT).json()
    assert after["delta"] == {}
    converged = after["convergence"]
    assert converged["convergedAt"] == converged["keys"]["fan"] == after["metadata"]["reported"]["fan"]["$lastUpdated"]
    device.close()


def test_a_device_says_which_desired_keys_it_cannot_apply(doppel):
    server = doppel(args=["--admin-token", ADMIN])
    register(server, "d1")

    def set_desired(patch):
        response = requests.patch(f"{server.http}/v1/twins/d1/state/desired", data=json.dumps(patch),
                                  headers={**headers(), "Content-Type": "application/merge-patch+json"}, timeout=WAIT)
        assert response.status_code == 200, response.text

    def state():
        return requests.get(f"{server.http}/v1/twins/d1/state", headers=headers(), timeout=WAIT).json()

    set_desired({"fan": "turbo", "mode": "eco"})
    device = device_client(server, "d1", version=3)
    device.connect()
    device.subscribe(prefix("d1") + "twin/res/#", qos=1)
    device.publish(prefix("d1") + "twin/rejected?rid=1", json.dumps({"fan": "this fan has no turbo"}).encode(), qos=1)
    [reply] = device.receive(1)
    assert reply.topic == prefix("d1") + "twin/res/200?rid=1" and json.loads(reply.payload) == {"rejected": ["fan"]}
    rejected = state()["rejected"]
    assert list(rejected) == ["fan"] and rejected["fan"]["reason"] == "this fan has no turbo"
    assert rejected["fan"]["desiredVersion"] == 1

    device.publish(prefix("d1") + "twin/rejected?rid=2", json.dumps({"colour": "no"}).encode(), qos=1)
    [unknown] = device.receive(1)
    assert unknown.topic == prefix("d1") + "twin/res/400?rid=2"

    set_desired({"fan": "high"})  # the operator changes the key: the rejection lapses
    assert state()["rejected"] == {}
    device.close()


def test_a_queued_command_survives_a_restart_and_reaches_the_device_afterwards(doppel):
    server = doppel(args=["--admin-token", ADMIN])
    register(server, "d4")
    queued = requests.post(f"{server.http}/v1/twins/d4/commands/calibrate", json={"queue": True, "payload": {"span": 2}},
                           headers=headers(), timeout=WAIT).json()
    data_dir = server.data_dir
    server.stop()
    server = doppel(data_dir=data_dir, args=["--admin-token", ADMIN])
    device = device_client(server, "d4")
    device.connect()
    device.subscribe(prefix("d4") + "commands/+", qos=1)
    [message] = device.receive(1)
    assert message.topic == prefix("d4") + f"commands/calibrate?rid={queued['id']}" and json.loads(message.payload) == {"span": 2}
    device.close()


def test_one_fleet_wide_desired_change_reaches_every_selected_device(doppel):
    server = doppel(args=["--admin-token", ADMIN])
    for device in ("fa-1", "fa-2", "fb-1"):
        register(server, device)
    clients = {}
    for device in ("fa-1", "fa-2", "fb-1"):
        client = device_client(server, device)
        client.connect()
        client.subscribe(prefix(device) + "twin/desired", qos=1)
        clients[device] = client

    def fleet(**body):
        response = requests.post(f"{server.http}/v1/fleet/desired", json=body, headers=headers(), timeout=WAIT)
        return response

    by_query = fleet(patch={"interval": 30}, query="SELECT T FROM DIGITALTWINS T WHERE STARTSWITH(T.$dtId, 'fa-')")
    assert by_query.status_code == 200, by_query.text
    assert by_query.json() == {"matched": 2, "changed": 2, "missing": []}
    for device in ("fa-1", "fa-2"):
        [delta] = clients[device].receive(1)
        assert json.loads(delta.payload) == {"version": 1, "state": {"interval": 30}}
    assert clients["fb-1"].nothing_more(), "outside the query"

    everyone = fleet(patch={"mode": "eco"})
    assert everyone.json()["matched"] == 3
    for device, client in clients.items():
        [delta] = client.receive(1)
        assert json.loads(delta.payload)["state"]["mode"] == "eco", device

    listed = fleet(patch={"mode": None}, devices=["fb-1", "ghost"])
    assert listed.json() == {"matched": 2, "changed": 1, "missing": ["ghost"]}
    state = requests.get(f"{server.http}/v1/twins/fb-1/state", headers=headers(), timeout=WAIT).json()
    assert "mode" not in state["desired"]

    assert fleet(patch={"x": 1}, query="SELECT T.mode FROM DIGITALTWINS T").status_code == 400
    assert fleet(patch=[1]).status_code == 400
    assert fleet(patch={"x": 1}, query="SELECT T FROM DIGITALTWINS T", devices=["fa-1"]).status_code == 400
    for client in clients.values():
        client.close()


def test_bench_fleet_runs_a_server_and_simulators_and_reports_every_delta():
    """A small run of the whole-system benchmark, so that it keeps working; it asserts counts, never times."""
    from conftest import DOPPEL
    import subprocess
    run = subprocess.run([DOPPEL, "bench", "fleet", "--devices", "30", "--processes", "2", "--changes", "2", "--json"],
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["benchmark"] == "fleet" and result["devices"] == 30
    assert [change["deltas"] for change in result["changes"]] == [30, 30]
    assert all(change["lastMillis"] >= change["p50Millis"] >= 0 for change in result["changes"])
