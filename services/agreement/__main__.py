"""python -m services.agreement: run the service until SIGTERM or Ctrl-C."""
from services.agreement.app import create_app
from services.agreement.settings import AgreementSettings
from shared.runtime import run_service

if __name__ == "__main__":
    run_service("agreement", AgreementSettings, create_app)
