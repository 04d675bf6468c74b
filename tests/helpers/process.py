"""A service as a real operating-system process, for tests that kill it."""
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from pydantic_settings import BaseSettings


class ServiceProcess:
    def __init__(self, module: str, env: dict[str, str], log_path: Path):
        self.module, self.env, self.log_path = module, env, log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen([sys.executable, "-m", self.module], env={**os.environ, **self.env},
                                        stdout=log, stderr=subprocess.STDOUT)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flush, the harshest crash there is."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def terminate(self, grace_seconds: float = 60) -> int:
        """SIGTERM, as Kubernetes sends it; the exit code (a TimeoutExpired past the grace period)."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=grace_seconds)


def settings_env(settings: BaseSettings) -> dict[str, str]:
    """The environment that makes `python -m services.<name>` read exactly these settings: each field
    under the first name its alias accepts (`None` left out)."""
    env = {}
    for name, info in type(settings).model_fields.items():
        value = getattr(settings, name)
        if value is None:
            continue
        alias = info.validation_alias
        variable = alias.choices[0] if alias is not None and hasattr(alias, "choices") else (alias or name)
        env[str(variable).upper()] = str(value).lower() if isinstance(value, bool) else str(value)
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
