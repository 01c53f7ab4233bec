"""The embedded MQTT broker with real clients: paho-mqtt 2.x (3.1.1 and 5.0) and mosquitto_pub / mosquitto_sub."""

import socket
import subprocess
import time

import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from mqtt_support import WAIT, Client, closed_by_peer, raw_connect


@pytest.fixture
def broker(doppel):
    return doppel(args=["--mqtt-allow-anonymous"])


def port_of(server):
    return server.ports["mqtt"]


@pytest.mark.parametrize("version", [3, 5])
@pytest.mark.parametrize("qos", [0, 1, 2])
def test_messages_arrive_in_order_at_every_qos(broker, version, qos):
    port = port_of(broker)
    subscriber = Client(port, f"sub-{version}-{qos}", version=version)
    subscriber.connect()
    assert [int(code.value) for code in subscriber.subscribe("plant/+/temp", qos=qos)] == [qos]
    publisher = Client(port, f"pub-{version}-{qos}", version=version)
    publisher.connect()
    for index in range(50):
        publisher.publish(f"plant/{index % 3}/temp", str(index).encode(), qos=qos)
    got = subscriber.receive(50)
    assert [int(message.payload) for message in got] == list(range(50))
    assert all(message.qos == qos for message in got)
    assert subscriber.nothing_more(), "exactly once per message"
    publisher.close()
    subscriber.close()


def test_mosquitto_clients_interoperate_with_paho(broker):
    port = port_of(broker)
    sub = subprocess.Popen(["mosquitto_sub", "-p", str(port), "-t", "cli/#", "-q", "1", "-C", "2", "-v", "-V", "mqttv311"],
                           stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)  # lets mosquitto_sub subscribe before the publications
    publisher = Client(port, "paho-pub")
    publisher.connect()
    publisher.publish("cli/a", b"from paho", qos=1)
    subprocess.run(["mosquitto_pub", "-p", str(port), "-t", "cli/b", "-m", "from mosquitto_pub", "-q", "2"], check=True, timeout=WAIT)
    out, _ = sub.communicate(timeout=WAIT)
    assert out.splitlines() == ["cli/a from paho", "cli/b from mosquitto_pub"]
    publisher.close()


def test_retained_messages_reach_later_subscribers_and_empty_payloads_clear_them(broker):
    port = port_of(broker)
    publisher = Client(port, "retainer")
    publisher.connect()
    publisher.publish("site/state", b"running", qos=1, retain=True)
    late = Client(port, "late")
    late.connect()
    late.subscribe("site/#", qos=1)
    [message] = late.receive(1)
    assert (message.topic, message.payload, message.retain) == ("site/state", b"running", True)
    late.close()

    publisher.publish("site/state", b"", qos=1, retain=True)
    later = Client(port, "later")
    later.connect()
    later.subscribe("site/#", qos=1)
    assert later.nothing_more(), "an empty retained payload deletes the retained message"
    later.close()
    publisher.close()


def test_a_will_is_published_when_a_connection_drops_but_not_after_disconnect(broker):
    port = port_of(broker)
    watcher = Client(port, "watcher")
    watcher.connect()
    watcher.subscribe("wills/#", qos=1)
    sock = raw_connect(port, b"fragile", will=(b"wills/fragile", b"gone"))
    sock.close()  # no DISCONNECT: the will goes out
    [message] = watcher.receive(1)
    assert (message.topic, message.payload) == ("wills/fragile", b"gone")

    polite = Client(port, "polite", will=("wills/polite", b"gone", 1, False))
    polite.connect()
    polite.close()
    assert watcher.nothing_more(1.0), "a normal DISCONNECT discards the will"
    watcher.close()


