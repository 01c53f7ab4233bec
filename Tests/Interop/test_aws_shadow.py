"""The AWS IoT Device Shadow dialect with the real AWS IoT device SDK (awsiotsdk / awscrt) over mutual TLS:
devices authenticated by a registered certificate thumbprint, classic and named shadows on the same twins
as HTTP, deltas pushed when desired changes over HTTP, version conflicts, deletes.

Certificates are made here with openssl: a CA, a server certificate for 127.0.0.1 / localhost and device
certificates; the device is registered with its certificate's SHA-256 thumbprint before it connects."""

import hashlib
import json
import queue
import subprocess

import pytest
import requests
from awscrt import mqtt
from awscrt.exceptions import AwsCrtError
from awsiot import iotjobs, iotshadow, mqtt_connection_builder

WAIT = 10  # seconds; an upper bound for a reply, not a performance assertion
ADMIN = "interop-admin-token-0123456789"


def openssl(*args, cwd):
    return subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60).stdout


def make_ca(directory, name):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2", "-subj", f"/CN=Doppel test {name}",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            cwd=directory)


def make_self_signed(directory, name, subject):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2", "-subj", subject,
            "-addext", "basicConstraints=critical,CA:FALSE", "-addext", "extendedKeyUsage=clientAuth", cwd=directory)


def make_leaf(directory, name, subject, extensions):
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subject, cwd=directory)
    (directory / f"{name}.ext").write_text(extensions)
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-days", "2", "-out", f"{name}.pem", "-extfile", f"{name}.ext", cwd=directory)


class Certificates:
    def __init__(self, directory):
        self.directory = directory
        make_ca(directory, "ca")
        make_leaf(directory, "server", "/CN=localhost",
                  "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n")
        client = "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n"
        # AWS certificates name no thing: the registry's thumbprint ties a certificate to its thing.
        make_leaf(directory, "thing-1", "/O=Doppel test/CN=some certificate", client)
        make_leaf(directory, "thing-2", "/O=Doppel test/CN=thing-2", client)
        # AWS IoT also registers certificates of no CA ("without a CA"): these chain to nothing Doppel trusts.
        make_self_signed(directory, "thing-3", "/CN=thing-3")
        make_self_signed(directory, "thing-4", "/CN=thing-4")

    def __getitem__(self, name):
        return str(self.directory / name)

    def sha256(self, name):
        der = openssl("x509", "-in", f"{name}.pem", "-outform", "DER", cwd=self.directory)
        return hashlib.sha256(der).hexdigest()


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return Certificates(tmp_path_factory.mktemp("certs"))


def headers():
    return {"Authorization": f"Bearer {ADMIN}"}


def register(server, thing, thumbprint):
    response = requests.put(f"{server.http}/v1/devices/{thing}", json={"x509Thumbprints": [thumbprint]},
                            headers=headers(), timeout=WAIT)
    assert response.status_code in (200, 201), response.text


@pytest.fixture
def server(doppel, certs):
    server = doppel(args=["--admin-token", ADMIN, "--mqtts-port", "0", "--tls-cert", certs["server.pem"],
                          "--tls-key", certs["server.key"], "--tls-client-ca", certs["ca.pem"]])
    register(server, "thing-1", certs.sha256("thing-1"))
    return server


def connect(server, certs, thing, cert=None):
    connection = mqtt_connection_builder.mtls_from_path(
        endpoint="127.0.0.1", port=server.ports["mqtts"], cert_filepath=certs[f"{cert or thing}.pem"],
        pri_key_filepath=certs[f"{cert or thing}.key"], ca_filepath=certs["ca.pem"], client_id=thing,
        clean_session=True, keep_alive_secs=30)
    connection.connect().result(WAIT)
    return connection


