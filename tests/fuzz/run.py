"""Fuzzes the running API with schemathesis over every operation of its OpenAPI document,
once as a fresh user and once as the admin (then again as fresh users while fewer than
FUZZ_MIN_CASES cases were generated, on a slow machine), with every check and every phase
(examples, coverage, fuzzing, stateful). Exits non-zero on any finding, on any schemathesis
error, or when fewer than FUZZ_MIN_CASES cases were generated in total. Called by
scripts/fuzz.

Login and logout are left out of the fuzz run (they have targeted tests): a generated
logout would denylist the token the run holds, and generated logins would hit the
per-IP login limit (429) that the run's own logins need.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

API = os.environ.get("FUZZ_API_URL", "http://127.0.0.1:8000").rstrip("/")
MIN_CASES = int(os.environ.get("FUZZ_MIN_CASES", "5000"))
# Per operation and run, for the fuzzing phase; the other phases add their own cases.
MAX_EXAMPLES = os.environ.get("FUZZ_MAX_EXAMPLES", "160")
# One worker: with two, CPython 3.11 sometimes fails inside Hypothesis with "SystemError:
# AST constructor recursion depth mismatch" (concurrent `ast` parsing), an error that is no
# finding about the API but fails the run all the same.
WORKERS = os.environ.get("FUZZ_WORKERS", "1")
# Seconds per run (user, admin): the fuzzing and stateful phases repeat until the budget is
# spent, so the case count grows with the machine's speed; MIN_CASES still gates the total.
MAX_TIME = os.environ.get("FUZZ_MAX_TIME", "50")
# A slower machine generates fewer cases in that time: extra runs as a fresh user, at most
# this many, until MIN_CASES is reached (a fast machine needs none).
MAX_TOP_UPS = int(os.environ.get("FUZZ_MAX_TOP_UPS", "3"))
# Login and logout: see docs/decisions.md. /live/stream answers with an endless event stream
# (and needs a ticket, not the bearer token): a fuzzer would hang on every case it gets
# through. A single redrive produces a real dead letter of the shared DLQ to its source topic
# again (and answers 409 for a derived one): covered by apps/api/tests/api/dead_letters.
EXCLUDED_PATHS = [
    "/auth/login",
    "/auth/logout",
    "/live/stream",
    "/admin/dead-letters/{topic}/{partition}/{offset}/redrive",
]
HERE = Path(__file__).resolve().parent


def request(method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(API + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null"), response.headers
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null"), err.headers


def login(email, password):
    """A fresh access token; waits out the per-IP login limit if earlier steps used it up."""
    deadline = time.monotonic() + 120
    while True:
        status, body, headers = request("POST", "/auth/login", {"email": email, "password": password})
        if status == 200:
            return body["access_token"]
        if status in (429, 503) and time.monotonic() < deadline:
            time.sleep(int(headers.get("Retry-After", "5")))
            continue
        sys.exit(f"fuzz: login as {email} answered {status}: {body}")


def fresh_user_token():
    email = f"fuzz-{uuid.uuid4().hex[:12]}@example.com"
    password = f"Fz-{uuid.uuid4().hex[:12]}-A1!"
    status, body, _ = request("POST", "/auth/register", {"email": email, "password": password})
    if status != 201:
        sys.exit(f"fuzz: registering {email} answered {status}: {body}")
    return login(email, password)


def fuzz(label, token, report_dir):
    report = report_dir / f"{label}.json"
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "--config-file", str(HERE / "schemathesis.toml"),
        "run", f"{API}/openapi.json",
        "--url", API,
        "--checks", "all",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", MAX_EXAMPLES,
        "--max-time", MAX_TIME,
        "--workers", WORKERS,
        "--header", f"Authorization: Bearer {token}",
        "--report", "json", "--report-json-path", str(report),
    ]
    for path in EXCLUDED_PATHS:
        command += ["--exclude-path", path]
    env = dict(os.environ, SCHEMATHESIS_HOOKS="hooks", PYTHONPATH=str(HERE))
    started = time.monotonic()
    print(f"fuzz: {label}: schemathesis against {API}", flush=True)
    exit_code = subprocess.run(command, env=env, check=False).returncode
    seconds = time.monotonic() - started
    summary = json.loads(report.read_text()) if report.exists() else {}
    cases = summary.get("test_cases", {}).get("generated", 0)
    failures = summary.get("failures", [])
    errors = summary.get("errors", [])
    operations = summary.get("operations", {}).get("tested", 0)
    print(
        f"fuzz: {label}: {cases} cases over {operations} operations in {seconds:.0f} s, "
        f"{len(failures)} finding(s), {len(errors)} error(s), exit {exit_code}",
        flush=True,
    )
    return exit_code, cases, seconds


def main():
    with tempfile.TemporaryDirectory(prefix="orderflow-fuzz-") as directory:
        report_dir = Path(directory)
        admin_email = os.environ["ADMIN_EMAIL"]
        admin_password = os.environ["ADMIN_PASSWORD"]
        user_token = fresh_user_token()
        admin_token = login(admin_email, admin_password)
        # (label, token, top-up?): a top-up runs only while the gate is not met (a slow machine).
        runs = [("user", lambda: user_token, False), ("admin", lambda: admin_token, False)]
        runs += [(f"user-top-up-{n}", fresh_user_token, True) for n in range(1, MAX_TOP_UPS + 1)]
        total_cases, total_seconds, failed = 0, 0.0, []
        for label, token, top_up in runs:
            if top_up:
                if failed or total_cases >= MIN_CASES:
                    break
                print(f"fuzz: {total_cases} of {MIN_CASES} cases so far: one more run", flush=True)
            exit_code, cases, seconds = fuzz(label, token(), report_dir)
            total_cases += cases
            total_seconds += seconds
            if exit_code != 0:
                failed.append(label)
    print(f"fuzz: {total_cases} cases in {total_seconds:.0f} s (at least {MIN_CASES} required)")
    if failed:
        sys.exit(f"fuzz: findings or errors in the {' and '.join(failed)} run(s); see above")
    if total_cases < MIN_CASES:
        sys.exit(f"fuzz: only {total_cases} cases were generated, fewer than {MIN_CASES}")


if __name__ == "__main__":
    main()
