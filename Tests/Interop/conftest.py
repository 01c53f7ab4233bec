"""Shared fixtures: a real `doppel serve` process on ephemeral ports in a temporary data directory."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

DOPPEL = os.environ.get("DOPPEL_BIN", str(Path(__file__).resolve().parents[2] / ".build" / "debug" / "doppel"))
START_TIMEOUT = 60  # seconds; a readiness bound, not a performance assertion


class DoppelProcess:
    """One `doppel serve` child process; stops itself when the test ends."""

    def __init__(self, data_dir: Path, args=(), env=None):
        self.data_dir = data_dir
        self.args = list(args)
        self.env = {**os.environ, **(env or {})}
        self.process = None
        self.ports = None

    def start(self):
        ports_file = self.data_dir / "ports.json"
        if ports_file.exists():
            ports_file.unlink()
        self.process = subprocess.Popen(
            [DOPPEL, "serve", "--data", str(self.data_dir), "--http-port", "0", "--mqtt-port", "0", "--mqtt-ws-port", "0",
             *self.args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=self.env,
            text=True,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                out, err = self.process.communicate()
                raise RuntimeError(f"doppel exited with {self.process.returncode}:\n{out}\n{err}")
            if ports_file.exists():
                self.ports = json.loads(ports_file.read_text())
                return self
            time.sleep(0.05)
        self.process.kill()
        raise RuntimeError("doppel did not write ports.json in time")

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.ports['http']}"

    def get(self, path, **kwargs):
        return requests.get(self.http + path, timeout=10, **kwargs)

    def stop(self, sig=signal.SIGTERM):
        """Sends `sig` and returns (exit code, stdout, stderr)."""
        if self.process is None or self.process.poll() is not None:
            out, err = self.process.communicate() if self.process else ("", "")
            return (self.process.returncode if self.process else None), out, err
        self.process.send_signal(sig)
        try:
            out, err = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
            raise AssertionError(f"doppel did not stop on {sig!r}:\n{err}")
        return self.process.returncode, out, err


@pytest.fixture
def doppel(tmp_path):
    """A factory of running servers; every server it made is stopped after the test."""
    made = []

    def make(data_dir=None, args=(), env=None):
        server = DoppelProcess(data_dir or tmp_path / "data", args, env).start()
        made.append(server)
        return server

    yield make
    for server in made:
        if server.process and server.process.poll() is None:
            server.process.kill()
            server.process.communicate()
