"""Vendors strict JSON schemas of the custom resources deploy/k8s uses into deploy/check/schemas/.

    .venv/bin/python deploy/check/vendor_crd_schemas.py          # needs go, mvn and java on PATH

Each schema is the `openAPIV3Schema` of the upstream CustomResourceDefinition, taken from a package
registry (nothing from GitHub), made strict the way kubeconform's openapi2jsonschema does it:
an object that declares `properties` and neither `additionalProperties` nor
`x-kubernetes-preserve-unknown-fields` rejects unknown fields (the API server would silently prune
them: a typo would be lost without a word), `nullable` admits null, `x-kubernetes-int-or-string`
admits both, `apiVersion`/`kind` are pinned, and a Go-only regex form (`^(?i)...`) is rewritten to
Python's (`(?i)^...`, the same language).

  * KEDA ScaledObject: Go module github.com/kedacore/keda/v2, config/crd/bases/.
  * prometheus-operator ServiceMonitor and PrometheusRule: Go module
    github.com/prometheus-operator/prometheus-operator, example/prometheus-operator-crd/.
  * Strimzi KafkaTopic: Strimzi publishes no CRD file to Maven Central, but it publishes the two
    artifacts its own build generates the CRD from: io.strimzi:api (the model classes) and
    io.strimzi:crd-generator (the generator). We run that generator with the exact arguments of
    Strimzi's api/pom.xml, which yields the CRD Strimzi ships as 043-Crd-kafkatopic.yaml.
    (crd-generator is on Maven Central up to 0.45.0; later versions are not.)

Downloads land in Go's module cache ($TOOLS_HOME/go, as the installers use) and in ~/.m2; nothing
is cached in the repository but the schemas themselves.
"""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
OUT = HERE / "schemas"
TOOLS_HOME = Path(os.environ.get("TOOLS_HOME", Path.home() / ".cache" / "collections-tools"))

KEDA = ("github.com/kedacore/keda/v2", "v2.21.0")
PROMETHEUS_OPERATOR = ("github.com/prometheus-operator/prometheus-operator", "v0.85.0")
STRIMZI_VERSION = "0.45.0"

GO_CRDS = [
    (KEDA, "config/crd/bases/keda.sh_scaledobjects.yaml"),
    (PROMETHEUS_OPERATOR, "example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml"),
    (PROMETHEUS_OPERATOR, "example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml"),
]
STRIMZI_CRDS = [("io.strimzi.api.kafka.model.topic.KafkaTopic", "v1beta2")]

STRIMZI_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.vendor</groupId><artifactId>strimzi-crds</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>io.strimzi</groupId><artifactId>api</artifactId><version>{v}</version></dependency>
    <dependency><groupId>io.strimzi</groupId><artifactId>crd-generator</artifactId><version>{v}</version></dependency>
  </dependencies>
</project>
"""


def go_module_dir(module: str, version: str) -> Path:
    env = os.environ | {"GOMODCACHE": str(TOOLS_HOME / "go" / "pkg" / "mod"), "GOFLAGS": "-modcacherw"}
    out = subprocess.run(["go", "mod", "download", "-json", f"{module}@{version}"], env=env, check=True,
                         capture_output=True, text=True, cwd=tempfile.gettempdir()).stdout
    return Path(json.loads(out)["Dir"])


def strimzi_crds(workdir: Path) -> list[tuple[dict, str]]:
    (workdir / "pom.xml").write_text(STRIMZI_POM.format(v=STRIMZI_VERSION))
    subprocess.run(["mvn", "-q", "-B", "dependency:build-classpath", "-Dmdep.outputFile=cp.txt"], cwd=workdir,
                   check=True)
    classpath = (workdir / "cp.txt").read_text().strip()
    found = []
    for cls, version in STRIMZI_CRDS:
        target = workdir / f"{cls.rsplit('.', 1)[1].lower()}.yaml"
        # the arguments of Strimzi's own api/pom.xml (execution generate-crds-v1beta2)
        subprocess.run(["java", "-cp", classpath, "io.strimzi.crdgenerator.CrdGenerator",
                        "--label", "app:strimzi", "--label", "strimzi.io/crd-install:true",
                        "--target-kube", "1.16+", "--crd-api-version", "v1", "--api-versions", version,
                        "--storage-version", version, "--yaml", f"{cls}={target}"], check=True,
                       capture_output=True)
        found.append((yaml.safe_load(target.read_text()),
                      f"Maven Central io.strimzi:api:{STRIMZI_VERSION} + io.strimzi:crd-generator:{STRIMZI_VERSION}"
                      f" (CrdGenerator {cls})"))
    return found


def strict(node):
    """The structural schema as a strict JSON schema (see the module's docstring)."""
    if isinstance(node, list):
        return [strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: strict(value) if key not in ("enum", "default", "example", "required") else value
            for key, value in node.items()}
    if node.pop("x-kubernetes-int-or-string", False):
        node.pop("type", None)
        node["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if node.pop("nullable", False) and "type" in node:
        node["type"] = [node["type"], "null"]
    pattern = node.get("pattern")
    if isinstance(pattern, str) and "(?i)" in pattern and not pattern.startswith("(?i)"):
        # Go's RE2 takes `^(?i)...`; Python's re (jsonschema) wants a global flag first: same meaning
        node["pattern"] = "(?i)" + pattern.replace("(?i)", "", 1)
    preserve = node.get("x-kubernetes-preserve-unknown-fields", False)
    if "properties" in node and "additionalProperties" not in node and not preserve:
        node["additionalProperties"] = False
    for key in [k for k in node if k.startswith("x-kubernetes-")]:
        del node[key]
    return node


def schemas_of(crd: dict, source: str) -> dict[str, dict]:
    group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
    result = {}
    for version in crd["spec"]["versions"]:
        if not version.get("served", True):
            continue
        schema = strict(copy.deepcopy(version["schema"]["openAPIV3Schema"]))
        schema["properties"]["apiVersion"] = {"type": "string", "enum": [f"{group}/{version['name']}"]}
        schema["properties"]["kind"] = {"type": "string", "enum": [kind]}
        schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "metadata"})
        schema = {"$schema": "http://json-schema.org/draft-07/schema#",
                  "$comment": f"{kind}.{group}/{version['name']} from {source}; made strict by "
                              "deploy/check/vendor_crd_schemas.py. Do not edit: re-run the script.",
                  **schema}
        result[f"{kind.lower()}-{group}-{version['name']}.json"] = schema
    return result


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    crds: list[tuple[dict, str]] = []
    for (module, version), path in GO_CRDS:
        crds.append((yaml.safe_load((go_module_dir(module, version) / path).read_text()),
                     f"Go module {module}@{version} {path}"))
    with tempfile.TemporaryDirectory() as workdir:
        crds += strimzi_crds(Path(workdir))
    written = []
    for crd, source in crds:
        for name, schema in schemas_of(crd, source).items():
            (OUT / name).write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n")
            written.append(name)
    print("\n".join(sorted(written)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