class ShadowInbox:
    """The SDK's shadow client with every reply topic of one shadow subscribed into one queue."""

    def __init__(self, connection, thing, shadow_name=None):
        self.client = iotshadow.IotShadowClient(connection)
        self.thing = thing
        self.messages = queue.Queue()
        self.waiting = []
        if shadow_name is None:
            request = {"thing_name": thing}
            subscriptions = {
                "get/accepted": (self.client.subscribe_to_get_shadow_accepted, iotshadow.GetShadowSubscriptionRequest),
                "get/rejected": (self.client.subscribe_to_get_shadow_rejected, iotshadow.GetShadowSubscriptionRequest),
                "update/accepted": (self.client.subscribe_to_update_shadow_accepted, iotshadow.UpdateShadowSubscriptionRequest),
                "update/rejected": (self.client.subscribe_to_update_shadow_rejected, iotshadow.UpdateShadowSubscriptionRequest),
                "update/delta": (self.client.subscribe_to_shadow_delta_updated_events,
                                 iotshadow.ShadowDeltaUpdatedSubscriptionRequest),
                "update/documents": (self.client.subscribe_to_shadow_updated_events, iotshadow.ShadowUpdatedSubscriptionRequest),
                "delete/accepted": (self.client.subscribe_to_delete_shadow_accepted, iotshadow.DeleteShadowSubscriptionRequest),
                "delete/rejected": (self.client.subscribe_to_delete_shadow_rejected, iotshadow.DeleteShadowSubscriptionRequest),
            }
        else:
            request = {"thing_name": thing, "shadow_name": shadow_name}
            subscriptions = {
                "get/accepted": (self.client.subscribe_to_get_named_shadow_accepted,
                                 iotshadow.GetNamedShadowSubscriptionRequest),
                "get/rejected": (self.client.subscribe_to_get_named_shadow_rejected,
                                 iotshadow.GetNamedShadowSubscriptionRequest),
                "update/accepted": (self.client.subscribe_to_update_named_shadow_accepted,
                                    iotshadow.UpdateNamedShadowSubscriptionRequest),
                "update/rejected": (self.client.subscribe_to_update_named_shadow_rejected,
                                    iotshadow.UpdateNamedShadowSubscriptionRequest),
                "update/delta": (self.client.subscribe_to_named_shadow_delta_updated_events,
                                 iotshadow.NamedShadowDeltaUpdatedSubscriptionRequest),
            }
        for name, (subscribe, request_type) in subscriptions.items():
            future, _ = subscribe(request=request_type(**request), qos=mqtt.QoS.AT_LEAST_ONCE,
                                  callback=lambda response, name=name: self.messages.put((name, response)))
            future.result(WAIT)

    def expect(self, name):
        """The next message on reply topic `name`; fails when none arrives in time."""
        for index, (kind, response) in enumerate(self.waiting):
            if kind == name:
                del self.waiting[index]
                return response
        while True:
            kind, response = self.messages.get(timeout=WAIT)
            if kind == name:
                return response
            self.waiting.append((kind, response))

    def nothing_on(self, name):
        """No message waits on `name` (call after a later reply has arrived, so ordering makes it final)."""
        while not self.messages.empty():
            self.waiting.append(self.messages.get_nowait())
        return all(kind != name for kind, _ in self.waiting)


def test_classic_shadow_get_update_delta_conflict_and_delete_with_the_aws_sdk(server, certs):
    connection = connect(server, certs, "thing-1")
    shadow = ShadowInbox(connection, "thing-1")
    client = shadow.client

    client.publish_get_shadow(iotshadow.GetShadowRequest(thing_name="thing-1", client_token="g1"),
                              mqtt.QoS.AT_LEAST_ONCE).result(WAIT)
    missing = shadow.expect("get/rejected")
    assert (missing.code, missing.message, missing.client_token) == (404, "No shadow exists with name: 'thing-1'", "g1")

    client.publish_update_shadow(iotshadow.UpdateShadowRequest(
        thing_name="thing-1", client_token="u1", state=iotshadow.ShadowState(reported={"temp": 21, "fw": "1.2"})),
        mqtt.QoS.AT_LEAST_ONCE).result(WAIT)
    accepted = shadow.expect("update/accepted")
    assert accepted.client_token == "u1"
    assert accepted.state.reported == {"temp": 21, "fw": "1.2"}
    assert set(accepted.metadata.reported) == {"temp", "fw"}
    documents = shadow.expect("update/documents")
    assert documents.current.state.reported == {"temp": 21, "fw": "1.2"}
    assert documents.current.version == accepted.version
    assert documents.previous.state.reported is None

    # The same twin over HTTP.
    state = requests.get(f"{server.http}/v1/twins/thing-1/state", headers=headers(), timeout=WAIT).json()
    assert state["reported"]["temp"] == 21 and state["reported"]["fw"] == "1.2"

    client.publish_get_shadow(iotshadow.GetShadowRequest(thing_name="thing-1", client_token="g2"),
                              mqtt.QoS.AT_LEAST_ONCE).result(WAIT)
    current = shadow.expect("get/accepted")
    assert current.state.reported == {"temp": 21, "fw": "1.2"} and current.state.desired is None
    assert current.version == accepted.version and current.client_token == "g2"

    # Desired set over HTTP reaches the device as a shadow delta.
    patched = requests.patch(f"{server.http}/v1/twins/thing-1/state/desired", data=json.dumps({"fan": "high", "fw": "1.2"}),
                             headers={**headers(), "Content-Type": "application/merge-patch+json"}, timeout=WAIT)
    assert patched.status_code == 200, patched.text
    delta = shadow.expect("update/delta")
    assert delta.state == {"fan": "high"}, "only desired keys that differ from reported"
    assert delta.version > current.version

    # A stale version is refused; the current one is accepted.
    client.publish_update_shadow(iotshadow.UpdateShadowRequest(
        thing_name="thing-1", client_token="u2", version=current.version, state=iotshadow.ShadowState(reported={"fan": "low"})),
        mqtt.QoS.AT_LEAST_ONCE).result(WAIT)
    conflict = shadow.expect("update/rejected")
    assert (conflict.code, conflict.message, conflict.client_token) == (409, "Version conflict", "u2")
    client.publish_update_shadow(iotshadow.UpdateShadowRequest(
        thing_name="thing-1", client_token="u3", version=delta.version, state=iotshadow.ShadowState(reported={"fan": "high"})),
        mqtt.QoS.AT_LEAST_ONCE).result(WAIT)
    assert shadow.expect("update/accepted").version == delta.version + 1

    # Malformed JSON is refused with 400.
    connection.publish(topic="$aws/things/thing-1/shadow/update", payload=b"{not json", qos=mqtt.QoS.AT_LEAST_ONCE)[0].result(WAIT)
    malformed = shadow.expect("update/rejected")
    assert (malformed.code, malformed.message) == (400, "Invalid JSON")

    client.publish_delete_shadow(iotshadow.DeleteShadowRequest(thing_name="thing-1", client_token="d1"),
                                 mqtt.QoS.AT_LEAST_ONCE).result(WAIT)
    deleted = shadow.expect("delete/accepted")
    assert deleted.client_token == "d1"
    client.publish_get_shadow(iotshadow.GetShadowRequest(thing_name="thing-1"), mqtt.QoS.AT_LEAST_ONCE).result(WAIT)
    assert shadow.expect("get/rejected").code == 404
    connection.disconnect().result(WAIT)