def test_persistent_sessions_queue_qos1_while_offline(broker):
    port = port_of(broker)
    device = Client(port, "sleepy", clean=False, expiry=300)
    flags, _, _ = device.connect()
    assert not flags.session_present
    device.subscribe("cmd/sleepy", qos=1)
    device.close()

    sender = Client(port, "sender")
    sender.connect()
    for index in range(5):
        sender.publish("cmd/sleepy", f"c{index}".encode(), qos=1)
    sender.publish("cmd/sleepy", b"lost", qos=0)  # QoS 0 is not queued for offline sessions

    again = Client(port, "sleepy", clean=False, expiry=300)
    flags, _, _ = again.connect()
    assert flags.session_present
    assert [message.payload for message in again.receive(5)] == [b"c0", b"c1", b"c2", b"c3", b"c4"]
    assert again.nothing_more()
    again.close()
    sender.close()

    fresh = Client(port, "sleepy", clean=True)
    flags, _, _ = fresh.connect()
    assert not flags.session_present, "clean start discards the session"
    fresh.close()


def test_shared_subscriptions_take_turns(broker):
    port = port_of(broker)
    workers = [Client(port, f"worker-{index}") for index in range(2)]
    for worker in workers:
        worker.connect()
        worker.subscribe("$share/pool/jobs/#", qos=1)
    producer = Client(port, "producer")
    producer.connect()
    for index in range(10):
        producer.publish(f"jobs/{index}", str(index).encode(), qos=1)
    first = workers[0].receive(5)
    second = workers[1].receive(5)
    assert sorted(int(m.payload) for m in first + second) == list(range(10))
    assert len(first) == 5 and len(second) == 5
    for client in workers + [producer]:
        client.close()


def test_topic_aliases_no_local_request_response_and_expiry(broker):
    port = port_of(broker)
    responder = Client(port, "responder")
    responder.connect()
    responder.subscribe("req/#", qos=1, noLocal=True)

    requester = Client(port, "requester")
    requester.connect()
    properties = Properties(PacketTypes.PUBLISH)
    properties.TopicAlias = 3
    properties.ResponseTopic = "resp/requester"
    properties.CorrelationData = b"\x01\x02"
    properties.UserProperty = [("trace", "abc")]
    properties.MessageExpiryInterval = 60
    requester.publish("req/light", b"on?", qos=1, properties=properties)
    aliased = Properties(PacketTypes.PUBLISH)
    aliased.TopicAlias = 3
    requester.publish("", b"again", qos=1, properties=aliased)  # the alias stands for req/light
    [first, second] = responder.receive(2)
    assert (first.topic, second.topic) == ("req/light", "req/light")
    assert first.properties.ResponseTopic == "resp/requester"
    assert first.properties.CorrelationData == b"\x01\x02"
    assert first.properties.UserProperty == [("trace", "abc")]
    assert 0 < first.properties.MessageExpiryInterval <= 60

    responder.publish("req/self", b"mine", qos=1)
    assert responder.nothing_more(), "no-local: a subscriber does not get its own publications"
    requester.close()
    responder.close()


def test_expired_messages_are_not_delivered_to_returning_sessions(broker):
    port = port_of(broker)
    device = Client(port, "expiring", clean=False, expiry=300)
    device.connect()
    device.subscribe("exp/#", qos=1)
    device.close()
    sender = Client(port, "exp-sender")
    sender.connect()
    short = Properties(PacketTypes.PUBLISH)
    short.MessageExpiryInterval = 1
    sender.publish("exp/a", b"short-lived", qos=1, properties=short)
    sender.publish("exp/b", b"lasting", qos=1)
    time.sleep(2.2)  # lets the first message's 1 s expiry pass; not a timing assertion
    again = Client(port, "expiring", clean=False, expiry=300)
    again.connect()
    assert [message.payload for message in again.receive(1)] == [b"lasting"]
    assert again.nothing_more()
    again.close()
    sender.close()


def test_a_second_connection_takes_the_session_over(broker):
    port = port_of(broker)
    first = Client(port, "twin-client")
    first.connect()
    second = Client(port, "twin-client")
    second.connect()
    reason = first.disconnects.get(timeout=WAIT)
    assert int(reason.value) == 0x8E, reason  # Session taken over
    second.close()


