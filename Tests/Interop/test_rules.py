"""Telemetry to alert: paho-mqtt devices publish, streaming rules scoped by the graph raise, escalate and
clear alerts, and their actions publish, set desired state and call webhooks. The server runs on a
simulated clock (`--simulated-clock`, `POST /v1/clock`), so windows and quiet periods pass at once."""

import http.server
import json
import queue
import threading
import time

import pytest
import requests

from mqtt_support import Client

ADMIN = "interop-admin-token-0123456789"
SECRET = "rules-device-secret"
WAIT = 10  # seconds; an upper bound for polling, not a performance assertion
SCOPE = "SELECT S FROM DIGITALTWINS MATCH (B)-[:hasPart*..5]->(S) WHERE B.$dtId = 'bldg-7'"


def headers():
    return {"Authorization": f"Bearer {ADMIN}"}


class Site:
    """A server on a simulated clock with building 7, its floor and sensors registered as devices."""

    def __init__(self, doppel, sensors=("s1",), attached=("s1",)):
        self.server = doppel(args=["--admin-token", ADMIN, "--simulated-clock", "--mqtt-allow-anonymous"])
        self.http = self.server.http
        self.put("/v1/twins/bldg-7", {"$metadata": {"$model": "dtmi:example:Building;1"}})
        self.put("/v1/twins/floor-1", {"$metadata": {"$model": "dtmi:example:Floor;1"}})
        self.put("/v1/twins/bldg-7/relationships/has-floor-1", {"$relationshipName": "hasPart", "$targetId": "floor-1"})
        self.devices = {}
        for sensor in sensors:
            response = requests.put(f"{self.http}/v1/devices/{sensor}", json={"secret": SECRET}, headers=headers(), timeout=WAIT)
            assert response.status_code in (200, 201), response.text
            client = Client(self.server.ports["mqtt"], sensor, username=f"default/{sensor}", password=SECRET)
            _, reason, _ = client.connect()
            assert not reason.is_failure, reason
            self.devices[sensor] = client
        for sensor in attached:
            self.attach(sensor)
        self.stored = 0

    def put(self, path, body, expect=(200, 201)):
        response = requests.put(f"{self.http}{path}", json=body, headers=headers(), timeout=WAIT)
        assert response.status_code in expect, response.text
        return response

    def attach(self, sensor):
        self.put(f"/v1/twins/floor-1/relationships/has-{sensor}", {"$relationshipName": "hasPart", "$targetId": sensor})

    def rule(self, rule_id, **body):
        return self.put(f"/v1/rules/{rule_id}", {"scope": SCOPE, **body}).json()

    def send(self, sensor, **values):
        """Publishes one telemetry message and waits until it is stored and the rules have seen it."""
        self.devices[sensor].publish(f"tenant/default/device/{sensor}/telemetry", json.dumps(values), qos=1)
        self.stored += 1
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            lines = requests.get(f"{self.http}/v1/telemetry/stream", headers=headers(), timeout=WAIT).text.splitlines()
            if len(lines) >= self.stored:
                break
            time.sleep(0.02)
        self.advance("1ms")

    def advance(self, duration):
        response = requests.post(f"{self.http}/v1/clock", json={"advance": duration}, headers=headers(), timeout=WAIT)
        assert response.status_code == 200, response.text

    def alerts(self, **params):
        return requests.get(f"{self.http}/v1/alerts", params=params, headers=headers(), timeout=WAIT).json()["value"]

    def open_alerts(self, rule):
        return [alert for alert in self.alerts(state="open") if alert["rule"] == rule]

    def events(self, alert_id):
        body = requests.get(f"{self.http}/v1/alerts/{alert_id}", headers=headers(), timeout=WAIT).json()
        return [(event["kind"], event["severity"]) for event in body["events"]]


def test_a_threshold_rule_fires_and_clears(doppel):
    site = Site(doppel)
    created = site.rule("too-hot", condition="temperature > 30", severity="critical")
    assert created["watching"] == 2, "the floor and the sensor"
    site.send("s1", temperature=25)
    assert site.open_alerts("too-hot") == []
    site.send("s1", temperature=31)
    [alert] = site.open_alerts("too-hot")
    assert (alert["twin"], alert["severity"], alert["state"]) == ("s1", "critical", "active")
    assert alert["details"] == {"temperature": 31}
    site.send("s1", temperature=20)
    assert site.open_alerts("too-hot") == []
    assert site.events(alert["id"]) == [("raised", "critical"), ("cleared", "critical")]


