"""docker-compose.yml, deploy/docker/Dockerfile and .dockerignore, checked offline (no Docker engine is needed).

The compose file must satisfy the Compose Specification's JSON schema (vendored from compose-go, see
deploy/check/schemas/compose-spec.SOURCE.md), and the wiring no schema knows about: dependencies that
exist and wait for health or completion, app containers read-only and not root, host mounts that exist,
environment variables that are real settings of the process they are given to, database URLs that name
a role and a database the init SQL creates, health checks, and Prometheus scraping every service.
"""
import copy
import json
import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from jsonschema import Draft202012Validator
from pydantic import AliasChoices

from services.agreement.settings import AgreementSettings
from services.clock.__main__ import ClockSettings
from services.dispatch.settings import DispatchSettings
from services.outreach.settings import OutreachSettings
from services.overdue.settings import OverdueSettings
from shared.settings import CommonSettings
from tests.deploy.conftest import ROOT

pytestmark = pytest.mark.deploy

COMPOSE = ROOT / "docker-compose.yml"
COMPOSE_SCHEMA = ROOT / "deploy" / "check" / "schemas" / "compose-spec.json"
DOCKERFILE = ROOT / "deploy" / "docker" / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
INIT_SQL = ROOT / "deploy" / "docker" / "postgres-init.sql"
PROMETHEUS_CONFIG = ROOT / "deploy" / "compose" / "prometheus.yml"
SERVICES = {"overdue": OverdueSettings, "outreach": OutreachSettings, "dispatch": DispatchSettings,
            "agreement": AgreementSettings}
APP_DOCKERFILE = "deploy/docker/Dockerfile"
INTERPOLATION = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?+])(?P<default>[^}]*))?\}")


# ---- loading ----------------------------------------------------------------------------------------

def interpolate(node, environment: dict[str, str] | None = None):
    """Compose's ${VAR}, ${VAR:-default} and ${VAR-default} with an empty environment (the defaults)."""
    environment = environment or {}
    if isinstance(node, dict):
        return {key: interpolate(value, environment) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate(value, environment) for value in node]
    if isinstance(node, str):
        def value(match: re.Match) -> str:
            name, op, default = match["name"], match["op"], match["default"]
            if op in (":-", "-"):
                return environment.get(name) or default if op == ":-" else environment.get(name, default)
            if op in (":?", "?"):
                pytest.fail(f"${{{name}}} is required: compose without it set cannot start")
            return environment.get(name, "")
        return INTERPOLATION.sub(value, node.replace("$$", "\0")).replace("\0", "$")
    return node


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def compose(raw) -> dict:
    return interpolate(raw)


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def is_app(service: dict) -> bool:
    """Built from this repository's image (the services, the migration jobs, the clock, the simulator)."""
    build = service.get("build")
    return isinstance(build, dict) and build.get("dockerfile") == APP_DOCKERFILE


def command(service: dict) -> list[str]:
    cmd = service.get("command")
    return cmd if isinstance(cmd, list) else str(cmd).split()


def environment(service: dict) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def settings_class(name: str, service: dict):
    """Which settings class reads the environment of this container, from what it runs."""
    cmd = command(service)
    if cmd[:2] == ["python", "-m"] and cmd[2].startswith("services."):
        module = cmd[2].removeprefix("services.")
        return ClockSettings if module == "clock" else SERVICES[module]
    if cmd[:2] == ["python", "-m"] and cmd[2] == "simulator":
        return None  # reads os.environ directly: see simulator_variables()
    script = mounted_script(service, cmd[1])
    if "CommonSettings()" in script.read_text():
        return CommonSettings
    pytest.fail(f"{name}: cannot tell which settings `{' '.join(cmd)}` reads")


def mounted_script(service: dict, container_path: str) -> Path:
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if target == container_path:
            return ROOT / source
    pytest.fail(f"{container_path} is not mounted")


def aliases(cls) -> set[str]:
    names = set()
    for field in cls.model_fields.values():
        alias = field.validation_alias
        if isinstance(alias, str):
            names.add(alias)
        elif isinstance(alias, AliasChoices):
            names |= {choice for choice in alias.choices if isinstance(choice, str)}
    return names


