"""The desktop extension's entry point: the `postmortem-actions` command, with the arguments the host passes."""

import sys

from postmortem_actions.server.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
