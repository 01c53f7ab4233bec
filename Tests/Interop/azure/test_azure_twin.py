"""Devices on the Azure IoT Hub dialect, driven by Microsoft's own Python device SDK (azure-iot-device):
SAS-token login against the registry's keys, and telemetry. The SDK always dials port 8883 over TLS, so the
server listens there with a certificate for localhost."""

import base64
import os
import time

import pytest
import requests
from azure.iot.device import IoTHubDeviceClient, Message
from azure.iot.device import exceptions

ADMIN = "interop-admin-token-0123456789"
WAIT = 10
AZURE_PORT = 8883  # the SDK has no port setting


def headers():
    return {"Authorization": f"Bearer {ADMIN}"}


@pytest.fixture
def server(doppel, certs):
    return doppel(args=["--admin-token", ADMIN, "--mqtts-port", str(AZURE_PORT), "--tls-cert", certs["cert"],
                        "--tls-key", certs["key"]])


def register(server, device, **body):
    key = base64.b64encode(os.urandom(32)).decode()
    response = requests.put(f"{server.http}/v1/devices/{device}", json={"sasKeys": {"primary": key}, **body},
                            headers=headers(), timeout=WAIT)
    assert response.status_code in (200, 201), response.text
    return key


def device_client(certs, device, key):
    with open(certs["ca"]) as ca:
        trusted = ca.read()
    return IoTHubDeviceClient.create_from_connection_string(
        f"HostName=localhost;DeviceId={device};SharedAccessKey={key}", server_verification_cert=trusted,
        connection_retry=False)


def connection_state(server, device, expected):
    """The registry's connection state of `device`, polled until it is `expected` or WAIT has passed."""
    deadline = time.monotonic() + WAIT
    while True:
        state = requests.get(f"{server.http}/v1/devices/{device}/connection", headers=headers(), timeout=WAIT).json()
        if state["connectionState"] == expected or time.monotonic() > deadline:
            return state["connectionState"]
        time.sleep(0.05)


def test_a_device_connects_with_its_sas_key_and_sends_telemetry(server, certs):
    key = register(server, "az-1")
    client = device_client(certs, "az-1", key)
    try:
        client.connect()
        assert client.connected
        message = Message('{"temperature": 21.5}', content_encoding="utf-8", content_type="application/json")
        message.custom_properties["source"] = "interop"
        client.send_message(message)  # returns once the broker acknowledged the QoS 1 publish
        assert connection_state(server, "az-1", "connected") == "connected"
    finally:
        client.shutdown()
    # The same telemetry path as the native dialect: the log and the twin's last-known values.
    deadline = time.monotonic() + WAIT
    while True:
        log = requests.get(f"{server.http}/v1/telemetry/stream", headers=headers(), timeout=WAIT).text.splitlines()
        if log or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    import json
    assert [json.loads(line)["telemetry"] for line in log] == [{"temperature": 21.5}]
    assert json.loads(log[0])["twin"] == "az-1"
    last = requests.get(f"{server.http}/v1/twins/az-1/telemetry", headers=headers(), timeout=WAIT).json()
    assert last["values"] == {"temperature": 21.5}


def test_a_wrong_key_and_a_disabled_device_are_refused(server, certs):
    register(server, "az-2")
    wrong = base64.b64encode(os.urandom(32)).decode()
    client = device_client(certs, "az-2", wrong)
    try:
        with pytest.raises(exceptions.CredentialError):  # CONNACK 4, bad user name or password
            client.connect()
        assert not client.connected
    finally:
        client.shutdown()
    key = register(server, "az-3", status="disabled")
    client = device_client(certs, "az-3", key)
    try:
        with pytest.raises(exceptions.CredentialError):  # CONNACK 5, not authorized (the SDK maps 4 and 5 alike)
            client.connect()
        assert not client.connected
    finally:
        client.shutdown()


def test_the_twin_reads_patches_and_desired_changes_through_the_sdk(server, certs):
    import json
    import queue
    key = register(server, "az-4")
    client = device_client(certs, "az-4", key)
    desired_patches = queue.Queue()
    client.on_twin_desired_properties_patch_received = desired_patches.put
    try:
        client.connect()
        twin = client.get_twin()
        assert twin["desired"] == {"$version": 0} and twin["reported"] == {"$version": 0}
        client.patch_twin_reported_properties({"temperature": 21.5, "firmware": "2.0"})
        state = requests.get(f"{server.http}/v1/twins/az-4/state", headers=headers(), timeout=WAIT).json()
        assert state["reported"]["temperature"] == 21.5 and state["reported"]["firmware"] == "2.0"
        assert client.get_twin()["reported"]["temperature"] == 21.5

        changed = requests.patch(f"{server.http}/v1/twins/az-4/state/desired", data=json.dumps({"setpoint": 19}),
                                 headers={**headers(), "Content-Type": "application/merge-patch+json"}, timeout=WAIT)
        assert changed.status_code == 200, changed.text
        patch = desired_patches.get(timeout=WAIT)
        assert patch["setpoint"] == 19 and patch["$version"] == 1
    finally:
        client.shutdown()


def test_a_direct_method_invoked_over_http_is_answered_by_the_sdk(server, certs):
    from azure.iot.device import MethodResponse
    key = register(server, "az-5")
    client = device_client(certs, "az-5", key)

    def on_method(request):
        client.send_method_response(MethodResponse.create_from_method_request(request, 200, {"rebooting": request.payload}))

    client.on_method_request_received = on_method
    try:
        client.connect()
        answer = requests.post(f"{server.http}/v1/twins/az-5/commands/reboot", json={"payload": {"in": 5}},
                               headers=headers(), timeout=WAIT)
        assert answer.status_code == 200, answer.text
        assert {k: v for k, v in answer.json().items() if k != "id"} == {"status": 200, "payload": {"rebooting": {"in": 5}}}
    finally:
        client.shutdown()


