"""The broker's transports with real clients: TLS and mutual TLS (paho-mqtt, mosquitto_pub, Python's ssl) and
MQTT over WebSocket (paho-mqtt, and a raw client that splits and joins packets across frames).

Certificates are made here with openssl: a CA, a server certificate for 127.0.0.1 / localhost, a client
certificate with CN=device-1, and a client certificate with the same CN from another CA."""

import base64
import os
import socket
import ssl
import struct
import subprocess

import paho.mqtt.client as mqtt
import pytest

from mqtt_support import WAIT, Client


# --- certificates ---------------------------------------------------------------------------------------

def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def make_ca(directory, name):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2", "-subj", f"/CN=Doppel test {name}",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            cwd=directory)


def make_leaf(directory, name, ca, subject, extensions):
    openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subject, cwd=directory)
    (directory / f"{name}.ext").write_text(extensions)
    openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key", "-CAcreateserial",
            "-days", "2", "-out", f"{name}.pem", "-extfile", f"{name}.ext", cwd=directory)


class Certificates:
    def __init__(self, directory):
        self.directory = directory
        make_ca(directory, "ca")
        make_ca(directory, "other-ca")
        make_leaf(directory, "server", "ca", "/CN=localhost",
                  "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n")
        client = "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n"
        make_leaf(directory, "device-1", "ca", "/O=Doppel test/CN=device-1", client)
        make_leaf(directory, "stranger", "other-ca", "/CN=device-1", client)

    def __getitem__(self, name):
        return str(self.directory / name)


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return Certificates(tmp_path_factory.mktemp("certs"))


def tls_args(certs, client_ca=False):
    args = ["--mqtts-port", "0", "--tls-cert", certs["server.pem"], "--tls-key", certs["server.key"]]
    return args + (["--tls-client-ca", certs["ca.pem"]] if client_ca else [])


# --- clients --------------------------------------------------------------------------------------------

class TransportClient(Client):
    """An mqtt_support.Client over TLS (optionally with a client certificate) or WebSocket."""

    def __init__(self, port, client_id, transport="tcp", ca=None, cert=None, key=None, path="/mqtt", version=5):
        super().__init__(port, client_id, version=version)
        plain = self.client
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, transport=transport,
                                  protocol=mqtt.MQTTv5 if version == 5 else mqtt.MQTTv311)
        for callback in ("on_message", "on_connect", "on_subscribe", "on_disconnect"):
            setattr(self.client, callback, getattr(plain, callback))
        if transport == "websockets":
            self.client.ws_set_options(path=path)
        if ca:
            self.client.tls_set(ca_certs=ca, certfile=cert, keyfile=key)


def connected(client):
    _, reason, _ = client.connect()
    assert not reason.is_failure, reason
    return client


def tls_exchange(port, certs, cert=None, key=None):
    """Opens TLS as a client (with an optional client certificate), sends a 3.1.1 CONNECT for client id
    device-1 and returns what came back: the CONNACK bytes, b"" when the server closed, or the TLS error."""
    context = ssl.create_default_context(cafile=certs["ca.pem"])
    if cert:
        context.load_cert_chain(cert, key)
    raw = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    try:
        with context.wrap_socket(raw, server_hostname="localhost") as sock:
            # TLS 1.3 finishes the client's side of the handshake before the server has checked the client's
            # certificate, so a refusal may only show on the first read.
            client_id = b"device-1"
            body = b"\x00\x04MQTT\x04\x02\x00\x1e" + len(client_id).to_bytes(2, "big") + client_id
            sock.sendall(bytes([0x10, len(body)]) + body)
            return sock.recv(4)
    except (ssl.SSLError, ConnectionResetError, BrokenPipeError) as error:
        return error


def stopped_log(server):
    code, _, err = server.stop()
    assert code == 0, err
    return err


# --- TLS ------------------------------------------------------------------------------------------------