def simulator_variables() -> set[str]:
    return set(re.findall(r"os\.environ\.get\(\"(\w+)\"", (ROOT / "simulator" / "__main__.py").read_text()))


def load_settings(cls, env: dict[str, str], monkeypatch):
    """The settings object the process builds from exactly this environment."""
    for name in aliases(cls):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return cls()


def init_sql() -> tuple[dict[str, str], dict[str, str]]:
    text = INIT_SQL.read_text()
    roles = dict(re.findall(r"CREATE ROLE (\w+) LOGIN PASSWORD '([^']*)'", text))
    databases = dict(re.findall(r"CREATE DATABASE (\w+) OWNER (\w+)", text))
    return roles, databases


# ---- the schema -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def compose_validator() -> Draft202012Validator:
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_the_compose_file_follows_the_compose_specification(raw, compose, compose_validator):
    for document in (raw, compose):  # as written, and with the ${VAR:-default} defaults filled in
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                  for e in compose_validator.iter_errors(document)]
        assert not errors, "\n".join(errors)


def test_the_schema_check_catches_mistakes(raw, compose_validator):
    for path, value in [(("services", "overdue", "depends_on", "kafka", "condition"), "service_ready"),
                        (("services", "overdue", "ports"), "8081:8081"),
                        (("services", "overdue", "helthcheck"), {})]:
        broken = copy.deepcopy(raw)
        node = broken
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value
        assert not compose_validator.is_valid(broken), path


# ---- dependencies and health ----------------------------------------------------------------------

def depends_on(service: dict) -> dict[str, dict]:
    deps = service.get("depends_on") or {}
    return {name: {"condition": "service_started"} for name in deps} if isinstance(deps, list) else deps


def is_one_shot(service: dict) -> bool:
    return service.get("restart") == "no"


def test_every_dependency_exists_and_waits_for_the_right_state(services):
    for name, service in services.items():
        for target, how in depends_on(service).items():
            assert target in services, f"{name} depends on {target}, which is not a service"
            condition = how.get("condition", "service_started")
            if condition == "service_healthy":
                assert "healthcheck" in services[target], f"{name} waits for {target} to be healthy; it has no check"
            if condition == "service_completed_successfully":
                assert is_one_shot(services[target]), f"{name} waits for {target} to complete; it restarts"
            if not service.get("profiles"):
                assert not services[target].get("profiles"), f"{name} runs always but needs {target} of a profile"


def test_every_long_running_container_has_a_health_check(services):
    for name, service in services.items():
        if is_one_shot(service):
            continue
        check = service.get("healthcheck")
        assert check and not check.get("disable") and check["test"][0] in ("CMD", "CMD-SHELL"), name


def test_each_service_migrates_first_then_starts_on_a_healthy_kafka_and_postgres(services, monkeypatch):
    for name, cls in SERVICES.items():
        service, job = services[name], services[f"{name}-migrate"]
        assert command(service) == ["python", "-m", f"services.{name}"]
        assert command(job) == ["python", "-m", f"services.{name}", "migrate"] and is_one_shot(job)
        assert depends_on(service) == {"kafka": {"condition": "service_healthy"},
                                       "postgres": {"condition": "service_healthy"},
                                       f"{name}-migrate": {"condition": "service_completed_successfully"}}
        assert depends_on(job) == {"postgres": {"condition": "service_healthy"}}
        running = load_settings(cls, environment(service), monkeypatch)
        migrating = load_settings(cls, environment(job), monkeypatch)
        assert running.migrate_on_start is False, f"{name} must refuse a schema its job has not migrated"
        assert running.database_url == migrating.database_url, f"{name} and its migration use different databases"
        assert running.kafka_bootstrap_servers == "kafka:9092"


