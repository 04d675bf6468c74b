"""A service as a real operating-system process, for tests that kill it."""
import os
import signal
import subprocess
import sys
from pathlib import Path


class ServiceProcess:
    def __init__(self, module: str, env: dict[str, str], log_path: Path):
        self.module, self.env, self.log_path = module, env, log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen([sys.executable, "-m", self.module], env={**os.environ, **self.env},
                                        stdout=log, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flush, the harshest crash there is."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def terminate(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)
