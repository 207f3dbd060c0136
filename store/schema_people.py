"""Schema of migration 0008 (issue 14, nudges): the people table and the record of delivered reminders.

Kept beside `schema.py` (which holds the tables, the guards and the list of known migrations) so that module stays
small; nothing here touches actions or decisions.
"""

from __future__ import annotations

from typing import Final

from .schema import _ISO_DATE, NOW

# Nudges (issue 14): the people owners' free-text names map to (names and aliases matched case-insensitively, an
# email address and a Slack member id), and what each reminder run delivered, so every reminder goes out once per
# cadence. Neither table touches actions or decisions: a reminder reads, it never decides. Kinds and channels are
# checked by the code that writes them (no CHECK list to rebuild the table for when a channel is added). A reminder
# run reads whole ranges of items (hundreds of thousands at a million actions): three covering indexes serve them
# without a table lookup per row (bench/remind_scale.py).
PEOPLE_AND_DELIVERIES: Final = f"""
CREATE TABLE people (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL CHECK (length(trim(name)) BETWEEN 1 AND 100),
    email      TEXT CHECK (email IS NULL OR (length(email) BETWEEN 3 AND 254 AND instr(email, '@') > 1)),
    slack_id   TEXT CHECK (slack_id IS NULL OR length(slack_id) BETWEEN 2 AND 40),
    created_at TEXT NOT NULL DEFAULT {NOW}
) STRICT;
CREATE UNIQUE INDEX people_by_name ON people (name COLLATE NOCASE);
CREATE TABLE person_aliases (
    id         INTEGER PRIMARY KEY,
    person_id  INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    alias      TEXT NOT NULL CHECK (length(trim(alias)) BETWEEN 1 AND 100),
    created_at TEXT NOT NULL DEFAULT {NOW}
) STRICT;
CREATE UNIQUE INDEX person_aliases_by_alias ON person_aliases (alias COLLATE NOCASE);
CREATE INDEX person_aliases_by_person ON person_aliases (person_id);
CREATE TABLE deliveries (
    id            INTEGER PRIMARY KEY,
    subject       TEXT NOT NULL CHECK (subject IN ('item', 'postmortem', 'digest')),
    action_id     INTEGER REFERENCES actions(id) ON DELETE CASCADE,
    postmortem_id INTEGER REFERENCES postmortems(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (length(kind) BETWEEN 1 AND 40),
    channel      TEXT NOT NULL CHECK (length(channel) BETWEEN 1 AND 40),
    recipient    TEXT NOT NULL CHECK (length(recipient) BETWEEN 1 AND 200),
    day          TEXT NOT NULL CHECK ({_ISO_DATE.format(c="day")}),
    delivered_at TEXT NOT NULL DEFAULT {NOW},
    CHECK ((subject = 'item') = (action_id IS NOT NULL)),
    CHECK ((subject = 'postmortem') = (postmortem_id IS NOT NULL))
) STRICT;
CREATE INDEX deliveries_by_recipient ON deliveries (channel, recipient, kind, day, action_id, postmortem_id);
CREATE INDEX deliveries_by_action ON deliveries (action_id) WHERE action_id IS NOT NULL;
CREATE INDEX actions_remind_due ON actions (state, due, owner, status_at, accepted_at, postmortem_id);
CREATE INDEX actions_remind_report
    ON actions (state, coalesce(status_at, accepted_at), due, owner, postmortem_id, status_at, accepted_at);
CREATE INDEX actions_remind_undecided ON actions (state, postmortem_id, created_at, decision_id)
"""
