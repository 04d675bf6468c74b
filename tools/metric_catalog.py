"""The series names the services really export, for checking PromQL against.

Every module under shared/ and services/ that defines prometheus_client metrics is imported (found by
reading the source, so a new metrics module is picked up without editing this list); the metrics it
registers in the default registry are expanded to the sample names Prometheus stores: a counter `x`
as `x_total` and `x_created`, a histogram as `_bucket`, `_sum`, `_count`, `_created`, a gauge as
itself. The default process_*/python_* collectors and the series Prometheus adds to every scrape
(`up`, `scrape_*`) and rule evaluation (`ALERTS`, `ALERTS_FOR_STATE`) are included.
"""
import importlib
import re
from functools import cache
from pathlib import Path

from prometheus_client import REGISTRY
from prometheus_client.metrics import MetricWrapperBase

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("shared", "services")
SERVICES = ("overdue", "outreach", "dispatch", "agreement")
PROMETHEUS_SERIES = frozenset({
    "up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling",
    "scrape_series_added", "scrape_timeout_seconds", "scrape_sample_limit", "scrape_body_size_bytes",
    "ALERTS", "ALERTS_FOR_STATE",
})
_SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "gaugehistogram": ("_bucket", "_gsum", "_gcount"),
    "summary": ("", "_sum", "_count", "_created"),
    "info": ("_info",),
}
_DEFINES_METRICS = re.compile(r"\b(Counter|Gauge|Histogram|Summary|Info|Enum)\(")


def _series(family) -> set[str]:
    """The sample names of a metric family: its samples, or by type when it has none yet (labelled)."""
    if family.samples:
        return {sample.name for sample in family.samples}
    return {family.name + suffix for suffix in _SUFFIXES.get(family.type, ("",))}


def metric_modules() -> list[str]:
    """Dotted names of the modules under shared/ and services/ that define metrics."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            text = path.read_text()
            if path.name != "__main__.py" and "prometheus_client" in text and _DEFINES_METRICS.search(text):
                found.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return found


@cache
def _defined_by_module() -> dict[str, frozenset[str]]:
    """Series names defined by each metrics module (imports them, registering their metrics)."""
    by_module = {}
    for name in metric_modules():
        module = importlib.import_module(name)
        series: set[str] = set()
        for value in vars(module).values():
            if isinstance(value, MetricWrapperBase):
                for family in value.collect():
                    series |= _series(family)
        by_module[name] = frozenset(series)
    return by_module


def exported_series(service: str | None = None) -> frozenset[str]:
    """Every series name the services export (or, given a service, what that service's process exports:
    shared metrics, its own, the default collectors), plus Prometheus's own per-target series."""
    by_module = _defined_by_module()
    names = set(PROMETHEUS_SERIES)
    for family in REGISTRY.collect():  # every registered metric, and the default collectors
        names |= _series(family)
    if service is None:
        return frozenset(names)
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}")
    foreign = set().union(*(series for module, series in by_module.items()
                            if module.startswith("services.") and not module.startswith(f"services.{service}.")))
    return frozenset(names - foreign)


if __name__ == "__main__":
    for series_name in sorted(exported_series()):
        print(series_name)
