"""Fixtures for end-to-end tests against the running native stack (scripts/stack up).

These tests use the stack's own API, database, broker, Flink job and MongoDB, as a user
would; each run works on SKUs and users of its own, so it never depends on other data.
The stack runs the inventory saga (INVENTORY_SAGA_ENABLED=true): a test that wants its
orders reserved (to pay them, or to keep them from being canceled as out of stock) stocks
its SKUs first with the `inventory` fixture.
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
# The stack's release binaries, found as scripts/lib/common.sh finds them.
BIN_DIR = pathlib.Path(
    os.environ.get("BIN_DIR")
    or pathlib.Path(
        os.environ.get("CARGO_TARGET_DIR")
        or pathlib.Path(os.environ.get("ORDERFLOW_CACHE", pathlib.Path.home() / ".cache/orderflow")) / "target"
    ) / "release"
)


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
def inventory_pg():
    with psycopg.connect(stack_env()["INVENTORY_DATABASE_URL"], autocommit=True) as connection:
        yield connection


class Inventory:
    """Stock through the inventory HTTP API (docs/spec.md#inventory-http-api) as an admin.

    `base` is the inventory service's internal API; the api's public `/inventory` routes
    serve the same paths (switch with E2E_INVENTORY_URL, e.g. http://127.0.0.1:8000/inventory).
    """

    def __init__(self, api: Api, base: str, email: str, password: str):
        self.http = Api(base)
        self.api = api
        self.email, self.password = email, password
        self.token = api.login(email, password)

    def call(self, method: str, path: str, body=None):
        status, payload = self.http.call(method, path, body, token=self.token)
        if status == 401:  # the access token expired during a long session
            self.token = self.api.login(self.email, self.password)
            status, payload = self.http.call(method, path, body, token=self.token)
        return status, payload

    def get(self, sku: str) -> dict:
        status, item = self.call("GET", f"/stock/{sku}")
        assert status == 200, item
        return item

    def stock(self, sku: str, on_hand: int) -> dict:
        """Creates the SKU with `on_hand`, or raises an existing SKU's on_hand to at least it."""
        status, item = self.call("POST", "/stock", {"sku": sku, "on_hand": on_hand})
        if status == 409 and item["error"]["code"] == "SKU_EXISTS":
            item = self.get(sku)
            if item["on_hand"] < on_hand:
                status, item = self.call("PUT", f"/stock/{sku}/on-hand", {"on_hand": on_hand})
                assert status == 200, item
            return item
        assert status == 201, item
        return item


def create_admin(email: str, password: str) -> None:
    """Creates an admin through the api's operator CLI (as scripts/seed.sh does): the API
    itself never grants the admin role."""
    env = {**os.environ, **stack_env(), "ADMIN_PASSWORD": password}
    result = subprocess.run(
        [str(BIN_DIR / "api"), "admin", "create", "--email", email, "--role", "admin"],
        env=env, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="session")
def inventory(api) -> Inventory:
    email = f"e2e-admin-{uuid.uuid4().hex[:12]}@example.com"
    password = f"Pw-{uuid.uuid4().hex[:10]}-X9!"
    create_admin(email, password)
    base = os.environ.get("E2E_INVENTORY_URL") or stack_env()["INVENTORY_URL"]
    return Inventory(api, base.rstrip("/"), email, password)


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

    def start(self, name: str, env: dict[str, str] | None = None) -> None:
        """`scripts/stack start NAME`: one service again, from the binary `up` built; `env`
        adds variables stack.env does not set (e.g. RESERVATION_TTL_SECONDS)."""
        result = subprocess.run(
            [str(ROOT / "scripts/stack"), "start", name], env={**os.environ, **(env or {})},
            capture_output=True, text=True,
        )
        assert result.returncode == 0, f"scripts/stack start {name}: {result.stdout}{result.stderr}"

    def stop(self, name: str) -> None:
        result = subprocess.run([str(ROOT / "scripts/stack"), "stop", name], capture_output=True, text=True)
        assert result.returncode == 0, f"scripts/stack stop {name}: {result.stdout}{result.stderr}"

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
