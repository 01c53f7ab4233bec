"""paho-mqtt clients for the broker tests: connect, collect messages, wait with bounds (never timing assertions)."""

import queue
import socket
import time

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

WAIT = 10  # seconds; a bound on waiting for something that should happen, not a performance assertion


class Client:
    """A paho client on the loop thread, recording what it receives."""

    def __init__(self, port, client_id="", version=5, clean=True, expiry=None, will=None, username=None, password=None,
                 topic_alias_maximum=None):
        protocol = mqtt.MQTTv5 if version == 5 else mqtt.MQTTv311
        kwargs = {"client_id": client_id, "protocol": protocol}
        if version != 5:
            kwargs["clean_session"] = clean
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, **kwargs)
        self.messages = queue.Queue()
        self.connack = queue.Queue()
        self.subacks = queue.Queue()
        self.disconnects = queue.Queue()
        self.client.on_message = lambda c, u, message: self.messages.put(message)
        self.client.on_connect = lambda c, u, flags, reason, props: self.connack.put((flags, reason, props))
        self.client.on_subscribe = lambda c, u, mid, reasons, props: self.subacks.put(reasons)
        self.client.on_disconnect = lambda c, u, flags, reason, props: self.disconnects.put(reason)
        if username is not None:
            self.client.username_pw_set(username, password)
        if will:
            self.client.will_set(*will)
        properties = None
        if version == 5:
            properties = Properties(PacketTypes.CONNECT)
            if expiry is not None:
                properties.SessionExpiryInterval = expiry
            if topic_alias_maximum is not None:
                properties.TopicAliasMaximum = topic_alias_maximum
        self.port = port
        self.version = version
        self.clean = clean
        self.properties = properties

    def connect(self):
        if self.version == 5:
            self.client.connect("127.0.0.1", self.port, keepalive=30, clean_start=self.clean, properties=self.properties)
        else:
            self.client.connect("127.0.0.1", self.port, keepalive=30)
        self.client.loop_start()
        flags, reason, props = self.connack.get(timeout=WAIT)
        return flags, reason, props

    def subscribe(self, topic, qos=0, **options):
        if self.version == 5:
            self.client.subscribe(topic, options=mqtt.SubscribeOptions(qos=qos, **options))
        else:
            self.client.subscribe(topic, qos)
        return self.subacks.get(timeout=WAIT)

    def publish(self, topic, payload, qos=0, retain=False, properties=None):
        info = self.client.publish(topic, payload, qos=qos, retain=retain, properties=properties)
        info.wait_for_publish(timeout=WAIT)
        return info

    def receive(self, count, timeout=WAIT):
        got = []
        deadline = time.monotonic() + timeout
        while len(got) < count and time.monotonic() < deadline:
            try:
                got.append(self.messages.get(timeout=max(0.01, deadline - time.monotonic())))
            except queue.Empty:
                break
        return got

    def nothing_more(self, wait=0.5):
        """True when no further message arrives within `wait` (used only to check absence)."""
        try:
            self.messages.get(timeout=wait)
            return False
        except queue.Empty:
            return True

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


def raw_connect(port, client_id=b"raw", keepalive=30, will=None):
    """A socket that sent a 3.1.1 CONNECT (with an optional (topic, payload) will) and read its CONNACK."""
    flags = 0x02
    payload = len(client_id).to_bytes(2, "big") + client_id
    if will:
        topic, message = will
        flags |= 0x04
        payload += len(topic).to_bytes(2, "big") + topic + len(message).to_bytes(2, "big") + message
    variable = b"\x00\x04MQTT\x04" + bytes([flags]) + keepalive.to_bytes(2, "big")
    body = variable + payload
    sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    sock.sendall(bytes([0x10, len(body)]) + body)
    connack = sock.recv(4)
    assert connack == b"\x20\x02\x00\x00", connack
    return sock


def closed_by_peer(sock, timeout=WAIT):
    """Reads until the broker closes the socket; returns everything it sent before closing."""
    sock.settimeout(timeout)
    data = b""
    while True:
        try:
            chunk = sock.recv(4096)
        except (ConnectionResetError, socket.timeout):
            return data
        if not chunk:
            return data
        data += chunk
