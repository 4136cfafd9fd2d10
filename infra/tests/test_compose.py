"""Validates compose.yaml and checks the platform's Compose rules (docs/spec.md#operations).

Run through `scripts/check-compose`, which provides `COMPOSE_BIN`: the real Docker Compose v2
CLI. `docker compose config` needs no engine: it validates the file against the Compose
specification schema, resolves anchors, interpolation and profiles, and prints the model that
`up` would run. The rule checks below read that resolved model.

The environment checks scan the Rust sources instead of keeping a list, so they stay true as
the services change: every variable a service reads must be set for it in Compose, every
variable a service requires must be set by the native stack (scripts/stack), and the topic
names in Compose, the native stack and the events crate must be the same.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import tomllib
from functools import cache
from pathlib import Path

import crossplane
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "compose.yaml"
HOST_PORTS_OVERRIDE = ROOT / "infra" / "compose.host-ports.yaml"
ENV_EXAMPLE = ROOT / ".env.example"
STACK_SCRIPT = ROOT / "scripts" / "stack"
FLINK_COMPONENT = ROOT / "scripts" / "components" / "flink.sh"
STREAM_JOB_SQL = ROOT / "apps" / "stream-job" / "job.sql"
EVENTS_CRATE = ROOT / "crates" / "events" / "src" / "lib.rs"

# Issue 7: the services Compose must define (plus api-migrate, the one-shot schema migration);
# issue 13: the inventory service (and its migration) and the orders side of the saga.
REQUIRED_SERVICES = {
    "api", "outbox-worker", "projector", "web", "postgres", "redis", "kafka", "kafka-init",
    "mongo", "flink-jobmanager", "flink-taskmanager", "flink-job", "kafka-ui",
    "inventory", "inventory-migrate", "order-saga",
}
ONE_SHOT_SERVICES = {"kafka-init", "api-migrate", "inventory-migrate", "flink-job"}
STATEFUL_SERVICES = {"postgres", "redis", "kafka", "mongo", "flink-jobmanager", "flink-taskmanager"}
# Only these publish host ports by default; profile-gated UIs may add their own.
PUBLISHING_SERVICES = {"api", "web", "kafka-ui", "flink-jobmanager"}
OPTIONAL_UI_SERVICES = {"prometheus"}
# Named volumes (not bind mounts) for the state of these services, at these paths.
STATE_VOLUMES = {
    "postgres": "/var/lib/postgresql/data",
    "redis": "/data",
    "mongo": "/data/db",
    "flink-jobmanager": "/flink-data",
    "flink-taskmanager": "/flink-data",
}
SECRETS = ["JWT_SECRET", "POSTGRES_PASSWORD", "REDIS_PASSWORD", "MONGO_PASSWORD"]
# Variables a Rust service may get without reading them through `Env` (tracing's filter).
RUNTIME_VARIABLES = {"RUST_LOG"}
# stack.env names that scripts/stack hands one service under another name (one stack.env
# serves every process): name -> (Compose service, the variable it reads).
NATIVE_ALIASES = {"INVENTORY_DATABASE_URL": ("inventory", "DATABASE_URL")}


# ---------------------------------------------------------------------------------- helpers
def compose(*args: str, env_file: Path | None = ENV_EXAMPLE, files=(COMPOSE_FILE,)):
    """Runs the Compose CLI with a clean environment (the caller's variables, e.g. the native
    stack's JWT_SECRET, must not leak into the interpolation)."""
    binary = os.environ.get("COMPOSE_BIN")
    if not binary:
        pytest.fail("COMPOSE_BIN is not set: run the tests through scripts/check-compose")
    cmd = [binary, "--project-directory", str(ROOT)]
    for f in files:
        cmd += ["-f", str(f)]
    cmd += ["--env-file", str(env_file) if env_file else os.devnull]
    cmd += list(args)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)