def test_each_service_is_healthy_only_when_ready_on_its_own_port(services, monkeypatch):
    for name, cls in SERVICES.items():
        service = services[name]
        port = load_settings(cls, environment(service), monkeypatch).http_port
        test = service["healthcheck"]["test"]
        assert test[:3] == ["CMD", "python", "-c"], f"{name}: the slim image has python, not curl"
        assert f"http://127.0.0.1:{port}/readyz" in test[3] and "urlopen" in test[3], name
        assert f"{port}:{port}" in service.get("ports", []), f"{name}: publish its port {port} as itself"


def test_infrastructure_is_kafka_3_9_kraft_and_postgres_15_with_health_checks(services):
    kafka, postgres = services["kafka"], services["postgres"]
    assert kafka["image"] == "apache/kafka:3.9.1"
    assert "controller" in kafka["environment"]["KAFKA_PROCESS_ROLES"], "KRaft: the broker is its own controller"
    assert not any("zookeeper" in key.lower() for key in kafka["environment"])
    assert "kafka-broker-api-versions.sh" in " ".join(kafka["healthcheck"]["test"])
    assert re.fullmatch(r"postgres:15(\b.*)?", postgres["image"])
    assert "pg_isready" in postgres["healthcheck"]["test"] and "127.0.0.1" in postgres["healthcheck"]["test"]
    assert any(v.startswith("./deploy/docker/postgres-init.sql:/docker-entrypoint-initdb.d/")
               for v in postgres["volumes"])


def test_one_clock_under_realtime_and_the_simulator_as_make_run_drives_it_under_simulation(services):
    from tools.demo import HOURLY_TICKS

    assert services["clock"]["profiles"] == ["realtime"] and command(services["clock"]) == ["python", "-m",
                                                                                             "services.clock"]
    assert "replicas" not in (services["clock"].get("deploy") or {}), "exactly one clock"
    assert [name for name, s in services.items() if "services.clock" in command(s)] == ["clock"]
    simulator = services["simulator"]
    assert simulator["profiles"] == ["simulation"] and is_one_shot(simulator)
    cmd = command(simulator)
    assert cmd[:3] == ["python", "-m", "simulator"] and cmd[cmd.index("--ticks") + 1] == HOURLY_TICKS
    assert {"overdue", "outreach", "dispatch", "agreement", "roster-seed"} <= set(depends_on(simulator))
    assert services["roster-seed"]["profiles"] == ["simulation"]
    # the demo's sandbox flags (tools/demo.py), switched together by COLLECTIONS_SANDBOX
    raw_env = {name: yaml.safe_load(COMPOSE.read_text())["services"][name]["environment"]
               for name in ("dispatch", "agreement")}
    assert raw_env["dispatch"]["DISPATCH_SANDBOX_FIELD_TEAM"].startswith("${COLLECTIONS_SANDBOX")
    assert raw_env["agreement"]["AGREEMENT_SANDBOX_SIGNATURES"].startswith("${COLLECTIONS_SANDBOX")


# ---- containers -----------------------------------------------------------------------------------

def test_every_app_container_is_read_only_and_not_root(services):
    apps = {name: service for name, service in services.items() if is_app(service)}
    assert set(SERVICES) | {f"{name}-migrate" for name in SERVICES} | {"clock", "simulator"} <= set(apps)
    for name, service in apps.items():
        assert service.get("read_only") is True, name
        assert "/tmp" in service.get("tmpfs", []), f"{name}: a writable /tmp on the read-only root"
        user = str(service.get("user", "")).split(":")[0]
        assert user and user not in ("0", "root"), f"{name} must not run as root"
        assert "ALL" in service.get("cap_drop", []), name
        assert not service.get("privileged"), name


def test_every_mounted_host_path_exists_in_the_repository(services):
    named = set(yaml.safe_load(COMPOSE.read_text()).get("volumes") or {})
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume["source"] if isinstance(volume, dict) else volume.split(":")[0]
            if source.startswith((".", "/")):
                path = (ROOT / source).resolve()
                assert path.is_relative_to(ROOT) and path.exists(), f"{name} mounts {source}, which is not here"
            else:
                assert source in named, f"{name} uses volume {source}, which is not declared"


