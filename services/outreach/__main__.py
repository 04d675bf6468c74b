"""python -m services.outreach: run the service until SIGTERM or Ctrl-C."""
from services.outreach.app import create_app
from services.outreach.settings import OutreachSettings
from shared.runtime import run_service

if __name__ == "__main__":
    run_service("outreach", OutreachSettings, create_app)
