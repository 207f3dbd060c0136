"""`python -m postmortem_actions.server` runs the same command as the console script."""

import sys

from .cli import main

sys.exit(main())
