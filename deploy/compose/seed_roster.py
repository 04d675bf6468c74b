"""The simulated roster for `docker compose --profile simulation up`, seeded once.

`make run` seeds it with tools/roster_seed.py into a freshly reset dispatch database; here the
database outlives the containers, and POST /collectors creates a new collector on every call, so
this seeds only while dispatch reports an empty roster (its dispatch_collectors_active gauge,
refreshed every 5 s). The supervisor token is the first `token:supervisor` pair of API_TOKENS.

usage: python seed_roster.py http://dispatch:8083
"""
import sys
import time
import urllib.request

from shared.settings import CommonSettings
from tools.roster_seed import seed

GAUGE = "dispatch_collectors_active"


def active_collectors(base_url: str) -> float:
    with urllib.request.urlopen(f"{base_url}/metrics", timeout=10) as response:
        for line in response.read().decode().splitlines():
            if line.startswith(GAUGE + " "):
                return float(line.split()[1])
    raise SystemExit(f"{base_url}/metrics has no {GAUGE}")


def main(base_url: str) -> int:
    tokens = CommonSettings().api_tokens
    supervisor = next((pair.split(":", 1)[0] for pair in tokens.split(",") if pair.endswith(":supervisor")), None)
    if supervisor is None:
        raise SystemExit("API_TOKENS has no token:supervisor pair to seed the roster with")
    time.sleep(6)  # dispatch is ready; let its roster gauge refresh once
    if (active := active_collectors(base_url)) > 0:
        print(f"roster: {active:.0f} active collectors already, nothing seeded", flush=True)
        return 0
    print(f"roster: {seed(base_url, supervisor)} collectors created", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "http://dispatch:8083"))
