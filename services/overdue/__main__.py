"""python -m services.overdue: run the service until SIGTERM or Ctrl-C."""
from services.overdue.app import create_app
from services.overdue.settings import OverdueSettings
from shared.runtime import run_service

if __name__ == "__main__":
    run_service("overdue", OverdueSettings, create_app)
