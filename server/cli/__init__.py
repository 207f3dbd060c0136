"""The human's command line: one module per command group, the terminal's rendering, the file writer.

`main` is the console script's entry point.
"""

from postmortem_actions.server.cli.main import main

__all__ = ["main"]