def test_anonymous_clients_stay_out_of_device_namespaces(broker):
    port = port_of(broker)
    client = Client(port, "nosy")
    client.connect()
    assert [int(code.value) for code in client.subscribe("#", qos=1)] == [0x87]
    assert [int(code.value) for code in client.subscribe("tenant/default/device/d1/#", qos=1)] == [0x87]
    info = client.publish("tenant/default/device/d1/telemetry", b"{}", qos=1)
    assert info.rc == 0
    client.close()


def test_without_allow_anonymous_nobody_gets_in(doppel):
    server = doppel()
    client = Client(port_of(server), "outsider")
    client.client.connect("127.0.0.1", port_of(server), keepalive=30)
    client.client.loop_start()
    _, reason, _ = client.connack.get(timeout=WAIT)
    assert int(reason.value) == 0x87  # Not authorized
    client.client.loop_stop()


def test_bad_input_is_isolated(broker):
    port = port_of(broker)
    bystander = Client(port, "bystander")
    bystander.connect()
    bystander.subscribe("safe/#", qos=1)

    # Random bytes: not a CONNECT, so the connection is closed.
    junk = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    junk.sendall(bytes(range(256)) * 4)
    closed_by_peer(junk)

    # An unsupported protocol level gets a 3.1.1 CONNACK with return code 1.
    old = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    old.sendall(b"\x10\x0f\x00\x06MQIsdp\x03\x02\x00\x3c\x00\x01x")
    assert closed_by_peer(old) == b"\x20\x02\x00\x01"

    # A wildcard in a PUBLISH topic is malformed: the connection is closed.
    sock = raw_connect(port, b"wild")
    topic = b"safe/#"
    body = len(topic).to_bytes(2, "big") + topic + b"x"
    sock.sendall(bytes([0x30, len(body)]) + body)
    closed_by_peer(sock)

    # A remaining length past the 1 MiB maximum packet size is refused before the body is read.
    sock = raw_connect(port, b"huge")
    sock.sendall(b"\x30\xff\xff\xff\x7f")
    closed_by_peer(sock)

    # A CONNECT that never completes is closed by the connect timeout (or waits harmlessly meanwhile).
    slow = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    slow.sendall(b"\x10\x20\x00\x04MQ")

    # The bystander is unaffected.
    other = Client(port, "other")
    other.connect()
    other.publish("safe/ok", b"still here", qos=1)
    [message] = bystander.receive(1)
    assert message.payload == b"still here"
    slow.close()
    other.close()
    bystander.close()


def test_keep_alive_is_enforced(broker):
    sock = raw_connect(port_of(broker), b"silent", keepalive=1)
    started = time.monotonic()
    closed_by_peer(sock, timeout=WAIT)
    assert time.monotonic() - started < WAIT, "closed after 1.5 x keep-alive, well within the bound"


def test_sessions_queued_messages_and_retained_messages_survive_a_restart(doppel, tmp_path):
    data = tmp_path / "persistent"
    server = doppel(data, args=["--mqtt-allow-anonymous"])
    port = port_of(server)
    device = Client(port, "survivor", clean=False, expiry=3600)
    device.connect()
    assert [int(code.value) for code in device.subscribe("orders/#", qos=1)] == [1]
    device.close()
    v311 = Client(port, "survivor-311", version=3, clean=False)
    v311.connect()
    v311.subscribe("orders/#", qos=2)
    v311.close()
    sender = Client(port, "sender")
    sender.connect()
    for index in range(3):
        sender.publish(f"orders/{index}", f"o{index}".encode(), qos=1)
    sender.publish("config/mode", b"eco", qos=1, retain=True)
    sender.close()
    code, _, err = server.stop()
    assert code == 0, err

    restarted = doppel(data, args=["--mqtt-allow-anonymous"])
    port = port_of(restarted)
    again = Client(port, "survivor", clean=False, expiry=3600)
    flags, _, _ = again.connect()
    assert flags.session_present, "the session came back from broker.sqlite"
    assert [message.payload for message in again.receive(3)] == [b"o0", b"o1", b"o2"]
    # The subscription itself survived too: new messages still arrive.
    publisher = Client(port, "publisher")
    publisher.connect()
    publisher.publish("orders/9", b"after restart", qos=1)
    assert [message.payload for message in again.receive(1)] == [b"after restart"]
    again.close()

    old = Client(port, "survivor-311", version=3, clean=False)
    flags, _, _ = old.connect()
    assert flags.session_present
    assert [message.payload for message in old.receive(4)] == [b"o0", b"o1", b"o2", b"after restart"]
    old.close()

    reader = Client(port, "reader")
    reader.connect()
    reader.subscribe("config/#", qos=1)
    [retained] = reader.receive(1)
    assert (retained.topic, retained.payload, retained.retain) == ("config/mode", b"eco", True)
    reader.close()
    publisher.close()


