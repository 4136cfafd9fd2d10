"""Fixtures for end-to-end tests against the running native stack (scripts/stack up).

These tests use the stack's own API, database, broker, Flink job and MongoDB, as a user
would; each run works on SKUs and users of its own, so it never depends on other data.
"""

import json
import os
import pathlib
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid

import psycopg
import pymongo
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
STATE = pathlib.Path(os.environ.get("ORDERFLOW_STATE", pathlib.Path.home() / ".local/state/orderflow"))
API_URL = os.environ.get("API_URL", "http://127.0.0.1:8000")


def stack_env() -> dict[str, str]:
    env = {}
    for line in (STATE / "stack.env").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            env[key] = value
    return env


class Api:
    def __init__(self, base: str):
        self.base = base

    def call(self, method: str, path: str, body=None, token: str | None = None, headers=None):
        status, payload, _ = self.call_with_headers(method, path, body, token, headers)
        return status, payload

    def call_with_headers(self, method: str, path: str, body=None, token: str | None = None, headers=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if body is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                payload = response.read()
                return response.status, json.loads(payload) if payload else None, dict(response.headers)
        except urllib.error.HTTPError as error:
            payload = error.read()
            return error.code, json.loads(payload) if payload else None, dict(error.headers)

    def new_user(self) -> str:
        """Registers a fresh user and returns its access token."""
        email = f"e2e-{uuid.uuid4().hex[:12]}@example.com"
        password = f"Pw-{uuid.uuid4().hex[:10]}-X9!"
        status, body = self.call("POST", "/auth/register", {"email": email, "password": password, "role": "user"})
        assert status == 201, body
        return self.login(email, password)

    def login(self, email: str, password: str) -> str:
        """Logs in, waiting out the per-IP login rate limit (everything here comes from
        127.0.0.1) the way a client should: by its Retry-After."""
        for _ in range(3):
            status, body, headers = self.call_with_headers("POST", "/auth/login", {"email": email, "password": password})
            if status != 429:
                assert status == 200, body
                return body["access_token"]
            time.sleep(int(headers.get("Retry-After", "5")) + 1)
        raise AssertionError("still rate limited after three Retry-After waits")


@pytest.fixture(scope="session")
def api() -> Api:
    client = Api(API_URL)
    status, body = client.call("GET", "/healthz")
    assert status == 200, f"the stack is not healthy: {body}"
    return client


@pytest.fixture(scope="session")
def pg():
    with psycopg.connect(stack_env()["DATABASE_URL"], autocommit=True) as connection:
        yield connection


@pytest.fixture(scope="session")
def mongo():
    client = pymongo.MongoClient(stack_env()["MONGODB_URL"], serverSelectionTimeoutMS=5000)
    yield client.get_default_database()
    client.close()


class Processes:
    """The stack's processes, found by the pid files `scripts/stack` writes."""

    def pid(self, name: str) -> int:
        text = (STATE / "run" / f"{name}.pid").read_text().split()
        pid = int(text[0])
        os.kill(pid, 0)  # raises when it is not running
        return pid

    def kill9(self, name: str) -> int:
        pid = self.pid(name)
        os.kill(pid, signal.SIGKILL)
        return pid

    def stack_up(self) -> None:
        result = subprocess.run([str(ROOT / "scripts/stack"), "up"], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr

    def wait_replaced(self, name: str, old_pid: int, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                pid = self.pid(name)
                if pid != old_pid:
                    return pid
            except (FileNotFoundError, ProcessLookupError, ValueError, IndexError):
                pass
            time.sleep(0.5)
        raise AssertionError(f"{name} was not restarted after pid {old_pid} was killed")


@pytest.fixture(scope="session")
def processes() -> Processes:
    return Processes()