def test_a_five_minute_window_fires_only_after_the_window(doppel):
    site = Site(doppel)
    site.rule("hot-average", condition="avg(temperature, 5m) > 30")
    for _ in range(4):
        site.send("s1", temperature=35)
        site.advance("1m")
    assert site.open_alerts("hot-average") == [], "four minutes of data do not cover the window"
    site.send("s1", temperature=35)
    site.advance("1m")
    [alert] = site.open_alerts("hot-average")
    assert alert["details"]["avg(temperature, 300s)"] == 35


def test_hysteresis_prevents_flapping(doppel):
    site = Site(doppel)
    site.rule("hysteresis", condition="temperature > 30", clear={"condition": "temperature < 28"})
    for value in (31, 29, 31, 29.5, 31):
        site.send("s1", temperature=value)
    [alert] = site.open_alerts("hysteresis")
    site.send("s1", temperature=27)
    assert site.open_alerts("hysteresis") == []
    assert site.events(alert["id"]) == [("raised", "warning"), ("cleared", "warning")], "one alert, raised once"


def test_a_severity_ladder_escalates_and_deescalates(doppel):
    site = Site(doppel)
    site.rule("ladder", condition="temperature > 30", severity="critical",
              ladder=[{"condition": "temperature > 25", "severity": "warning"}])
    site.send("s1", temperature=26)
    [alert] = site.open_alerts("ladder")
    assert alert["severity"] == "warning"
    site.send("s1", temperature=31)
    assert site.open_alerts("ladder")[0]["severity"] == "critical"
    site.send("s1", temperature=27)
    assert site.open_alerts("ladder")[0]["severity"] == "warning"
    site.send("s1", temperature=20)
    assert site.open_alerts("ladder") == []
    assert site.events(alert["id"]) == [
        ("raised", "warning"), ("escalated", "critical"), ("deescalated", "warning"), ("cleared", "warning")]


def test_for_holds_the_alert_back_and_quiet_clears_it(doppel):
    site = Site(doppel)
    site.rule("door", condition="door = true", **{"for": "2m"}, clear={"quietFor": "10m"})
    site.send("s1", door=True)
    site.advance("1m")
    assert site.open_alerts("door") == [], "pending for two minutes"
    site.advance("1m")
    [alert] = site.open_alerts("door")
    site.send("s1", door=False)
    site.advance("9m")
    assert site.open_alerts("door"), "not yet quiet for ten minutes"
    site.advance("2m")
    assert site.open_alerts("door") == []
    assert site.events(alert["id"])[-1][0] == "cleared"


def test_a_twin_moved_into_the_scope_is_watched(doppel):
    site = Site(doppel, sensors=("s1", "s2"), attached=("s1",))
    site.rule("too-hot", condition="temperature > 30")
    site.send("s2", temperature=40)
    assert site.open_alerts("too-hot") == [], "s2 is not in building 7 yet"
    site.attach("s2")
    site.advance("1ms")
    site.send("s2", temperature=41)
    [alert] = site.open_alerts("too-hot")
    assert alert["twin"] == "s2"
    requests.delete(f"{site.http}/v1/twins/floor-1/relationships/has-s2", headers=headers(), timeout=WAIT)
    site.advance("1ms")
    assert site.open_alerts("too-hot") == [], "leaving the scope clears its alert"


class Hooks(http.server.BaseHTTPRequestHandler):
    received = queue.Queue()

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Hooks.received.put(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hooks)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