def test_cloud_to_device_messages_wait_for_the_device_and_arrive_with_their_properties(server, certs):
    import json
    import queue as queues
    key = register(server, "az-6")

    def send(**body):
        response = requests.post(f"{server.http}/v1/devices/az-6/messages", json=body, headers=headers(), timeout=WAIT)
        assert response.status_code == 202, response.text
        return response.json()

    stale = send(payload={"n": 0}, ttlSeconds=1)
    first = send(payload={"n": 1}, properties={"kind": "config", "path": "a/b c"})
    second = send(base64=base64.b64encode(b"\x00raw").decode(), contentType="application/octet-stream")
    assert first["status"] == "queued" and first["contentType"] == "application/json"
    time.sleep(1.5)  # past the stale message's time to live

    # A queued command reaches an IoT Hub device as a direct method once it listens for methods.
    command = requests.post(f"{server.http}/v1/twins/az-6/commands/reset", json={"queue": True, "payload": {"hard": False}},
                            headers=headers(), timeout=WAIT)
    assert command.status_code == 202, command.text

    from azure.iot.device import MethodResponse
    received = queues.Queue()
    client = device_client(certs, "az-6", key)
    client.on_message_received = received.put
    client.on_method_request_received = lambda request: client.send_method_response(
        MethodResponse.create_from_method_request(request, 200, {"reset": request.payload}))
    try:
        client.connect()
        got = [received.get(timeout=WAIT), received.get(timeout=WAIT)]
        assert [message.message_id for message in got] == [first["id"], second["id"]], "oldest first, the expired one never"
        assert json.loads(got[0].data) == {"n": 1}
        assert got[0].custom_properties == {"kind": "config", "path": "a/b c"}
        assert got[0].content_type == "application/json"
        assert got[1].data == b"\x00raw" and got[1].content_type == "application/octet-stream"

        third = send(payload="now")
        assert received.get(timeout=WAIT).message_id == third["id"], "delivered at once to a listening device"

        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            state = requests.get(f"{server.http}/v1/twins/az-6/commands/{command.json()['id']}", headers=headers(), timeout=WAIT).json()
            if state["status"] == "completed":
                break
            time.sleep(0.05)
        assert state["status"] == "completed" and state["reply"] == {"status": 200, "payload": {"reset": {"hard": False}}}
    finally:
        client.shutdown()
    listed = requests.get(f"{server.http}/v1/devices/az-6/messages", headers=headers(), timeout=WAIT).json()["value"]
    assert [(m["id"], m["status"]) for m in listed] == [
        (third["id"], "delivered"), (second["id"], "delivered"), (first["id"], "delivered"), (stale["id"], "expired")]

    too_big = requests.post(f"{server.http}/v1/devices/az-6/messages", json={"payload": "x" * 70000}, headers=headers(), timeout=WAIT)
    assert too_big.status_code == 413
    both = requests.post(f"{server.http}/v1/devices/az-6/messages", json={"payload": 1, "base64": "AA=="}, headers=headers(), timeout=WAIT)
    assert both.status_code == 400
    nobody = requests.post(f"{server.http}/v1/devices/ghost/messages", json={"payload": 1}, headers=headers(), timeout=WAIT)
    assert nobody.status_code == 404


def test_a_device_logs_in_with_a_self_signed_x509_certificate_registered_by_thumbprint(doppel, certs, tmp_path):
    """IoT Hub's X.509 authentication: the SDK presents the device certificate; the registry holds its
    thumbprint. The device then uses IoT Hub's topics as a SAS device does."""
    import hashlib
    import subprocess
    from azure.iot.device import X509

    def self_signed(name):
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                        "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2", "-subj", f"/CN={name}"],
                       cwd=tmp_path, check=True, capture_output=True, timeout=60)
        der = subprocess.run(["openssl", "x509", "-in", f"{name}.pem", "-outform", "DER"], cwd=tmp_path, check=True,
                             capture_output=True, timeout=60).stdout
        return hashlib.sha256(der).hexdigest()

    thumbprint = self_signed("az-x509")
    self_signed("az-other")
    server = doppel(args=["--admin-token", ADMIN, "--mqtts-port", str(AZURE_PORT), "--tls-cert", certs["cert"],
                          "--tls-key", certs["key"], "--tls-client-ca", certs["ca"]])
    response = requests.put(f"{server.http}/v1/devices/az-x509", json={"x509Thumbprints": [thumbprint]},
                            headers=headers(), timeout=WAIT)
    assert response.status_code in (200, 201), response.text
    with open(certs["ca"]) as ca:
        trusted = ca.read()

    def client(cert):
        return IoTHubDeviceClient.create_from_x509_certificate(
            x509=X509(str(tmp_path / f"{cert}.pem"), str(tmp_path / f"{cert}.key")), hostname="localhost",
            device_id="az-x509", server_verification_cert=trusted, connection_retry=False)

    device = client("az-x509")
    try:
        device.connect()
        device.patch_twin_reported_properties({"firmware": "x509-1"})
        twin = device.get_twin()
        assert twin["reported"]["firmware"] == "x509-1"
        device.send_message(Message('{"temperature": 21}'))
    finally:
        device.shutdown()
    impostor = client("az-other")
    try:
        with pytest.raises(exceptions.ClientError):
            impostor.connect()
    finally:
        impostor.shutdown()
