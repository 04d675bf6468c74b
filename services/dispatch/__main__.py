"""python -m services.dispatch: run visit dispatch until SIGTERM or Ctrl-C."""
import asyncio

from services.dispatch.app import create_app
from services.dispatch.settings import DispatchSettings
from shared.logging import configure_logging


def main() -> None:
    settings = DispatchSettings()
    configure_logging("dispatch", settings.log_level)
    asyncio.run(create_app(settings).serve_forever())


if __name__ == "__main__":
    main()
