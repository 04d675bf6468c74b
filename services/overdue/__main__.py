"""python -m services.overdue: run overdue detection until SIGTERM or Ctrl-C."""
import asyncio

from services.overdue.app import create_app
from services.overdue.settings import OverdueSettings
from shared.logging import configure_logging


def main() -> None:
    settings = OverdueSettings()
    configure_logging("overdue", settings.log_level)
    asyncio.run(create_app(settings).serve_forever())


if __name__ == "__main__":
    main()
