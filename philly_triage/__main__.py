"""Allow ``python -m philly_triage``."""

from philly_triage._internal.cli.main import main

main()
