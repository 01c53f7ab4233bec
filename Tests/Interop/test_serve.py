"""`doppel serve` as an operator runs it: ports.json, /healthz, the admin token, config sources, shutdown."""

import json
import os
import signal
import subprocess
import time

from conftest import DOPPEL


def test_starts_answers_health_and_stops_cleanly_on_sigterm(doppel, tmp_path):
    server = doppel()
    assert set(server.ports) >= {"http", "pid"}
    assert server.ports["pid"] == server.process.pid

    response = server.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "store": "ok"}

    code, out, err = server.stop(signal.SIGTERM)
    assert code == 0, err
    assert not (server.data_dir / "ports.json").exists(), "a clean stop removes ports.json"
    assert (server.data_dir / "doppel.sqlite").exists()


def test_stops_cleanly_on_sigint(doppel):
    server = doppel()
    code, _, err = server.stop(signal.SIGINT)
    assert code == 0, err


def test_first_start_prints_an_admin_token_once(doppel, tmp_path):
    first = doppel(tmp_path / "d")
    code, out, _ = first.stop()
    assert code == 0
    lines = [line for line in out.splitlines() if "admin token" in line]
    assert len(lines) == 1
    token = lines[0].rsplit(" ", 1)[-1]
    assert token.startswith("dop_") and len(token) > 40

    second = doppel(tmp_path / "d")
    code, out, _ = second.stop()
    assert code == 0
    assert "admin token" not in out, "the token is shown only on the first start"

    raw = (tmp_path / "d" / "doppel.sqlite").read_bytes()
    assert token.encode() not in raw, "only the token's hash is stored"


def test_configured_admin_token_suppresses_the_generated_one(doppel, tmp_path):
    server = doppel(args=["--admin-token", "operator-chosen-token-123"])
    authorized = server.get("/v1/twins/none", headers={"Authorization": "Bearer operator-chosen-token-123"})
    assert authorized.status_code == 404, "the configured token authenticates"
    assert server.get("/v1/twins/none", headers={"Authorization": "Bearer other-token"}).status_code == 401
    code, out, _ = server.stop()
    assert code == 0
    assert "admin token" not in out


def test_unknown_routes_answer_problem_json(doppel):
    server = doppel()
    response = server.get("/no/such/route")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404 and body["title"] == "Not Found"


def test_metrics_are_prometheus_text(doppel):
    server = doppel()
    server.get("/healthz")
    response = server.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "hb_requests" in response.text or "http_requests" in response.text


def test_config_file_then_environment_then_flags(doppel, tmp_path):
    config = tmp_path / "doppel.json"
    config.write_text(json.dumps({"data": str(tmp_path / "from-file"), "httpPort": 0, "logLevel": "debug"}))
    env = {"DOPPEL_CONFIG": str(config), "DOPPEL_DATA": str(tmp_path / "from-env")}
    # The fixture passes --data explicitly, so flags win over both.
    server = doppel(tmp_path / "from-flag", env=env)
    assert server.get("/healthz").status_code == 200
    server.stop()
    assert (tmp_path / "from-flag" / "doppel.sqlite").exists()
    assert not (tmp_path / "from-env").exists()
    assert not (tmp_path / "from-file").exists()


def test_environment_wins_over_the_config_file(tmp_path):
    config = tmp_path / "doppel.json"
    config.write_text(json.dumps({"data": str(tmp_path / "from-file"), "httpPort": 8, "logLevel": "debug"}))
    env = {**os.environ, "DOPPEL_CONFIG": str(config), "DOPPEL_DATA": str(tmp_path / "from-env"), "DOPPEL_HTTP_PORT": "0",
           "DOPPEL_MQTT_PORT": "0", "DOPPEL_MQTT_WS_PORT": "0"}
    process = subprocess.Popen([DOPPEL, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ports = tmp_path / "from-env" / "ports.json"
        for _ in range(1200):
            if ports.exists() or process.poll() is not None:
                break
            time.sleep(0.05)
        assert ports.exists(), process.stderr.read() if process.poll() is not None else "no ports.json"
        assert not (tmp_path / "from-file").exists()
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    assert process.returncode == 0


def run_serve(*args, env=None):
    return subprocess.run(
        [DOPPEL, "serve", *args], capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})}
    )


def test_bad_config_is_refused_with_the_file_and_setting_named(tmp_path):
    config = tmp_path / "bad.json"
    config.write_text('{"httpPort": "eighty"}')
    result = run_serve("--config", str(config), "--data", str(tmp_path / "d"))
    assert result.returncode != 0
    assert str(config) in result.stderr and "httpPort" in result.stderr

    config.write_text('{"data": "x",\n "colour": "blue"}')
    result = run_serve("--config", str(config))
    assert result.returncode != 0
    assert 'unknown setting "colour"' in result.stderr

    config.write_text('{"data": ')
    result = run_serve("--config", str(config))
    assert result.returncode != 0
    assert "line 1" in result.stderr and str(config) in result.stderr


def test_bad_environment_value_is_refused(tmp_path):
    result = run_serve("--data", str(tmp_path / "d"), env={"DOPPEL_HTTP_PORT": "99999"})
    assert result.returncode != 0
    assert "environment" in result.stderr and "httpPort" in result.stderr