def test_tls_listener_carries_publish_and_subscribe_and_shares_the_broker_with_tcp(doppel, certs):
    server = doppel(args=["--mqtt-allow-anonymous", *tls_args(certs)])
    assert {"mqtt", "mqtts", "mqtt_ws"} <= set(server.ports)
    subscriber = connected(TransportClient(server.ports["mqtts"], "tls-sub", ca=certs["ca.pem"]))
    assert [int(code.value) for code in subscriber.subscribe("plant/#", qos=1)] == [1]
    tls_publisher = connected(TransportClient(server.ports["mqtts"], "tls-pub", ca=certs["ca.pem"]))
    tcp_publisher = connected(Client(server.ports["mqtt"], "tcp-pub"))
    tls_publisher.publish("plant/a", b"over tls", qos=1)
    tcp_publisher.publish("plant/b", b"over tcp", qos=1)
    got = subscriber.receive(2)
    assert sorted((message.topic, message.payload) for message in got) == [("plant/a", b"over tls"), ("plant/b", b"over tcp")]
    for client in (subscriber, tls_publisher, tcp_publisher):
        client.close()


def test_the_tls_listener_runs_only_with_a_certificate(doppel):
    server = doppel()
    assert "mqtts" not in server.ports
    assert {"http", "mqtt", "mqtt_ws"} <= set(server.ports)


def test_plain_tcp_on_the_tls_port_is_closed_and_logged_and_the_listener_keeps_serving(doppel, certs):
    server = doppel(args=["--mqtt-allow-anonymous", *tls_args(certs)])
    with socket.create_connection(("127.0.0.1", server.ports["mqtts"]), timeout=WAIT) as sock:
        body = b"\x00\x04MQTT\x04\x02\x00\x1e\x00\x05plain"
        sock.sendall(bytes([0x10, len(body)]) + body)
        answer = b""
        try:
            while chunk := sock.recv(1024):
                answer += chunk
        except ConnectionResetError:
            pass
    assert not answer.startswith(b"\x20\x02"), "no CONNACK over plain TCP"
    assert tls_exchange(server.ports["mqtts"], certs) == b"\x20\x02\x00\x00", "TLS clients are still served"
    failures = [line for line in stopped_log(server).splitlines() if "TLS failure" in line]
    assert failures and all(" info " in line for line in failures), failures


# --- mutual TLS -----------------------------------------------------------------------------------------

@pytest.fixture
def mtls(doppel, certs):
    return doppel(args=["--mqtt-allow-anonymous", *tls_args(certs, client_ca=True)])


def test_mutual_tls_accepts_the_device_certificate_as_its_client_id(mtls, certs):
    device = connected(TransportClient(mtls.ports["mqtts"], "device-1", ca=certs["ca.pem"],
                                       cert=certs["device-1.pem"], key=certs["device-1.key"]))
    assert [int(code.value) for code in device.subscribe("lab/device-1/#", qos=1)] == [1]
    device.publish("lab/device-1/temp", b"21.5", qos=1)
    assert [message.payload for message in device.receive(1)] == [b"21.5"]
    device.close()
    assert tls_exchange(mtls.ports["mqtts"], certs, certs["device-1.pem"], certs["device-1.key"]) == b"\x20\x02\x00\x00"


def test_a_device_certificate_is_enough_when_anonymous_clients_are_not_allowed(doppel, certs):
    server = doppel(args=tls_args(certs, client_ca=True))
    anonymous = Client(server.ports["mqtt"], "anonymous")
    _, reason, _ = anonymous.connect()
    assert reason.is_failure and reason.value == 0x87, reason
    anonymous.client.loop_stop()
    device = connected(TransportClient(server.ports["mqtts"], "device-1", ca=certs["ca.pem"],
                                       cert=certs["device-1.pem"], key=certs["device-1.key"]))
    device.close()


def test_mutual_tls_refuses_a_certificate_that_names_another_client_with_not_authorized(mtls, certs):
    impostor = TransportClient(mtls.ports["mqtts"], "device-2", ca=certs["ca.pem"],
                               cert=certs["device-1.pem"], key=certs["device-1.key"])
    _, reason, _ = impostor.connect()
    assert reason.is_failure and reason.value == 0x87, reason
    impostor.client.loop_stop()


def test_mutual_tls_refuses_the_handshake_without_a_client_certificate(mtls, certs):
    outcome = tls_exchange(mtls.ports["mqtts"], certs)
    assert not isinstance(outcome, bytes) or outcome == b"", f"expected a refused handshake, got {outcome!r}"
    if isinstance(outcome, ssl.SSLError):
        assert "CERTIFICATE" in outcome.reason.upper(), outcome
    log = stopped_log(mtls)
    assert "TLS failure" in log


