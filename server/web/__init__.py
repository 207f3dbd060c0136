"""The web board: pages and forms for the humans who decide, own and review action items."""
