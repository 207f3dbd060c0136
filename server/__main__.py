"""`python -m postmortem_actions.server` runs the same command as the console script."""

import sys

from postmortem_actions.server.cli.main import console

sys.exit(console())
