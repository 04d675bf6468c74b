"""deploy/k8s, checked offline: every overlay renders with kustomize, every object validates
(core kinds with kubernetes-validate, strictly; custom resources against the CRD schemas vendored
in deploy/check/schemas), checkov finds nothing, and the properties a platform team relies on hold.

The facts the manifests must agree with come from the code, not from a copy of them: consumed and
produced topics, consumer groups and dead-letter topics from each service's `create_app(...).spec`,
setting names from the pydantic settings classes."""
from __future__ import annotations

import functools
import importlib
import json
import re
from pathlib import Path

import jsonschema
import kubernetes_validate
import pytest
import yaml

from tests.deploy.conftest import ROOT, run_tool, tool_path

K8S = ROOT / "deploy" / "k8s"
SCHEMAS = ROOT / "deploy" / "check" / "schemas"
OVERLAYS = ("dev", "prod")
KUBERNETES_VERSION = "1.34.0"  # a recent release whose schemas kubernetes-validate ships
SERVICES = ("overdue", "outreach", "dispatch", "agreement")
CUSTOM_KINDS = {("kafka.strimzi.io", "KafkaTopic"), ("keda.sh", "ScaledObject"),
                ("monitoring.coreos.com", "ServiceMonitor"), ("monitoring.coreos.com", "PrometheusRule")}
HTTP_PORT = 8080
IMAGE = "collections-platform"


# ---- facts from the code ----

@functools.cache
def settings_class(process: str):
    if process == "clock":
        return importlib.import_module("services.clock.__main__").ClockSettings
    module = importlib.import_module(f"services.{process}.settings")
    return next(value for name, value in vars(module).items()
                if name.endswith("Settings") and name != "CommonSettings" and isinstance(value, type))


@functools.cache
def setting_names(process: str) -> frozenset[str]:
    names = set()
    for field in settings_class(process).model_fields.values():
        alias = field.validation_alias
        names.update(getattr(alias, "choices", [alias] if isinstance(alias, str) else []))
    return frozenset(names)


@functools.cache
def service_spec(service: str):
    """The ServiceSpec the service really runs with (topics, group): built, nothing connected."""
    app = importlib.import_module(f"services.{service}.app")
    return app.create_app(settings_class(service).model_validate({})).spec


def consumed(service: str) -> list[str]:
    return list(service_spec(service).consumed_topics)


def data_topics(service: str) -> list[str]:
    """What a service consumes, less the single-partition clock topic (read by one replica)."""
    spec = service_spec(service)
    return [t for t in spec.consumed_topics if t not in spec.clock_topics]


def needed_topics() -> set[str]:
    from shared.runtime import dead_letter_topic
    topics = {settings_class("clock").model_validate({}).clock_topic}
    for service in SERVICES:
        spec = service_spec(service)
        topics |= set(spec.consumed_topics) | set(spec.produced_topics)
        topics |= {dead_letter_topic(spec.name, t) for t in spec.consumed_topics}
    return topics


# ---- rendering ----

@functools.cache
def rendered(overlay: str) -> str:
    result = run_tool("kustomize", "build", str(K8S / "overlays" / overlay), timeout=120)
    assert result.returncode == 0, f"kustomize build overlays/{overlay} failed:\n{result.stderr}"
    return result.stdout


@functools.cache
def objects(overlay: str) -> tuple[dict, ...]:
    """The rendered objects (parsed once: read them, never change them)."""
    return tuple(doc for doc in yaml.safe_load_all(rendered(overlay)) if doc)


def of_kind(overlay: str, kind: str) -> list[dict]:
    return [o for o in objects(overlay) if o["kind"] == kind]


def named(overlay: str, kind: str, name: str) -> dict:
    found = [o for o in of_kind(overlay, kind) if o["metadata"]["name"] == name]
    assert len(found) == 1, f"{overlay}: expected one {kind} {name}, found {len(found)}"
    return found[0]


def workloads(overlay: str) -> list[tuple[dict, dict]]:
    """(workload, pod spec) for every Deployment and Job."""
    return [(o, o["spec"]["template"]["spec"]) for o in objects(overlay) if o["kind"] in ("Deployment", "Job")]


def process_of(container: dict) -> str:
    command = container.get("command", [])
    assert command[:2] == ["python", "-m"] and command[2].startswith("services."), command
    return command[2].removeprefix("services.")