@cache
def model(profile: str | None = "observability") -> dict:
    args = (["--profile", profile] if profile else []) + ["config", "--format", "json"]
    result = compose(*args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def services(profile: str | None = "observability") -> dict:
    return model(profile)["services"]


@cache
def raw_compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def env_example() -> dict[str, str]:
    pairs = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            pairs[key.strip()] = value.strip()
    return pairs


def rust_services() -> dict[str, str]:
    """Compose service -> Rust binary, for services built from the Rust Dockerfile."""
    found = {}
    for name, svc in services().items():
        build = svc.get("build") or {}
        if build.get("dockerfile", "").endswith("rust-service.Dockerfile"):
            found[name] = build["args"]["SERVICE"]
    return found


def dockerfile_of(service: str) -> Path:
    build = services()[service]["build"]
    return Path(build["context"]) / build["dockerfile"]


# ------------------------------------------------------------------ reading the Rust sources
IDENT = r"[A-Z][A-Z0-9_]*"


def strip_tests_and_comments(text: str) -> str:
    text = re.sub(r"//[^\n]*", "", text)
    out, i = [], 0
    for match in re.finditer(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text):
        if match.start() < i:
            continue
        out.append(text[i:match.start()])
        i = matching_brace(text, match.end() - 1) + 1
    out.append(text[i:])
    return "".join(out)


def matching_brace(text: str, open_index: int) -> int:
    depth = 0
    for j in range(open_index, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(text) - 1


def env_reads(text: str) -> dict[str, bool]:
    """Variable name -> required?, for one Rust source file (test code excluded).

    Recognised: `env.required("X")` / `url` / `required_kafka_brokers` (required) and
    `optional` / `parse_or` / `flag` / `kafka_brokers` / `kafka_name` / `in_range` / `millis`; helpers called as
    `helper(env, "X", ...)` (required when the helper's body calls `.required(`); loops
    `for name in ["X", "Y"] { env.required(name) ... }`. `ConfigError::new("X", "is required
    ...")` marks X required. Direct `std::env::var` reads are not service configuration but
    inputs of operator commands (e.g. ADMIN_PASSWORD for `api admin create`): not counted.
    """
    code = strip_tests_and_comments(text)
    helpers_requiring = set()
    for match in re.finditer(r"fn\s+(\w+)\s*(?:<[^>]*>)?\s*\(([^)]*&Env[^)]*)\)[^{;]*\{", code):
        body = code[match.end() - 1: matching_brace(code, match.end() - 1) + 1]
        if ".required(" in body:
            helpers_requiring.add(match.group(1))
    reads: dict[str, bool] = {}

    def add(name: str, required: bool):
        reads[name] = reads.get(name, False) or required

    # platform::config::Env: `required`, `url` and `required_kafka_brokers` demand the variable.
    env_methods = "required|optional|parse_or|flag|url|kafka_brokers|required_kafka_brokers|kafka_name|in_range|millis"
    for m in re.finditer(rf"\.({env_methods})\(\s*\"({IDENT})\"", code):
        add(m.group(2), m.group(1) in ("required", "url", "required_kafka_brokers"))
    for m in re.finditer(rf"\b(\w+)\(\s*&?env\s*,\s*\"({IDENT})\"", code):
        add(m.group(2), m.group(1) in helpers_requiring)
    for m in re.finditer(r"for\s+(\w+)\s+in\s+\[([^\]]*)\]\s*\{", code):
        var, names = m.group(1), re.findall(rf"\"({IDENT})\"", m.group(2))
        body = code[m.end() - 1: matching_brace(code, m.end() - 1) + 1]
        call = re.search(rf"\.(required|optional|parse_or|flag)\(\s*&?{var}\b", body)
        if call:
            for name in names:
                add(name, call.group(1) == "required")
    for m in re.finditer(rf"ConfigError::new\(\s*\"({IDENT})\"\s*,\s*\"is required", code):
        add(m.group(1), True)
    return reads


@cache
def workspace_packages() -> dict[str, Path]:
    """Package or binary name -> crate directory, for the workspace members."""
    manifest = tomllib.loads((ROOT / "Cargo.toml").read_text())
    found = {}
    for member in manifest["workspace"]["members"]:
        crate_dir = ROOT / member
        crate = tomllib.loads((crate_dir / "Cargo.toml").read_text())
        found[crate["package"]["name"]] = crate_dir
        for binary in crate.get("bin", []):
            found[binary["name"]] = crate_dir
    return found


def crate_dirs_of(binary: str) -> list[Path]:
    """The binary's crate plus the workspace crates it depends on (transitively, not dev-deps)."""
    packages = workspace_packages()
    todo, seen = [packages[binary]], []
    while todo:
        crate_dir = todo.pop()
        if crate_dir in seen:
            continue
        seen.append(crate_dir)
        deps = tomllib.loads((crate_dir / "Cargo.toml").read_text()).get("dependencies", {})
        todo += [packages[d] for d in deps if d in packages]
    return seen


def service_reads(binary: str) -> dict[str, bool]:
    """What the binary reads: its crate's reads and those of the library crates it uses. A
    service crate used as a library (order-saga reuses the api's orders code) contributes
    nothing: its configuration is read by its own main, not by the binary that links it."""
    reads: dict[str, bool] = {}
    own = workspace_packages()[binary]
    for crate_dir in crate_dirs_of(binary):
        if crate_dir != own and (crate_dir / "src" / "main.rs").exists():
            continue
        for source in sorted((crate_dir / "src").rglob("*.rs")):
            for name, required in env_reads(source.read_text()).items():
                reads[name] = reads.get(name, False) or required
    return reads


@cache
def native_stack_env() -> dict[str, str]:
    """KEY=value lines that scripts/stack writes to stack.env (write_stack_env's heredoc)."""
    text = STACK_SCRIPT.read_text()
    function = re.search(r"write_stack_env\(\)\s*\{", text)
    assert function, "scripts/stack has no write_stack_env()"
    body = text[function.end():]
    heredoc = re.search(r"<<\s*'?(\w+)'?\n(.*?)\n\1\n", body, re.S)
    assert heredoc, "write_stack_env() has no heredoc"
    return dict(
        line.split("=", 1) for line in heredoc.group(2).splitlines()
        if re.match(rf"{IDENT}=", line)
    )


@cache
def native_topics() -> list[str]:
    match = re.search(r"^TOPICS=\(([^)]*)\)", STACK_SCRIPT.read_text(), re.M)
    assert match, "scripts/stack has no TOPICS=(...) array"
    return match.group(1).split()


@cache
def events_crate_topics() -> dict[str, int]:
    text = EVENTS_CRATE.read_text()
    consts = dict(re.findall(r"pub const (\w+): &str = \"([^\"]+)\";", text))
    table = re.search(r"pub const TOPICS: \[\(&str, i32\); \d+\] = \[(.*?)\];", text, re.S)
    assert table, "crates/events has no TOPICS table"
    return {consts.get(name, name.strip('"')): int(parts)
            for name, parts in re.findall(r"\(\s*([\w\"\.-]+)\s*,\s*(\d+)\s*\)", table.group(1))}


def compose_topics() -> tuple[list[str], int]:
    env = services()["kafka-init"]["environment"]
    return env["TOPICS"].split(), int(env["TOPIC_PARTITIONS"])


# ================================================================================ the tests
class TestValidation:
    def test_compose_file_is_valid_with_the_example_env(self):
        result = compose("--profile", "observability", "config", "--quiet")
        assert result.returncode == 0, result.stderr

    def test_host_ports_override_is_valid(self):
        result = compose("config", "--quiet", files=(COMPOSE_FILE, HOST_PORTS_OVERRIDE))
        assert result.returncode == 0, result.stderr

    @pytest.mark.parametrize("secret", SECRETS)
    def test_a_missing_secret_fails_loudly(self, secret, tmp_path):
        env_file = tmp_path / "env"
        env_file.write_text("".join(
            f"{k}={v}\n" for k, v in env_example().items() if k != secret))
        result = compose("config", "--quiet", env_file=env_file)
        assert result.returncode != 0
        assert secret in result.stderr and "set " in result.stderr, result.stderr

    def test_the_schema_rejects_unknown_keys(self, tmp_path):
        # Guards the validator itself: a typo in a service key must fail.
        broken = tmp_path / "compose.yaml"
        broken.write_text(COMPOSE_FILE.read_text().replace("    healthcheck:", "    healthchek:", 1))
        result = compose("config", "--quiet", files=(broken,))
        assert result.returncode != 0 and "healthchek" in result.stderr

    def test_env_example_lists_every_interpolated_variable(self):
        used = set()
        for f in (COMPOSE_FILE, HOST_PORTS_OVERRIDE):
            code = "\n".join(l for l in f.read_text().splitlines() if not l.lstrip().startswith("#"))
            used |= set(re.findall(r"(?<!\$)\$\{(\w+)", code))
        missing = used - set(env_example())
        assert not missing, f".env.example lacks {sorted(missing)}"

    def test_env_example_holds_only_placeholder_secrets(self):
        example = env_example()
        for secret in SECRETS:
            assert "change-me" in example[secret], f"{secret} in .env.example looks like a real secret"
        assert len(example["JWT_SECRET"]) >= 32  # the api refuses shorter ones

    def test_env_file_is_ignored_and_not_committed(self):
        ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT)
        assert ignored.returncode == 0, ".env must be git-ignored"
        tracked = subprocess.run(["git", "ls-files", ".env"], cwd=ROOT, capture_output=True, text=True)
        assert tracked.stdout.strip() == ""


class TestRules:
    def test_every_required_service_is_defined(self):
        assert REQUIRED_SERVICES <= set(services(None))

    @pytest.mark.parametrize("name", sorted(STATEFUL_SERVICES | {"api", "inventory", "order-saga"}))
    def test_stateful_services_and_api_have_healthchecks(self, name):
        check = services()[name].get("healthcheck") or {}
        assert not check.get("disable") and check.get("test"), f"{name} has no healthcheck"
        assert check["test"][0] in ("CMD", "CMD-SHELL")

    def test_depends_on_waits_for_health_or_completion(self):
        all_services = services()
        for name, svc in all_services.items():
            for dep, spec in (svc.get("depends_on") or {}).items():
                condition = spec.get("condition")
                assert condition in ("service_healthy", "service_completed_successfully"), (
                    f"{name} -> {dep}: {condition}")
                target = all_services[dep]
                if condition == "service_healthy":
                    assert target.get("healthcheck", {}).get("test"), f"{dep} has no healthcheck"
                else:
                    assert target.get("restart", "no") == "no", f"one-shot {dep} must not restart"

    def test_one_shot_services_are_awaited(self):
        awaited = {dep for svc in services().values()
                   for dep, spec in (svc.get("depends_on") or {}).items()
                   if spec.get("condition") == "service_completed_successfully"}
        assert {"kafka-init", "api-migrate", "inventory-migrate"} <= awaited

    def test_one_network_appnet(self):
        assert set(model()["networks"]) == {"appnet"}
        assert not model()["networks"]["appnet"].get("external")
        for name, svc in services().items():
            assert set(svc.get("networks") or {}) == {"appnet"}, name

    def test_only_the_ui_services_publish_ports(self):
        default = {n for n, s in services(None).items() if s.get("ports")}
        assert default == PUBLISHING_SERVICES
        profiled = {n for n, s in services().items() if s.get("ports")} - default
        assert profiled <= OPTIONAL_UI_SERVICES
        for name in default | profiled:
            for port in services()[name]["ports"]:
                assert port.get("host_ip") == "127.0.0.1", f"{name} publishes beyond loopback by default"

    def test_api_is_published_where_check_sh_expects_it(self):
        ports = services()["api"]["ports"]
        assert any(p["target"] == 8000 and p["published"] == "8000" for p in ports)
        assert services()["api"]["environment"]["BIND_ADDR"] == "0.0.0.0:8000"

    @pytest.mark.parametrize("name,path", sorted(STATE_VOLUMES.items()))
    def test_state_lives_in_named_volumes(self, name, path):
        mounts = {v["target"]: v for v in services()[name].get("volumes", [])}
        assert path in mounts, f"{name} has no volume at {path}"
        assert mounts[path]["type"] == "volume" and mounts[path]["source"] in model()["volumes"]

    def test_flink_checkpoints_go_to_the_volume(self):
        props = services()["flink-jobmanager"]["environment"]["FLINK_PROPERTIES"]
        assert "execution.checkpointing.dir: file:///flink-data/checkpoints" in props
        assert services()["flink-job"]["environment"]["FLINK_CHECKPOINT_DIR"] == "file:///flink-data/checkpoints"

    def test_bind_mounts_are_read_only_config(self):
        for name, svc in services().items():
            for volume in svc.get("volumes", []):
                if volume["type"] == "bind":
                    assert volume.get("read_only"), f"{name} bind-mounts {volume['source']} writable"

    def test_images_are_pinned(self):
        for name, svc in services().items():
            image = svc.get("image", "")
            assert pinned(image), f"{name}: image {image!r} is not pinned to a version"

    @pytest.mark.parametrize("dockerfile", sorted((ROOT / "infra" / "docker").glob("*.Dockerfile")),
                             ids=lambda p: p.name)
    def test_dockerfile_base_images_are_pinned(self, dockerfile):
        text = dockerfile.read_text()
        args = dict(re.findall(r"^ARG (\w+)=(\S+)", text, re.M))
        stages = set(re.findall(r"^FROM \S+ AS (\S+)", text, re.M))
        for base in re.findall(r"^FROM (\S+)", text, re.M):
            base = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), base)
            assert base in stages or pinned(base), f"{dockerfile.name}: FROM {base} is not pinned"

    def test_kafka_is_the_official_image_in_kraft_mode(self):
        kafka = services()["kafka"]
        assert kafka["image"].startswith("apache/kafka:")
        assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
        assert kafka["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"

    def test_long_running_services_restart(self):
        for name, svc in services().items():
            one_shot = name in ONE_SHOT_SERVICES
            assert (svc.get("restart", "no") == "no") == one_shot, name


def pinned(image: str) -> bool:
    if "@sha256:" in image:
        return True
    name, _, tag = image.rpartition(":")
    if not name or "/" in tag or tag in ("", "latest"):
        return False
    tag = re.sub(r"\$\{[^}]*:-([^}]*)\}", r"\1", tag)
    return re.search(r"\d+\.\d+", tag) is not None


class TestEnvironment:
    def test_the_scan_finds_the_api_configuration(self):
        # Guards the scanner: the api's variables are known (docs/spec.md#configuration).
        reads = service_reads("api")
        assert {"DATABASE_URL", "REDIS_URL", "KAFKA_BROKERS", "MONGODB_URL", "JWT_SECRET",
                "ACCESS_TTL_SECONDS", "REFRESH_TTL_SECONDS", "CORS_ORIGINS", "ENV",
                "ALLOW_ADMIN_BOOTSTRAP", "BIND_ADDR", "TRUSTED_PROXIES"} <= set(reads)
        assert reads["JWT_SECRET"] and reads["DATABASE_URL"] and not reads["BIND_ADDR"]

    def test_a_service_linking_another_gets_only_its_own_configuration(self):
        reads = service_reads("order-saga")
        assert {"DATABASE_URL", "REDIS_URL", "KAFKA_BROKERS", "RESERVATION_TTL_SECONDS"} <= set(reads)
        assert "JWT_SECRET" not in reads and "MONGODB_URL" not in reads

    def test_scanner_understands_the_read_patterns(self):
        code = '''
            fn url(env: &Env, name: &str) -> R { env.required(name) }
            fn knob(env: &Env, name: &str, d: u64) -> R { env.parse_or(name, d) }
            fn from_env(env: &Env) {
                env.required("A"); env.optional("B"); env.flag("C", false);
                url(env, "D"); knob(env, "E", 1);
                for name in ["F", "G"] { if let Err(e) = env.required(name) {} }
                let _ = std::env::var("H");
                brokers(env, "I")?.ok_or_else(|| ConfigError::new("I", "is required but not set"));
            }
            #[cfg(test)]
            mod tests { fn t() { env.required("TEST_ONLY"); } }
        '''
        assert env_reads(code) == {"A": True, "B": False, "C": False, "D": True, "E": False,
                                   "F": True, "G": True, "I": True}

    def test_compose_sets_every_variable_each_service_reads(self):
        problems = []
        for name, binary in sorted(rust_services().items()):
            env = services()[name].get("environment") or {}
            missing = set(service_reads(binary)) - set(env)
            if missing:
                problems.append(f"{name} ({binary}) reads {sorted(missing)} but Compose does not set them")
        assert not problems, "\n".join(problems)

    def test_native_stack_sets_every_required_variable(self):
        native = set(native_stack_env())
        problems = []
        for binary in sorted(set(rust_services().values())):
            required = {n for n, req in service_reads(binary).items() if req}
            if required - native:
                problems.append(f"{binary} requires {sorted(required - native)}; scripts/stack does not set them")
        assert not problems, "\n".join(problems)

    def test_native_stack_and_compose_use_the_same_names(self):
        # What the native stack hands a service under some name, Compose hands it under the same one.
        native = set(native_stack_env())
        for name, binary in rust_services().items():
            env = set(services()[name].get("environment") or {})
            shared = native & set(service_reads(binary))
            assert shared <= env, f"{name}: {sorted(shared - env)}"
        compose_names = {v for n in rust_services() for v in services()[n].get("environment", {})}
        unknown = native - compose_names - RUNTIME_VARIABLES - set(NATIVE_ALIASES)
        assert not unknown, f"scripts/stack sets {sorted(unknown)}, which no Compose service gets"

    def test_aliased_native_variables_reach_their_service(self):
        stack = STACK_SCRIPT.read_text()
        for alias, (service, variable) in NATIVE_ALIASES.items():
            assert f"{variable}=${alias}" in stack, f"scripts/stack does not hand {alias} to {service} as {variable}"
            native_db = native_stack_env()[alias].rsplit("/", 1)[1]
            assert services()[service]["environment"][variable].rsplit("/", 1)[1] == native_db

    def test_rust_services_get_no_unknown_variables(self):
        # Catches typos: each variable Compose sets for a Rust service is read by some service
        # of the workspace, set by the native stack too, or a runtime variable.
        known = set(native_stack_env()) | RUNTIME_VARIABLES
        for binary in set(workspace_packages()):
            if (workspace_packages()[binary] / "src" / "main.rs").exists():
                known |= set(service_reads(binary))
        pending = PENDING_VARIABLES - known
        for name in rust_services():
            unknown = set(services()[name].get("environment") or {}) - known - pending
            assert not unknown, f"{name} gets {sorted(unknown)}, which nothing reads"

    def test_metrics_endpoints_listen_on_the_container_network(self):
        expected = {"outbox-worker": "0.0.0.0:9101", "projector": "0.0.0.0:9102", "order-saga": "0.0.0.0:9104"}
        for name, addr in expected.items():
            svc = services()[name]
            assert svc["environment"]["METRICS_ADDR"] == addr
            port = addr.rsplit(":", 1)[1]
            assert f"127.0.0.1:{port}/" in " ".join(svc["healthcheck"]["test"])
        scrape = (ROOT / "infra" / "prometheus" / "prometheus.yml").read_text()
        for target in ["api:8000", "outbox-worker:9101", "projector:9102", "inventory:8010", "order-saga:9104",
                       "flink-jobmanager:9249", "flink-taskmanager:9249"]:
            assert f'"{target}"' in scrape


# Variables the outbox-worker and projector read on the pipeline branch (issue 5/6) but not
# yet on this one. They are accepted in Compose until that code lands; afterwards the scan
# finds them and this set has no effect (it can then be emptied).
PENDING_VARIABLES = {
    "METRICS_ADDR", "ORDERS_EVENTS_TOPIC", "DLQ_TOPIC", "SKU_STATS_TOPIC", "CONSUMER_GROUP",
    "DLQ_KAFKA_BROKERS", "OUTBOX_BATCH_SIZE", "OUTBOX_MAX_ATTEMPTS", "OUTBOX_BACKOFF_UNIT_MS",
    "OUTBOX_BACKOFF_MAX_MS", "OUTBOX_POLL_INTERVAL_MS", "KAFKA_MESSAGE_TIMEOUT_MS",
}


class TestTopics:
    def test_compose_native_and_events_crate_name_the_same_topics(self):
        topics, partitions = compose_topics()
        assert sorted(topics) == sorted(native_topics()) == sorted(events_crate_topics())
        assert partitions == 3 and set(events_crate_topics().values()) == {3}

    def test_native_stack_creates_three_partitions(self):
        assert "--partitions 3" in STACK_SCRIPT.read_text()

    def test_topic_settings_of_services_name_existing_topics(self):
        topics, _ = compose_topics()
        for name, svc in services().items():
            for key, value in (svc.get("environment") or {}).items():
                if key.endswith("_TOPIC"):
                    assert value in topics, f"{name}: {key}={value} is not created by kafka-init"

    def test_stream_job_reads_and_writes_existing_topics(self):
        if not STREAM_JOB_SQL.exists():
            pytest.skip("apps/stream-job/job.sql is not on this branch yet")
        topics, _ = compose_topics()
        used = re.findall(r"'topic'\s*=\s*'([^']+)'", STREAM_JOB_SQL.read_text())
        assert used and set(used) <= set(topics)


class TestFlink:
    def test_job_placeholders_are_set_in_compose_and_natively(self):
        if not STREAM_JOB_SQL.exists():
            pytest.skip("apps/stream-job/job.sql is not on this branch yet")
        sql = re.sub(r"--[^\n]*", "", STREAM_JOB_SQL.read_text())  # placeholders in comments don't count
        placeholders = set(re.findall(r"\$\{(\w+)(?::-[^}]*)?\}", sql))
        assert placeholders, "job.sql has no ${VAR} placeholders"
        assert placeholders <= set(services()["flink-job"]["environment"])
        if FLINK_COMPONENT.exists():
            exported = set(re.findall(r"\bexport ([^\n]*)", FLINK_COMPONENT.read_text()))
            names = {w.split("=")[0] for line in exported for w in line.split()}
            assert placeholders <= names, f"flink.sh does not export {sorted(placeholders - names)}"

    def test_flink_and_connector_versions_match_the_native_stack(self):
        dockerfile = (ROOT / "infra" / "docker" / "flink.Dockerfile").read_text()
        args = dict(re.findall(r"^ARG (\w+)=(\S+)", dockerfile, re.M))
        assert args["FLINK_IMAGE"].startswith("flink:2.0.2-")
        assert args["FLINK_CONNECTOR_KAFKA_VERSION"] == "4.0.1-2.0"
        assert args["KAFKA_CLIENTS_VERSION"] == "3.9.1"
        if FLINK_COMPONENT.exists():
            native = FLINK_COMPONENT.read_text()
            assert re.search(r"^FLINK_VERSION=2\.0\.2$", native, re.M)
            assert f"KAFKA_CONNECTOR_VERSION={args['FLINK_CONNECTOR_KAFKA_VERSION']}" in native
            assert f"KAFKA_CLIENTS_VERSION={args['KAFKA_CLIENTS_VERSION']}" in native

    def test_prometheus_reporter_is_enabled(self):
        for name in ("flink-jobmanager", "flink-taskmanager"):
            props = services()[name]["environment"]["FLINK_PROPERTIES"]
            assert "metrics.reporter.prom.factory.class: org.apache.flink.metrics.prometheus.PrometheusReporterFactory" in props
            assert "metrics.reporter.prom.port: 9249" in props

    def test_the_job_is_submitted_once_by_name(self):
        svc = services()["flink-job"]
        assert svc["command"] == ["/opt/orderflow/submit-job.sh"]
        assert svc["environment"]["FLINK_JOB_NAME"] == "orderflow-sku-stats"
        if STREAM_JOB_SQL.exists():
            assert "SET 'pipeline.name' = 'orderflow-sku-stats';" in STREAM_JOB_SQL.read_text()
        script = (ROOT / "infra" / "flink" / "submit-job.sh").read_text()
        assert "/jobs/overview" in script and "already active" in script
        assert subprocess.run(["bash", "-n", str(ROOT / "infra" / "flink" / "submit-job.sh")]).returncode == 0


class TestDockerfiles:
    def stages(self, path: Path) -> list[str]:
        return re.split(r"^(?=FROM )", path.read_text(), flags=re.M)[1:]

    def test_rust_dockerfile_caches_dependencies_and_runs_unprivileged(self):
        path = ROOT / "infra" / "docker" / "rust-service.Dockerfile"
        text = path.read_text()
        assert re.search(r"^ARG SERVICE$", text, re.M)
        build = next(s for s in self.stages(path) if " AS build" in s.splitlines()[0])
        assert build.index("cargo chef cook --release") < build.index("COPY . .")
        assert "SQLX_OFFLINE=true" in build and '--release --locked --bin "$SERVICE"' in build
        runtime = self.stages(path)[-1]
        user = re.findall(r"^USER (\S+)", runtime, re.M)
        assert user and user[-1].split(":")[0] not in ("root", "0")
        assert "debian" in runtime.splitlines()[0] or "RUNTIME_IMAGE" in runtime.splitlines()[0]
        assert (ROOT / ".sqlx").is_dir(), "SQLX_OFFLINE builds need the committed .sqlx/"

    def test_web_dockerfile_builds_then_serves_unprivileged(self):
        path = ROOT / "infra" / "docker" / "web.Dockerfile"
        stages = self.stages(path)
        assert len(stages) >= 2 and "npm ci" in stages[0] and "npm run build" in stages[0]
        user = re.findall(r"^USER (\S+)", stages[-1], re.M)
        assert user and user[-1] not in ("root", "0")

    def test_every_service_builds_from_an_existing_dockerfile(self):
        for name, svc in services().items():
            if "build" in svc:
                assert dockerfile_of(name).is_file(), name

    @pytest.mark.parametrize("dockerfile", sorted((ROOT / "infra" / "docker").glob("*.Dockerfile")),
                             ids=lambda p: p.name)
    def test_copied_sources_exist_and_are_not_dockerignored(self, dockerfile):
        ignored = [l.strip() for l in (ROOT / ".dockerignore").read_text().splitlines()
                   if l.strip() and not l.startswith("#") and not l.startswith("!")]
        missing = []
        for line in re.findall(r"^COPY (?!--from)(.*)$", dockerfile.read_text(), re.M):
            parts = [p for p in line.split() if not p.startswith("--")]
            for source in parts[:-1]:
                if source.startswith("apps/stream-job/") and not (ROOT / "apps/stream-job").exists():
                    continue  # the stream job lands from its own branch
                if not (ROOT / source).exists():
                    missing.append(source)
                for pattern in ignored:
                    assert not source.rstrip("/").startswith(pattern.rstrip("/")), (
                        f"{source} is excluded by .dockerignore ({pattern})")
        assert not missing, f"{dockerfile.name} copies missing {missing}"


class TestWeb:
    @cache
    def parsed(self):
        path = ROOT / "infra" / "web" / "nginx.conf"
        # crossplane checks syntax, directive contexts and argument counts; nginx loads this file
        # inside `http { }`, so parse it wrapped the same way.
        with tempfile.TemporaryDirectory() as tmp:
            wrapper = Path(tmp) / "nginx.conf"
            wrapper.write_text(f"events {{}}\nhttp {{\n{path.read_text()}\n}}\n")
            return crossplane.parse(str(wrapper), check_ctx=True, check_args=True, single=True)

    def test_nginx_config_parses(self):
        result = self.parsed()
        assert result["status"] == "ok", result["errors"]
        headers = crossplane.parse(str(ROOT / "infra" / "web" / "security-headers.conf"),
                                   check_ctx=False, check_args=True, single=True)
        assert headers["status"] == "ok", headers["errors"]

    def test_nginx_proxies_api_like_the_vite_proxy(self):
        text = (ROOT / "infra" / "web" / "nginx.conf").read_text()
        assert "location /api/" in text
        assert "rewrite ^/api/(.*)$ /$1 break;" in text
        assert "set $api_upstream api:8000;" in text
        assert "proxy_cookie_path /auth /api/auth;" in text
        assert "try_files $uri $uri/ /index.html;" in text  # SPA fallback
        vite = (ROOT / "apps" / "web" / "vite.config.ts").read_text()
        assert '"/auth": "/api/auth"' in vite  # the dev proxy does the same rewrite

    def test_nginx_streams_live_updates_unbuffered_and_unlogged(self):
        text = (ROOT / "infra" / "web" / "nginx.conf").read_text()
        body = re.search(r"location = /api/live/stream \{(.*?)\n    \}", text, re.S)
        assert body, "the SSE stream needs its own location"
        for directive in ("proxy_buffering off;", "access_log off;", "proxy_read_timeout 1h;",
                          "rewrite ^/api/(.*)$ /$1 break;"):
            assert directive in body.group(1), directive

    def test_ui_responses_carry_security_headers(self):
        text = (ROOT / "infra" / "web" / "security-headers.conf").read_text()
        for header in ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy",
                       "Content-Security-Policy"):
            assert f"add_header {header} " in text
        nginx = (ROOT / "infra" / "web" / "nginx.conf").read_text()
        # add_header is not inherited into a location that has its own: include it in each.
        static_locations = re.findall(r"location (?:/assets/|/) \{(.*?)\n    \}", nginx, re.S)
        assert len(static_locations) == 2
        for body in static_locations:
            assert "include /etc/nginx/snippets/security-headers.conf;" in body

    def test_api_trusts_only_the_web_proxy(self):
        web_ip = services()["web"]["networks"]["appnet"]["ipv4_address"]
        assert services()["api"]["environment"]["TRUSTED_PROXIES"] == web_ip
        subnet = model()["networks"]["appnet"]["ipam"]["config"][0]["subnet"]
        import ipaddress
        assert ipaddress.ip_address(web_ip) in ipaddress.ip_network(subnet)


class TestShellSnippets:
    """Inline shell in Compose (the kafka-init script, CMD-SHELL healthchecks) must parse.
    `config` output keeps `$$` escaped; the container gets `$`."""

    def test_kafka_init_script_parses(self):
        svc = services()["kafka-init"]
        assert svc["entrypoint"] == ["/bin/bash", "-c"]
        script = svc["command"][0].replace("$$", "$")
        assert "--create --if-not-exists" in script and "$TOPICS" in script
        result = subprocess.run(["bash", "-n"], input=script, text=True, capture_output=True)
        assert result.returncode == 0, result.stderr

    def test_shell_healthchecks_parse(self):
        for name, svc in services().items():
            test = (svc.get("healthcheck") or {}).get("test") or []
            if test[:1] == ["CMD-SHELL"]:
                result = subprocess.run(["sh", "-n"], input=test[1].replace("$$", "$"),
                                        text=True, capture_output=True)
                assert result.returncode == 0, f"{name}: {result.stderr}"
