"""The human's command line: one module per command group, the terminal's rendering, the file writer.

`console` is the console script's entry point; `main` runs a command line and returns its status.
"""

from postmortem_actions.server.cli.main import console, main

__all__ = ["console", "main"]
