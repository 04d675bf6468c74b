"""python -m services.outreach: run outreach until SIGTERM or Ctrl-C."""
import asyncio

from services.outreach.app import create_app
from services.outreach.settings import OutreachSettings
from shared.logging import configure_logging


def main() -> None:
    settings = OutreachSettings()
    configure_logging("outreach", settings.log_level)
    asyncio.run(create_app(settings).serve_forever())


if __name__ == "__main__":
    main()