def test_named_shadows_are_their_own_documents(server, certs):
    connection = connect(server, certs, "thing-1")
    named = ShadowInbox(connection, "thing-1", shadow_name="config")
    named.client.publish_update_named_shadow(iotshadow.UpdateNamedShadowRequest(
        thing_name="thing-1", shadow_name="config", state=iotshadow.ShadowState(desired={"rate": 5})),
        mqtt.QoS.AT_LEAST_ONCE).result(WAIT)
    assert named.expect("update/accepted").state.desired == {"rate": 5}
    assert named.expect("update/delta").state == {"rate": 5}
    named.client.publish_get_named_shadow(iotshadow.GetNamedShadowRequest(thing_name="thing-1", shadow_name="config"),
                                          mqtt.QoS.AT_LEAST_ONCE).result(WAIT)
    document = named.expect("get/accepted")
    assert document.state.desired == {"rate": 5} and document.state.delta == {"rate": 5}
    # The classic shadow of the same thing is untouched.
    classic = ShadowInbox(connection, "thing-1")
    classic.client.publish_get_shadow(iotshadow.GetShadowRequest(thing_name="thing-1"), mqtt.QoS.AT_LEAST_ONCE).result(WAIT)
    assert classic.expect("get/rejected").code == 404
    connection.disconnect().result(WAIT)


def test_a_certificate_not_registered_for_the_thing_is_refused_and_other_things_are_out_of_reach(server, certs):
    register(server, "thing-2", "00" * 32)
    with pytest.raises(AwsCrtError):
        connect(server, certs, "thing-2")
    with pytest.raises(AwsCrtError):
        connect(server, certs, "thing-2", cert="thing-1")  # thing-1's certificate does not make it thing-2

    connection = connect(server, certs, "thing-1")
    future, _ = connection.subscribe(topic="$aws/things/thing-1/shadow/get/accepted", qos=mqtt.QoS.AT_LEAST_ONCE)
    assert future.result(WAIT)["qos"] == mqtt.QoS.AT_LEAST_ONCE
    future, _ = connection.subscribe(topic="$aws/things/thing-2/shadow/get/accepted", qos=mqtt.QoS.AT_LEAST_ONCE)
    with pytest.raises(mqtt.SubscribeError):  # refused with 0x80: another thing's shadow topics
        future.result(WAIT)
    connection.disconnect().result(WAIT)


def test_a_self_signed_certificate_registered_by_thumbprint_gets_its_shadow(server, certs):
    register(server, "thing-3", certs.sha256("thing-3"))
    connection = connect(server, certs, "thing-3")
    shadow = ShadowInbox(connection, "thing-3")
    future = shadow.client.publish_update_shadow(
        iotshadow.UpdateShadowRequest(thing_name="thing-3", client_token="self-signed",
                                      state=iotshadow.ShadowState(reported={"firmware": "1.0"})),
        mqtt.QoS.AT_LEAST_ONCE)
    future.result(WAIT)
    accepted = shadow.expect("update/accepted")
    assert accepted.client_token == "self-signed" and accepted.state.reported == {"firmware": "1.0"}
    state = requests.get(f"{server.http}/v1/twins/thing-3/state", headers=headers(), timeout=WAIT).json()
    assert state["reported"]["firmware"] == "1.0"
    connection.disconnect().result(WAIT)