def effective_env(overlay: str, container: dict) -> dict[str, object]:
    """Every variable the container gets: ConfigMap values, literals, and secretKeyRef markers."""
    env: dict[str, object] = {}
    for source in container.get("envFrom", []):
        assert set(source) == {"configMapRef"}, f"only ConfigMaps come in whole: {source}"
        env.update(named(overlay, "ConfigMap", source["configMapRef"]["name"])["data"])
    for var in container.get("env", []):
        if "value" in var:
            env[var["name"]] = var["value"]
        elif "fieldRef" in var["valueFrom"]:
            env[var["name"]] = ("field", var["valueFrom"]["fieldRef"]["fieldPath"])
        else:
            ref = var["valueFrom"]["secretKeyRef"]
            env[var["name"]] = ("secret", ref["name"], ref["key"])
    return env


def api_group(obj: dict) -> str:
    return obj["apiVersion"].rpartition("/")[0]


def kafka_topics(overlay: str) -> dict[str, dict]:
    return {t["spec"].get("topicName", t["metadata"]["name"]): t for t in of_kind(overlay, "KafkaTopic")}


def common_config(overlay: str) -> dict[str, str]:
    found = [c for c in of_kind(overlay, "ConfigMap") if c["metadata"]["name"].startswith("collections-common")]
    assert len(found) == 1
    return found[0]["data"]


# ---- the checks ----

@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_builds(overlay):
    kinds = {o["kind"] for o in objects(overlay)}
    assert {"Deployment", "Service", "ServiceAccount", "ConfigMap", "PodDisruptionBudget", "NetworkPolicy", "Job",
            "ScaledObject", "ServiceMonitor", "KafkaTopic", "PrometheusRule"} <= kinds
    names = {(o["kind"], o["metadata"]["name"]) for o in objects(overlay)}
    for service in SERVICES:
        for kind in ("Deployment", "Service", "ServiceAccount", "PodDisruptionBudget", "NetworkPolicy",
                     "ScaledObject", "ServiceMonitor"):
            assert (kind, service) in names, f"{overlay}: no {kind} {service}"
        assert ("Job", f"{service}-migrate") in names
    assert ("Deployment", "clock") in names
    assert [o["metadata"]["name"] for o in objects(overlay) if o["kind"] == "Namespace"] == [
        "collections" if overlay == "prod" else "collections-dev"], "the overlay renders its namespace"
    for o in objects(overlay):
        if o["kind"] != "Namespace":  # cluster-scoped
            assert o["metadata"].get("namespace"), f"{overlay}: {o['kind']} {o['metadata']['name']} has no namespace"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_core_objects_validate_strictly(overlay):
    validated = 0
    for obj in objects(overlay):
        if (api_group(obj), obj["kind"]) in CUSTOM_KINDS:
            continue
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{overlay}: {obj['kind']} {obj['metadata']['name']}: {error.message} at "
                        f"{'/'.join(map(str, error.path))}")
        validated += 1
    assert validated >= 30, validated


def crd_validator(obj: dict) -> jsonschema.Draft7Validator:
    group, version = obj["apiVersion"].split("/")
    path = SCHEMAS / f"{obj['kind'].lower()}-{group}-{version}.json"
    assert path.is_file(), f"no vendored schema for {obj['apiVersion']} {obj['kind']}: {path.name}"
    return _validator(path)