def test_every_variable_given_to_a_container_is_a_setting_it_reads(services, monkeypatch):
    for name, service in services.items():
        if not is_app(service):
            continue
        env, cls = environment(service), settings_class(name, service)
        known = simulator_variables() if cls is None else aliases(cls)
        assert set(env) <= known, f"{name} is given {sorted(set(env) - known)}, which it never reads"
        if cls is not None:
            load_settings(cls, env, monkeypatch)  # and every value parses


def test_each_database_url_names_a_role_and_database_of_the_init_sql(services, monkeypatch):
    roles, databases = init_sql()
    assert set(roles) == set(databases) == set(SERVICES), "one role and one database per service"
    text = INIT_SQL.read_text()
    for database in databases:
        assert f"REVOKE ALL ON DATABASE {database} FROM PUBLIC" in text, f"{database} must be closed to the others"
    seen = {}
    for name, service in services.items():
        if not is_app(service) or "database_url" not in (getattr(settings_class(name, service), "model_fields", {})):
            continue
        url = urlsplit(load_settings(settings_class(name, service), environment(service), monkeypatch).database_url)
        database = url.path.lstrip("/")
        assert (url.hostname, url.port) == ("postgres", 5432), name
        assert url.username in roles and url.password == roles[url.username], f"{name}: no such role or password"
        assert databases.get(database) == url.username, f"{name}: {database} is not a database its role owns"
        seen[name] = database
    assert {seen[name] for name in SERVICES} == set(SERVICES) and len(set(seen[n] for n in SERVICES)) == 4


def test_secrets_come_from_the_environment(raw):
    """Tokens and passwords are ${VARIABLES} with local defaults, never literals only this file knows."""
    variables = {"API_TOKENS": "API_TOKENS", "OUTREACH_WEBHOOK_TOKEN": "OUTREACH_WEBHOOK_TOKEN",
                 "POSTGRES_PASSWORD": "POSTGRES_PASSWORD", "GF_SECURITY_ADMIN_PASSWORD": "GRAFANA_ADMIN_PASSWORD"}
    found = set()
    for name, service in raw["services"].items():
        env = service.get("environment") or {}
        for key, variable in variables.items():
            if key in env:
                found.add(key)
                assert str(env[key]).startswith(f"${{{variable}:-"), f"{name}: {key} is not read from ${variable}"
    assert found == set(variables)


# ---- Prometheus and Grafana -----------------------------------------------------------------------

def test_prometheus_scrapes_every_service_at_its_port_and_loads_the_alerts(services, monkeypatch):
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    for name, cls in SERVICES.items():
        port = load_settings(cls, environment(services[name]), monkeypatch).http_port
        job = jobs[name]
        assert job.get("metrics_path", "/metrics") == "/metrics"
        assert [t for c in job["static_configs"] for t in c["targets"]] == [f"{name}:{port}"]
    assert "/etc/prometheus/alerts.yaml" in config["rule_files"]
    volumes = services["prometheus"]["volumes"]
    assert "./deploy/compose/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in volumes
    assert "./deploy/prometheus/alerts.yaml:/etc/prometheus/alerts.yaml:ro" in volumes


def test_grafana_is_provisioned_from_the_repository_and_reads_this_prometheus(services):
    grafana = services["grafana"]
    assert "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro" in grafana["volumes"]
    assert "./deploy/grafana/dashboards:/var/lib/grafana/dashboards:ro" in grafana["volumes"]
    assert depends_on(grafana) == {"prometheus": {"condition": "service_healthy"}}
    for path in (ROOT / "deploy" / "grafana" / "provisioning" / "datasources").glob("*.y*ml"):
        for source in yaml.safe_load(path.read_text()).get("datasources", []):
            if source.get("type") == "prometheus":
                url = urlsplit(source["url"])
                assert url.hostname in services and url.port == 9090, f"{path.name}: {source['url']}"
    for path in (ROOT / "deploy" / "grafana" / "provisioning" / "dashboards").glob("*.y*ml"):
        for provider in yaml.safe_load(path.read_text()).get("providers", []):
            assert provider["options"]["path"].startswith("/var/lib/grafana/dashboards"), path.name


