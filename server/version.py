"""The package version, kept apart so that the CLI can show it without importing the SDK."""

VERSION = "0.1.0"
