"""Allow ``python -m philly_triage``."""

from philly_triage.cli import main

main()
