"""python -m services.agreement: run agreement tracking until SIGTERM or Ctrl-C."""
import asyncio

from services.agreement.app import create_app
from services.agreement.settings import AgreementSettings
from shared.logging import configure_logging


def main() -> None:
    settings = AgreementSettings()
    configure_logging("agreement", settings.log_level)
    asyncio.run(create_app(settings).serve_forever())


if __name__ == "__main__":
    main()