@functools.cache
def _validator(path: Path) -> jsonschema.Draft7Validator:
    schema = json.loads(path.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_custom_resources_match_vendored_crd_schemas(overlay):
    custom = [o for o in objects(overlay) if (api_group(o), o["kind"]) in CUSTOM_KINDS]
    assert {o["kind"] for o in custom} == {kind for _, kind in CUSTOM_KINDS}
    problems = []
    for obj in custom:
        for error in crd_validator(obj).iter_errors(obj):
            problems.append(f"{obj['kind']} {obj['metadata']['name']}: {error.message} at "
                            f"{'/'.join(map(str, error.absolute_path))}")
    assert not problems, "\n".join(problems)


def test_vendored_schemas_are_strict():
    """The vendored schemas reject what the API server would silently prune (a misspelt field)."""
    topic = {"apiVersion": "kafka.strimzi.io/v1beta2", "kind": "KafkaTopic",
             "metadata": {"name": "t"}, "spec": {"partitions": 1, "replica": 3}}
    assert not crd_validator(topic).is_valid(topic)
    scaled = {"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "metadata": {"name": "s"},
              "spec": {"scaleTargetRef": {"name": "d"}, "maxReplicas": 3, "triggers": []}}
    assert not crd_validator(scaled).is_valid(scaled)


def test_checkov_finds_nothing(tmp_path):
    files = []
    for overlay in OVERLAYS:
        assert "checkov.io/skip" not in rendered(overlay), "skips belong in deploy/k8s/.checkov.yaml"
        path = tmp_path / f"{overlay}.yaml"
        path.write_text(rendered(overlay))
        files += ["-f", str(path)]
    config = K8S / ".checkov.yaml"
    result = run_tool("checkov", "--config-file", str(config), *files, "--output", "json", cwd=tmp_path,
                      timeout=300)
    assert result.stdout.strip(), result.stderr[-3000:]
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    failed = [f"{c['check_id']} {c['check_name']}: {c['resource']}"
              for r in reports for c in r["results"]["failed_checks"]]
    assert not failed, "\n".join(failed)
    summary = reports[0]["summary"]
    assert summary["parsing_errors"] == 0 and summary["passed"] > 500, summary
    assert result.returncode == 0, result.stderr[-3000:]
    # every skipped check carries its reason in a comment of the config
    text = config.read_text()
    skipped = yaml.safe_load(text).get("skip-check", [])
    comments = "\n".join(line for line in text.splitlines() if line.lstrip().startswith("#"))
    for check in skipped:
        assert re.search(rf"\b{check}\b", comments), f"{check} is skipped without a reason"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_is_hardened_and_probed(overlay):
    accounts = {a["metadata"]["name"]: a for a in of_kind(overlay, "ServiceAccount")}
    images = set()
    for workload, pod in workloads(overlay):
        where = f"{overlay}: {workload['kind']} {workload['metadata']['name']}"
        assert pod["automountServiceAccountToken"] is False, where
        account = accounts[pod["serviceAccountName"]]
        assert account["automountServiceAccountToken"] is False, where
        assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] == 10001, where
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, where
        assert not pod.get("hostNetwork") and not pod.get("hostPID") and not pod.get("hostIPC"), where
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        for container in pod.get("initContainers", []) + pod["containers"]:
            ctx = container["securityContext"]
            assert ctx["runAsNonRoot"] is True and ctx["runAsUser"] == 10001, where
            assert ctx["readOnlyRootFilesystem"] is True, where
            assert ctx["allowPrivilegeEscalation"] is False and not ctx.get("privileged"), where
            assert ctx["capabilities"] == {"drop": ["ALL"]}, where
            assert ctx["seccompProfile"] == {"type": "RuntimeDefault"}, where
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][kind]), f"{where}: {kind}"
            tmp = [m for m in container.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
            assert tmp and "emptyDir" in volumes[tmp[0]["name"]], f"{where}: /tmp must be an emptyDir"
            images.add(container["image"])
            assert not container["image"].endswith(":latest") and ":" in container["image"], where
            process_of(container)  # asserts it runs `python -m services.<name>`
            if workload["kind"] == "Deployment":
                port = container["ports"][0]
                assert (port["name"], port["containerPort"]) == ("http", HTTP_PORT), where
                assert container["livenessProbe"]["httpGet"]["path"] == "/healthz", where
                assert container["readinessProbe"]["httpGet"]["path"] == "/readyz", where
                for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
                    assert container[probe]["httpGet"]["port"] in ("http", HTTP_PORT), f"{where}: {probe}"
    assert len(images) == 1 and next(iter(images)).rsplit(":", 1)[0].endswith(IMAGE), images


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_are_wired(overlay):
    """Each service: a Service on the HTTP port, a PDB and a ServiceMonitor on /metrics that select
    its server pods, and its migration Job runs `migrate` with the same image and database."""
    for service in SERVICES:
        deployment = named(overlay, "Deployment", service)
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert "replicas" not in deployment["spec"], f"{service}: KEDA owns the replica count"
        svc = named(overlay, "Service", service)
        assert svc["spec"]["ports"] == [{"name": "http", "port": HTTP_PORT, "targetPort": "http", "protocol": "TCP"}]
        assert svc["spec"]["selector"].items() <= pod_labels.items()
        pdb = named(overlay, "PodDisruptionBudget", service)
        assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
        monitor = named(overlay, "ServiceMonitor", service)
        assert monitor["spec"]["selector"]["matchLabels"].items() <= svc["metadata"]["labels"].items()
        assert [(e["port"], e["path"]) for e in monitor["spec"]["endpoints"]] == [("http", "/metrics")]
        job = named(overlay, "Job", f"{service}-migrate")
        [migrate] = job["spec"]["template"]["spec"]["containers"]
        [server] = deployment["spec"]["template"]["spec"]["containers"]
        assert migrate["command"] == ["python", "-m", f"services.{service}", "migrate"]
        assert migrate["image"] == server["image"]
        assert effective_env(overlay, migrate)["DATABASE_URL"] == effective_env(overlay, server)["DATABASE_URL"]
        assert not job["metadata"]["labels"].items() >= deployment["spec"]["selector"]["matchLabels"].items(), \
            "the Deployment must not select the migration pods"
    clock = named(overlay, "Deployment", "clock")
    assert clock["spec"]["replicas"] == 1 and clock["spec"]["strategy"] == {"type": "Recreate"}
    assert not [s for s in of_kind(overlay, "ScaledObject") if s["spec"]["scaleTargetRef"]["name"] == "clock"]
    assert not [h for h in of_kind(overlay, "HorizontalPodAutoscaler")]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_autoscaling_stays_within_partitions(overlay):
    topics = kafka_topics(overlay)
    scaled = {s["spec"]["scaleTargetRef"]["name"]: s for s in of_kind(overlay, "ScaledObject")}
    assert set(scaled) == set(SERVICES)
    for service, obj in scaled.items():
        spec = obj["spec"]
        assert spec["scaleTargetRef"].get("kind", "Deployment") == "Deployment"
        assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"], service
        # one consumer per group until the catch-up before a clock tick covers the whole group: with
        # two, a tick could be handled before a payment on the other replica's partitions
        assert spec["maxReplicaCount"] == 1, f"{overlay}: {service} may run {spec['maxReplicaCount']} consumers"
        triggers = spec["triggers"]
        assert {t["type"] for t in triggers} == {"kafka"}, service
        assert sorted(t["metadata"]["topic"] for t in triggers) == sorted(data_topics(service)), service
        for trigger in triggers:
            meta = trigger["metadata"]
            assert meta["consumerGroup"] == service_spec(service).consumer_group, service
            assert meta.get("bootstrapServersFromEnv") == "KAFKA_BOOTSTRAP_SERVERS" or meta.get("bootstrapServers")
            assert meta.get("allowIdleConsumers", "false") == "false"
        for topic in data_topics(service):
            partitions = topics[topic]["spec"]["partitions"]
            assert spec["maxReplicaCount"] <= partitions, \
                f"{overlay}: {service} may scale to {spec['maxReplicaCount']} > {partitions} partitions of {topic}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_topic_has_a_kafka_topic(overlay):
    topics = kafka_topics(overlay)
    needed = needed_topics()
    assert needed <= set(topics), f"no KafkaTopic for {sorted(needed - set(topics))}"
    assert set(topics) <= needed, f"KafkaTopics nobody uses: {sorted(set(topics) - needed)}"
    common = common_config(overlay)
    bootstrap = common["KAFKA_BOOTSTRAP_SERVERS"]
    clock_topic = settings_class("clock").model_validate({}).clock_topic
    event_retention = []
    for name, topic in topics.items():
        spec, labels = topic["spec"], topic["metadata"]["labels"]
        cluster = labels["strimzi.io/cluster"]
        assert bootstrap.startswith(f"{cluster}-kafka-bootstrap.{topic['metadata']['namespace']}.svc:"), \
            f"{overlay}: {name} is on cluster {cluster}/{topic['metadata']['namespace']}, services use {bootstrap}"
        assert {"partitions", "replicas"} <= set(spec) and int(spec["config"]["retention.ms"]) > 0
        assert int(spec["config"].get("min.insync.replicas", 1)) <= spec["replicas"]
        if name == clock_topic:
            assert spec["partitions"] == 1, "the clock is one partition: ticks in one order"
        elif name.endswith(".dlq"):
            pass
        else:
            assert spec["partitions"] == int(common["TOPIC_PARTITIONS"]), f"{name} vs TOPIC_PARTITIONS"
            event_retention.append(int(spec["config"]["retention.ms"]))
    for name, topic in topics.items():
        if name.endswith(".dlq"):
            assert int(topic["spec"]["config"]["retention.ms"]) > max(event_retention), f"{name}: keep DLQs longer"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_environment_is_real_settings(overlay):
    """Every variable a container gets is one its settings class reads, and its value parses."""
    for workload, pod in workloads(overlay):
        for container in pod["containers"]:
            process = process_of(container)
            env = effective_env(overlay, container)
            unknown = set(env) - setting_names(process)
            assert not unknown, f"{overlay}: {workload['metadata']['name']} sets {sorted(unknown)}, " \
                                f"which {settings_class(process).__name__} does not read"
            values = {k: ("placeholder" if isinstance(v, tuple) else v) for k, v in env.items()}
            settings = settings_class(process).model_validate(values)
            assert settings.migrate_on_start is False and settings.create_topics is False, workload["metadata"]
            assert settings.http_port == HTTP_PORT
            if process != "clock":
                assert isinstance(env.get("DATABASE_URL"), tuple), "DATABASE_URL comes from a Secret"
            for key, value in env.items():
                if re.search(r"TOKEN|PASSWORD|DATABASE_URL|SECRET", key):
                    assert isinstance(value, tuple), f"{key} must come from a Secret, not a ConfigMap"


def test_prod_enables_no_sandbox():
    for workload, pod in workloads("prod"):
        for container in pod["containers"]:
            process = process_of(container)
            env = effective_env("prod", container)
            for key, value in env.items():
                if "SANDBOX" in key:
                    assert str(value).lower() in ("false", "0", "no", "off"), f"prod: {key}={value}"
            settings = settings_class(process).model_validate(
                {k: ("placeholder" if isinstance(v, tuple) else v) for k, v in env.items()})
            for field, value in settings.model_dump().items():
                if "sandbox" in field:
                    assert value is False, f"prod: {process}.{field} is {value}"
            if process == "outreach" and workload["kind"] == "Deployment":
                assert settings.channel_provider == "webhook"
                assert settings.webhook_url.startswith("https://")
                assert env["OUTREACH_WEBHOOK_TOKEN"][0] == "secret"
    assert not of_kind("prod", "Secret"), "production Secrets are created by the platform team, not rendered"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_network_policies(overlay):
    policies = of_kind(overlay, "NetworkPolicy")
    deny = [p for p in policies if p["spec"]["podSelector"] == {}]
    assert deny and not deny[0]["spec"].get("ingress") and not deny[0]["spec"].get("egress")
    assert set(deny[0]["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    for workload, pod in workloads(overlay):
        labels = workload["spec"]["template"]["metadata"]["labels"]
        mine = [p for p in policies if p["spec"]["podSelector"]
                and p["spec"]["podSelector"]["matchLabels"].items() <= labels.items()]
        where = f"{overlay}: {workload['kind']} {workload['metadata']['name']}"
        assert len(mine) == 1, where
        spec = mine[0]["spec"]
        assert set(spec["policyTypes"]) == {"Ingress", "Egress"}, where
        process = process_of(pod["containers"][0])
        ingress_ports = {p["port"] for rule in spec.get("ingress", []) for p in rule["ports"]}
        assert ingress_ports == {HTTP_PORT}, where
        egress_ports = {p["port"] for rule in spec["egress"] for p in rule["ports"]}
        allowed = {53, 9092} | (set() if process == "clock" else {5432}) | ({443} if process == "outreach" else set())
        assert egress_ports <= allowed, where
        if process == "outreach" and overlay == "prod":
            assert 443 in egress_ports, "outreach must reach its gateway in prod"
        assert {53, 9092} <= egress_ports, where
        for rule in spec["egress"]:
            assert rule.get("to"), f"{where}: an egress rule without peers allows everywhere"


def test_readme_documents_every_secret_key():
    readme = (K8S / "README.md").read_text()
    refs = set()
    for _, pod in workloads("prod"):
        for container in pod["containers"]:
            refs |= {v[1:] for v in effective_env("prod", container).values()
                     if isinstance(v, tuple) and v[0] == "secret"}
    assert refs
    for secret, key in sorted(refs):
        assert secret in readme and key in readme, f"deploy/k8s/README.md does not document {secret}/{key}"


def test_tools_are_installed():
    """A missing checker fails (never skips): `make tools` / deploy/check/install.sh installs them."""
    assert run_tool("kustomize", "version").stdout.strip()
    assert tool_path("checkov")
