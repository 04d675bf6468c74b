"""Offline checks of what platform teams deploy: the checkers are real binaries, installed by
`make tools` (deploy/check/install.sh) into $TOOLS_HOME/bin. A missing checker fails the test."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS_BIN = Path(os.environ.get("TOOLS_HOME", Path.home() / ".cache" / "collections-tools")) / "bin"


def tool_path(name: str) -> str:
    for candidate in (TOOLS_BIN / name, shutil.which(name)):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    pytest.fail(f"{name} not installed: run `make tools` (deploy/check/install.sh)")


def run_tool(name: str, *args: str, cwd: Path = ROOT, input: str | None = None,
             timeout: float = 600) -> subprocess.CompletedProcess:
    """Run a checker; the result carries returncode, stdout and stderr (text)."""
    return subprocess.run([tool_path(name), *args], cwd=cwd, input=input, capture_output=True, text=True,
                          timeout=timeout)