def test_actions_publish_set_desired_call_webhooks_and_alerts_are_acknowledged(doppel, webhook):
    site = Site(doppel)
    watcher = Client(site.server.ports["mqtt"], "ops-console")
    watcher.connect()
    watcher.subscribe("ops/alerts", qos=1)
    site.rule("cool-down", condition="temperature > 30", severity="major",
              actions=[{"type": "publish", "topic": "ops/alerts"}, {"type": "setDesired", "patch": {"fan": "high"}},
                       {"type": "webhook", "url": webhook}])
    with requests.get(f"{site.http}/v1/alerts/stream", headers={**headers(), "Accept": "text/event-stream"},
                      stream=True, timeout=WAIT) as live:
        lines = live.iter_lines(decode_unicode=True)
        assert next(lines).startswith(":")
        site.send("s1", temperature=33)
        data = next(line for line in lines if line.startswith("data: "))
    raised = json.loads(data[6:])
    assert raised["event"]["kind"] == "raised" and raised["alert"]["rule"] == "cool-down"

    [published] = watcher.receive(1)
    assert json.loads(published.payload)["event"] == "raised"
    hook = Hooks.received.get(timeout=WAIT)
    assert hook["alert"]["twin"] == "s1" and hook["alert"]["severity"] == "major"
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        state = requests.get(f"{site.http}/v1/twins/s1/state", headers=headers(), timeout=WAIT).json()
        if state["desired"].get("fan") == "high":
            break
        time.sleep(0.05)
    assert state["desired"]["fan"] == "high"

    alert_id = raised["alert"]["id"]
    acked = requests.post(f"{site.http}/v1/alerts/{alert_id}/ack", headers=headers(), timeout=WAIT).json()
    assert acked["state"] == "acknowledged" and acked["acknowledgedBy"].startswith("token:")
    assert site.alerts(state="acknowledged")[0]["id"] == alert_id
    site.send("s1", temperature=20)
    assert json.loads(watcher.receive(1)[0].payload)["event"] == "cleared"
    assert requests.post(f"{site.http}/v1/alerts/{alert_id}/ack", headers=headers(), timeout=WAIT).status_code == 409
    watcher.close()


@pytest.mark.parametrize("body,detail", [
    ({"condition": "temperature >"}, "condition: at column 14"),
    ({"condition": "avg(temperature) > 3"}, "condition: at column 16: expected ','"),
    ({"condition": "temperature > 30", "ladder": [{"condition": "x > 1", "severity": "apocalyptic"}]}, "ladder[0].severity"),
    ({"condition": "temperature > 30", "actions": [{"type": "alert"}, {"type": "webhook", "url": "ftp://x"}]}, "actions[1].url"),
    ({"condition": "temperature > 30", "for": "soon"}, "for: must be a duration"),
    ({"condition": "temperature > 30", "clear": {}}, "clear: give condition, quietFor or both"),
    ({"condition": "temperature > 30", "colour": "red"}, "colour: unknown member"),
    ({"condition": "temperature > 30", "scope": "SELECT FROM"}, "scope:"),
    ({"condition": "temperature > 30", "scope": "SELECT T.name FROM DIGITALTWINS T"}, "scope: the query must select twins"),
])
def test_rule_errors_point_into_the_rule(doppel, body, detail):
    server = doppel(args=["--admin-token", ADMIN])
    response = requests.put(f"{server.http}/v1/rules/bad", json={"scope": SCOPE, **body}, headers=headers(), timeout=WAIT)
    assert response.status_code == 400, response.text
    assert response.json()["detail"].startswith(detail), response.json()["detail"]
    assert requests.get(f"{server.http}/v1/rules/bad", headers=headers(), timeout=WAIT).status_code == 404


def test_a_command_action_reaches_the_device_and_a_tumbling_window_fires_on_whole_buckets(doppel):
    site = Site(doppel)
    received = queue.Queue()
    device = site.devices["s1"]
    device.client.on_message = lambda client, userdata, message: received.put(message.topic)
    device.subscribe("tenant/default/device/s1/commands/+", qos=1)
    site.rule("vent", condition="max(co2, 1m, tumbling) > 1000", actions=[{"type": "command", "name": "vent", "payload": {"minutes": 5}}])
    site.send("s1", co2=1500)
    assert site.open_alerts("vent") == [], "the minute holding the reading is not whole yet"
    # On to the first second of the next minute: the reading's minute is now the last whole bucket.
    now = requests.get(f"{site.http}/v1/clock", headers=headers(), timeout=WAIT).json()["now"]
    into_minute = int(now[17:19]) * 1000 + int(now[20:23])
    site.advance(f"{60_000 - into_minute + 1_000}ms")
    [alert] = site.open_alerts("vent")
    assert alert["details"]["max(co2, 60s, tumbling)"] == 1500
    topic = received.get(timeout=WAIT)
    assert topic.startswith("tenant/default/device/s1/commands/vent?rid=")
    history = requests.get(f"{site.http}/v1/twins/s1/commands", headers=headers(), timeout=WAIT).json()["value"]
    assert history[0]["name"] == "vent" and history[0]["requestedBy"] == "rule:vent" and history[0]["payload"] == {"minutes": 5}
