"""python -m services.dispatch: run the service until SIGTERM or Ctrl-C."""
from services.dispatch.app import create_app
from services.dispatch.settings import DispatchSettings
from shared.runtime import run_service

if __name__ == "__main__":
    run_service("dispatch", DispatchSettings, create_app)