def test_a_certificate_of_another_ca_passes_the_handshake_but_its_cn_admits_nobody(mtls, certs):
    # Certificates of no client CA are for devices registered by thumbprint: the handshake completes, and
    # with no such registration the CONNECT is refused (3.1.1: 0x05 not authorized), although the CN names
    # the client id.
    outcome = tls_exchange(mtls.ports["mqtts"], certs, certs["stranger.pem"], certs["stranger.key"])
    assert outcome == b"\x20\x02\x00\x05", outcome


def test_mosquitto_pub_with_a_device_certificate(mtls, certs):
    subscriber = connected(Client(mtls.ports["mqtt"], "watcher"))
    subscriber.subscribe("lab/#", qos=1)
    subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(mtls.ports["mqtts"]), "--cafile", certs["ca.pem"],
                    "--cert", certs["device-1.pem"], "--key", certs["device-1.key"], "-i", "device-1",
                    "-t", "lab/device-1/temp", "-m", "from mosquitto", "-q", "1", "-V", "mqttv311"],
                   check=True, timeout=WAIT, capture_output=True)
    got = subscriber.receive(1)
    assert [(message.topic, message.payload) for message in got] == [("lab/device-1/temp", b"from mosquitto")]
    failed = subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(mtls.ports["mqtts"]), "--cafile", certs["ca.pem"],
                             "--cert", certs["stranger.pem"], "--key", certs["stranger.key"], "-i", "device-1",
                             "-t", "lab/device-1/temp", "-m", "from a stranger", "-q", "1"],
                            timeout=WAIT, capture_output=True)
    assert failed.returncode != 0
    assert subscriber.nothing_more()
    subscriber.close()


@pytest.mark.parametrize("flags,named", [
    (lambda c: ["--tls-cert", c["missing.pem"], "--tls-key", c["server.key"]], "missing.pem"),
    (lambda c: ["--tls-cert", c["server.ext"], "--tls-key", c["server.key"]], "server.ext"),
    (lambda c: ["--tls-cert", c["server.pem"], "--tls-key", c["device-1.key"]], "device-1.key"),
    (lambda c: ["--tls-cert", c["server.pem"], "--tls-key", c["server.key"], "--tls-client-ca", c["ca.key"]], "ca.key"),
    (lambda c: ["--tls-cert", c["server.pem"]], "tlsKey"),
], ids=["missing", "not-pem", "key-of-another-certificate", "ca-not-a-certificate", "cert-without-key"])
def test_unusable_tls_files_stop_the_start_naming_the_file(doppel, certs, flags, named):
    with pytest.raises(RuntimeError, match=r"exited with [1-9]") as failure:
        doppel(args=["--mqtts-port", "0", *flags(certs)])
    assert named in str(failure.value)


# --- WebSocket ------------------------------------------------------------------------------------------

def test_paho_over_websocket_exchanges_messages_with_a_tcp_client(doppel):
    server = doppel(args=["--mqtt-allow-anonymous"])
    web = connected(TransportClient(server.ports["mqtt_ws"], "web", transport="websockets"))
    tcp = connected(Client(server.ports["mqtt"], "tcp"))
    assert [int(code.value) for code in web.subscribe("to-web/#", qos=1)] == [1]
    assert [int(code.value) for code in tcp.subscribe("to-tcp/#", qos=2)] == [2]
    big = os.urandom(200_000)  # many TCP segments, and far past one default-sized frame
    tcp.publish("to-web/small", b"hello browser", qos=1)
    tcp.publish("to-web/big", big, qos=1)
    web.publish("to-tcp/reply", b"hello device", qos=2)
    assert [(m.topic, m.payload) for m in web.receive(2)] == [("to-web/small", b"hello browser"), ("to-web/big", big)]
    assert [(m.topic, m.payload) for m in tcp.receive(1)] == [("to-tcp/reply", b"hello device")]
    web.close()
    tcp.close()