def test_the_broker_sends_topic_aliases_to_clients_that_accept_them(broker):
    port = port_of(broker)
    subscriber = Client(port, "alias-taker", topic_alias_maximum=4)
    subscriber.connect()
    subscriber.subscribe("alias/#", qos=1)
    publisher = Client(port, "alias-giver")
    publisher.connect()
    for index in range(3):
        publisher.publish("alias/long/topic/name", str(index).encode(), qos=1)
    got = subscriber.receive(3)
    # paho hands aliased messages over as they arrive (it does not resolve inbound aliases): the first
    # carries the topic and sets alias 1, the rest carry only the alias.
    assert [(message.topic, message.payload, message.properties.TopicAlias) for message in got] == [
        ("alias/long/topic/name", b"0", 1), ("", b"1", 1), ("", b"2", 1)]
    subscriber.close()
    publisher.close()


def test_a_delayed_will_waits_and_a_quick_reconnect_cancels_it(broker):
    port = port_of(broker)
    watcher = Client(port, "will-watcher")
    watcher.connect()
    watcher.subscribe("delayed/#", qos=1)

    def client_with_delayed_will(client_id, delay):
        properties = Properties(PacketTypes.WILLMESSAGE)
        properties.WillDelayInterval = delay
        client = Client(port, client_id, clean=False, expiry=60)
        client.client.will_set(f"delayed/{client_id}", b"gone", qos=1, properties=properties)
        client.connect()
        return client

    patient = client_with_delayed_will("patient", 1)
    patient.client._sock.close()  # drop the connection without DISCONNECT
    [message] = watcher.receive(1)
    assert (message.topic, message.payload) == ("delayed/patient", b"gone")

    returning = client_with_delayed_will("returning", 3)
    returning.client._sock.close()
    back = Client(port, "returning", clean=False, expiry=60)
    back.connect()  # back before the 3 s delay: no will
    assert watcher.nothing_more(4.0)
    back.close()
    watcher.close()


def test_broker_statistics_appear_as_sys_topics_and_metrics(broker):
    port = port_of(broker)
    client = Client(port, "stats-reader")
    client.connect()
    client.subscribe("$SYS/broker/clients/connected", qos=0)
    [message] = client.receive(1)
    assert message.retain and int(message.payload) >= 0
    client.close()
    metrics = broker.get("/metrics").text
    assert "mqtt_connections" in metrics and "mqtt_messages_received_total" in metrics


def test_a_wills_message_expiry_counts_from_when_it_is_published(broker):
    port = port_of(broker)
    watcher = Client(port, "expiry-watcher")
    watcher.connect()
    watcher.subscribe("lasting/#", qos=1)
    properties = Properties(PacketTypes.WILLMESSAGE)
    properties.MessageExpiryInterval = 1
    client = Client(port, "long-lived")
    client.client.will_set("lasting/will", b"gone", qos=1, properties=properties)
    client.connect()
    time.sleep(2.0)  # longer than the will's expiry; the expiry must start only when the will goes out
    client.client._sock.close()
    [message] = watcher.receive(1)
    assert (message.topic, message.payload) == ("lasting/will", b"gone")
    watcher.close()