# ---- the image ------------------------------------------------------------------------------------

def dockerfile_stages() -> list[list[str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    stages: list[list[str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(line)
    return stages


def test_the_image_is_multi_stage_slim_non_root_and_without_secrets():
    stages = dockerfile_stages()
    assert len(stages) >= 2, "wheels are built in their own stage"
    build, runtime = stages[0], stages[-1]
    assert any("pip wheel" in line for line in build)
    assert not any(line.upper().startswith(("COPY SHARED", "COPY SERVICES", "COPY . ")) for line in runtime), \
        "the runtime stage installs wheels, it does not copy the source"
    users = [line.split()[1] for line in runtime if line.upper().startswith("USER ")]
    assert users and users[-1].split(":")[0] == "10001"
    assert any(line.startswith("ENV ") and "PYTHONUNBUFFERED=1" in line for line in runtime)
    cmd = json.loads(next(line for line in runtime if line.startswith("CMD "))[4:])
    assert cmd[:2] == ["python", "-m"] and cmd[2].startswith("services.")
    assert "slim" in DOCKERFILE.read_text().split("ARG PYTHON_IMAGE=")[1].split()[0]
    for line in (line for stage in stages for line in stage if line.startswith(("ENV ", "ARG "))):
        assert not re.search(r"(TOKEN|PASSWORD|SECRET|DATABASE_URL|API_KEY)", line), f"baked secret? {line}"


def dockerignore_excludes(path: str, patterns: list[tuple[bool, re.Pattern]]) -> bool:
    """moby/patternmatcher's rule: the last pattern matching the path or one of its parents decides."""
    parts, excluded = path.split("/"), False
    for negated, pattern in patterns:
        if any(pattern.fullmatch("/".join(parts[:i])) for i in range(1, len(parts) + 1)):
            excluded = not negated
    return excluded


def dockerignore_patterns() -> list[tuple[bool, re.Pattern]]:
    patterns = []
    for line in DOCKERIGNORE.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated, line = line.startswith("!"), line.lstrip("!").strip("/")
        regex, i = "", 0
        while i < len(line):
            if line.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif line.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif line[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif line[i] == "?":
                regex, i = regex + "[^/]", i + 1
            elif line[i] == "[":
                end = line.index("]", i)
                regex, i = regex + line[i:end + 1], end + 1
            else:
                regex, i = regex + re.escape(line[i]), i + 1
        patterns.append((negated, re.compile(regex)))
    return patterns


def test_the_build_context_holds_what_pip_wheel_needs_and_nothing_else():
    patterns = dockerignore_patterns()
    tracked = subprocess.run(["git", "ls-files", "pyproject.toml", "shared", "services", "simulator", "tools"],
                             cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert any(path.endswith(".sql") for path in tracked) and any(path.endswith(".json") for path in tracked)
    for path in tracked:
        assert not dockerignore_excludes(path, patterns), f"{path} is left out of the build context"
    for path in (".git/HEAD", ".venv/bin/python", "tests/conftest.py", "bench/results/run.json",
                 "bench-1bcb5398-faust-data/x", ".run/overdue.log", ".hypothesis/examples/x", ".pytest_cache/v",
                 "collections_platform.egg-info/PKG-INFO", "shared/__pycache__/settings.cpython-311.pyc",
                 "services/overdue/__pycache__/app.cpython-311.pyc", "deploy/k8s/x.yaml", "docker-compose.yml",
                 ".env", "shared/.env"):
        assert dockerignore_excludes(path, patterns), f"{path} would be sent to the builder"
    copied = {line.split()[1] for line in dockerfile_stages()[0] if line.startswith("COPY ")}
    assert {"pyproject.toml", "shared", "services", "simulator", "tools"} <= copied
    includes = re.search(r"include = \[(.*?)\]", (ROOT / "pyproject.toml").read_text())[1]
    assert {name.strip(' "*') for name in includes.split(",")} <= copied, "every package pyproject.toml finds"