class RawWebSocket:
    """A minimal RFC 6455 client: masked frames out, frames in, nothing hidden."""

    def __init__(self, port, path="/mqtt", protocol="mqtt"):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket", "Connection: Upgrade",
                 f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        if protocol:
            lines.append(f"Sec-WebSocket-Protocol: {protocol}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            self.buffer += chunk
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        self.status_line, *header_lines = head.decode().split("\r\n")
        self.status = int(self.status_line.split()[1])
        self.headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in header_lines)}

    def send_frame(self, payload, opcode=0x2, fin=True):
        mask = os.urandom(4)
        length = len(payload)
        header = bytes([(0x80 if fin else 0) | opcode])
        if length < 126:
            header += bytes([0x80 | length])
        elif length < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack("!H", length)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", length)
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def _read(self, count):
        while len(self.buffer) < count:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("closed")
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def read_frame(self):
        first, second = self._read(2)
        assert not second & 0x80, "server frames are not masked"
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._read(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._read(8))[0]
        return first & 0x0F, self._read(length)

    def read_mqtt(self, count):
        """Reads binary frames until `count` bytes of MQTT arrived; returns them."""
        data = b""
        while len(data) < count:
            opcode, payload = self.read_frame()
            assert opcode == 0x2, f"expected a binary frame, got opcode {opcode}"
            data += payload
        return data

    def closed(self):
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True


def test_mqtt_packets_may_span_websocket_frames_and_frames_may_hold_several_packets(doppel):
    server = doppel(args=["--mqtt-allow-anonymous"])
    ws = RawWebSocket(server.ports["mqtt_ws"])
    assert ws.status == 101 and ws.headers["sec-websocket-protocol"] == "mqtt"
    body = b"\x00\x04MQTT\x04\x02\x00\x3c\x00\x06raw-ws"
    connect = bytes([0x10, len(body)]) + body
    ws.send_frame(connect[:5])                  # one packet over two binary messages…
    ws.send_frame(connect[5:9], fin=False)      # …the second of them fragmented
    ws.send_frame(connect[9:], opcode=0x0)
    assert ws.read_mqtt(4) == b"\x20\x02\x00\x00"
    subscribe = b"\x82\x0a\x00\x01\x00\x05raw/#\x01"
    ws.send_frame(subscribe + b"\xc0\x00")     # SUBSCRIBE and PINGREQ in one frame
    assert ws.read_mqtt(7) == b"\x90\x03\x00\x01\x01\xd0\x00"

    publisher = connected(Client(server.ports["mqtt"], "tcp-pub"))
    publisher.publish("raw/x", b"to the raw client", qos=0)
    topic = b"raw/x"
    expected = bytes([0x30, 2 + len(topic) + 17]) + len(topic).to_bytes(2, "big") + topic + b"to the raw client"
    assert ws.read_mqtt(len(expected)) == expected
    publisher.close()

    ws.send_frame(b"are you there", opcode=0x9)
    assert ws.read_frame() == (0xA, b"are you there"), "a ping is answered with a pong carrying its data"
    ws.send_frame(struct.pack("!H", 1000), opcode=0x8)
    assert ws.read_frame() == (0x8, struct.pack("!H", 1000)), "a close frame is echoed"
    assert ws.closed()


def test_a_text_frame_closes_the_connection(doppel):
    server = doppel(args=["--mqtt-allow-anonymous"])
    ws = RawWebSocket(server.ports["mqtt_ws"])
    assert ws.status == 101
    ws.send_frame(b"\x10\x0c\x00\x04MQTT\x04\x02\x00\x3c\x00\x00", opcode=0x1)
    opcode, payload = ws.read_frame()
    assert opcode == 0x8 and payload[:2] == struct.pack("!H", 1003)
    assert ws.closed()


@pytest.mark.parametrize("path,protocol,status", [
    ("/other", "mqtt", 404),
    ("/", "mqtt", 404),
    ("/mqtt", None, 400),
    ("/mqtt", "chat", 400),
])
def test_websocket_upgrades_elsewhere_are_refused(doppel, path, protocol, status):
    server = doppel(args=["--mqtt-allow-anonymous"])
    ws = RawWebSocket(server.ports["mqtt_ws"], path=path, protocol=protocol)
    assert ws.status == status, ws.status_line
    assert "upgrade" not in ws.headers.get("connection", "").lower()
    assert ws.closed()


def test_paho_cannot_connect_over_websocket_at_another_path(doppel):
    server = doppel(args=["--mqtt-allow-anonymous"])
    client = TransportClient(server.ports["mqtt_ws"], "lost", transport="websockets", path="/elsewhere")
    with pytest.raises(mqtt.WebsocketConnectionError):
        client.connect()
    client.client.loop_stop()