def test_a_self_signed_certificate_admits_nobody_by_its_common_name_alone(server, certs):
    # thing-4's certificate names thing-4 as its CN, but neither chains to the client CA nor is registered.
    with pytest.raises(AwsCrtError):
        connect(server, certs, "thing-4")
    register(server, "thing-4", certs.sha256("thing-3"))  # another certificate's thumbprint
    with pytest.raises(AwsCrtError):
        connect(server, certs, "thing-4")


def test_the_jobs_topics_answer_in_the_sdks_shapes(server, certs):
    """No job targets thing-1 yet: the pending list is empty, start-next and $next find nothing, a named
    job is ResourceNotFound and a malformed update is InvalidRequest, each on the topic the SDK listens to."""
    connection = connect(server, certs, "thing-1")
    jobs = iotjobs.IotJobsClient(connection)
    replies = queue.Queue()
    thing = {"thing_name": "thing-1"}
    subscriptions = [
        (jobs.subscribe_to_get_pending_job_executions_accepted, iotjobs.GetPendingJobExecutionsSubscriptionRequest(**thing), "pending"),
        (jobs.subscribe_to_start_next_pending_job_execution_accepted,
         iotjobs.StartNextPendingJobExecutionSubscriptionRequest(**thing), "start-next"),
        (jobs.subscribe_to_describe_job_execution_accepted,
         iotjobs.DescribeJobExecutionSubscriptionRequest(job_id="$next", **thing), "next"),
        (jobs.subscribe_to_describe_job_execution_rejected,
         iotjobs.DescribeJobExecutionSubscriptionRequest(job_id="job-7", **thing), "describe-rejected"),
        (jobs.subscribe_to_update_job_execution_rejected,
         iotjobs.UpdateJobExecutionSubscriptionRequest(job_id="job-7", **thing), "update-rejected"),
    ]
    for subscribe, request, name in subscriptions:
        future, _ = subscribe(request=request, qos=mqtt.QoS.AT_LEAST_ONCE,
                              callback=lambda response, name=name: replies.put((name, response)))
        future.result(WAIT)

    def expect(name):
        kind, response = replies.get(timeout=WAIT)
        assert kind == name, (kind, response)
        return response

    jobs.publish_get_pending_job_executions(
        iotjobs.GetPendingJobExecutionsRequest(client_token="t1", **thing), mqtt.QoS.AT_LEAST_ONCE).result(WAIT)
    pending = expect("pending")
    assert (pending.client_token, pending.in_progress_jobs, pending.queued_jobs) == ("t1", [], [])
    assert pending.timestamp is not None

    jobs.publish_start_next_pending_job_execution(
        iotjobs.StartNextPendingJobExecutionRequest(client_token="t2", **thing), mqtt.QoS.AT_LEAST_ONCE).result(WAIT)
    started = expect("start-next")
    assert started.client_token == "t2" and started.execution is None

    jobs.publish_describe_job_execution(
        iotjobs.DescribeJobExecutionRequest(job_id="$next", client_token="t3", **thing), mqtt.QoS.AT_LEAST_ONCE).result(WAIT)
    assert expect("next").execution is None

    jobs.publish_describe_job_execution(
        iotjobs.DescribeJobExecutionRequest(job_id="job-7", client_token="t4", **thing), mqtt.QoS.AT_LEAST_ONCE).result(WAIT)
    missing = expect("describe-rejected")
    assert (missing.code, missing.client_token) == ("ResourceNotFound", "t4") and "job-7" in missing.message

    jobs.publish_update_job_execution(
        iotjobs.UpdateJobExecutionRequest(job_id="job-7", status="SUCCEEDED", client_token="t5", **thing),
        mqtt.QoS.AT_LEAST_ONCE).result(WAIT)
    assert expect("update-rejected").code == "ResourceNotFound"

    # The server alone cancels: a device asking for CANCELED is refused before any lookup.
    connection.publish(topic="$aws/things/thing-1/jobs/job-7/update", qos=mqtt.QoS.AT_LEAST_ONCE,
                       payload=json.dumps({"status": "CANCELED", "clientToken": "t6"}))[0].result(WAIT)
    refused = expect("update-rejected")
    assert (refused.code, refused.client_token) == ("InvalidRequest", "t6")
    connection.publish(topic="$aws/things/thing-1/jobs/job-7/update", qos=mqtt.QoS.AT_LEAST_ONCE, payload="{")[0].result(WAIT)
    assert expect("update-rejected").code == "InvalidJson"
    connection.disconnect().result(WAIT)
