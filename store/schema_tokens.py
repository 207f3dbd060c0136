"""Schema of migration 0010 (issue 16, the team server): access tokens for the people in the people table.

A token is stored only as its SHA-256 hash (it is printed once, when it is made); it names one person and one role.
Revoking stamps `revoked_at`; a revoked token is never accepted again and the row stays as the record of it.
"""

from __future__ import annotations

from typing import Final

from .schema import NOW

TOKENS: Final = f"""
CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('viewer', 'member', 'admin')),
    hash       TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
    label      TEXT CHECK (label IS NULL OR length(label) BETWEEN 1 AND 100),
    created_at TEXT NOT NULL DEFAULT {NOW},
    revoked_at TEXT
) STRICT;
CREATE INDEX tokens_by_person ON tokens (person_id)
"""
