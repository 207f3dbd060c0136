"""Tables added or rebuilt after the first release, as the migrations that bring a file up to date write them."""

from __future__ import annotations

from typing import Final

from .schema import _ISO_DATE, _STATES

# The decision log gains a defer's revisit date and loses its CHECKs on kind and channel (the guards check
# both, rendered from the code: a revive or a web decision needs no rebuild); candidates say who proposed them.
# Rows, ids and hashes are copied unchanged; `Database._migrate` runs this with foreign keys off.
DECISIONS_0005: Final = f"""
CREATE TABLE decisions_0005 (
    id         INTEGER PRIMARY KEY,
    action_id  INTEGER NOT NULL REFERENCES actions(id),
    kind       TEXT NOT NULL,
    from_state TEXT NOT NULL CHECK (from_state IN {_STATES}),
    to_state   TEXT NOT NULL CHECK (to_state IN {_STATES}),
    owner      TEXT,
    due        TEXT CHECK (due IS NULL OR {_ISO_DATE.format(c="due")}),
    reason     TEXT,
    evidence   TEXT,
    decided_by TEXT NOT NULL CHECK (length(trim(decided_by)) > 0),
    channel    TEXT NOT NULL,
    client     TEXT,
    decided_at TEXT NOT NULL,
    prev_hash  TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash       TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
    revisit_on TEXT CHECK (revisit_on IS NULL OR {_ISO_DATE.format(c="revisit_on")})
) STRICT;
INSERT INTO decisions_0005 (id, action_id, kind, from_state, to_state, owner, due, reason, evidence, decided_by,
                            channel, client, decided_at, prev_hash, hash)
SELECT id, action_id, kind, from_state, to_state, owner, due, reason, evidence, decided_by,
       channel, client, decided_at, prev_hash, hash FROM decisions ORDER BY id;
DROP TABLE decisions;
ALTER TABLE decisions_0005 RENAME TO decisions;
CREATE INDEX decisions_by_action ON decisions (action_id, id);
CREATE INDEX decisions_by_time ON decisions (decided_at);
ALTER TABLE actions ADD COLUMN proposed_by TEXT
"""  # noqa: S608 - built from constants only


# Questions put to the human outside the client (store/requests.py). A request is answered once: the answer, its
# outcome and the decision it recorded are written together and never change; what it asks never changes.
DECISION_REQUESTS: Final = """
CREATE TABLE decision_requests (
    id          INTEGER PRIMARY KEY,
    code_hash   TEXT NOT NULL UNIQUE CHECK (length(code_hash) = 64),
    action_id   INTEGER NOT NULL REFERENCES actions(id),
    version     TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('decide', 'replan', 'complete', 'reopen')),
    proposal    TEXT NOT NULL CHECK (json_valid(proposal)),
    via         TEXT NOT NULL CHECK (via IN ('url', 'browser', 'mcp-app')),
    client      TEXT,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    answered_at TEXT,
    outcome     TEXT CHECK (outcome IS NULL OR outcome IN ('decided', 'rejected')),
    decision_id INTEGER REFERENCES decisions(id),
    CHECK ((answered_at IS NULL) = (outcome IS NULL)),
    CHECK (outcome IS NOT 'decided' OR decision_id IS NOT NULL)
) STRICT;
CREATE INDEX decision_requests_by_action ON decision_requests (action_id, kind, id)
"""


# Finding items by words in their text: a trigram index (any substring of three characters or more, any case) kept
# by triggers, so a board search answers from the index instead of reading every action.
ACTION_SEARCH: Final = """
CREATE VIRTUAL TABLE actions_text USING fts5(text, content='actions', content_rowid='id', tokenize='trigram');
INSERT INTO actions_text(actions_text) VALUES ('rebuild')
"""
