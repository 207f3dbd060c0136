"""The database schema as SQL: tables, indexes, and the guards (triggers) that enforce the human gate.

The guards (triggers) are the product's promise below the tool layer: whatever code runs against the
file through SQL, an action's owner, due date and lifecycle state change only together with a new,
matching, hash-chained decision row, and decisions are never updated or deleted.
"""

from __future__ import annotations

from typing import Final

from . import lifecycle
from .records import Channel

GENESIS_HASH: Final = "0" * 64
NOW: Final = "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"

_STATES = "('candidate', 'accepted', 'killed', 'done')"
_ISO_DATE = "date({c}) IS {c}"

TABLES: Final = f"""
CREATE TABLE postmortems (
    id            INTEGER PRIMARY KEY,
    title         TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    source        TEXT NOT NULL,
    text          TEXT NOT NULL CHECK (length(text) > 0),
    sha256        TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64),
    severity      TEXT CHECK (severity IS NULL OR severity IN ('SEV0', 'SEV1', 'SEV2', 'SEV3', 'SEV4', 'SEV5')),
    incident_date TEXT CHECK (incident_date IS NULL OR {_ISO_DATE.format(c="incident_date")}),
    created_at    TEXT NOT NULL DEFAULT {NOW},
    created_by    TEXT NOT NULL
) STRICT;

CREATE TABLE actions (
    id             INTEGER PRIMARY KEY,
    postmortem_id  INTEGER NOT NULL REFERENCES postmortems(id),
    text           TEXT NOT NULL CHECK (length(trim(text)) BETWEEN 1 AND 500),
    done_when      TEXT NOT NULL CHECK (length(trim(done_when)) BETWEEN 1 AND 500),
    problem        TEXT NOT NULL CHECK (length(trim(problem)) BETWEEN 1 AND 1000),
    category       TEXT NOT NULL CHECK (category IN ('prevent', 'detect', 'mitigate', 'process')),
    size           TEXT CHECK (size IS NULL OR size IN ('S', 'M', 'L')),
    quote          TEXT NOT NULL CHECK (length(quote) > 0),
    quote_start    INTEGER NOT NULL CHECK (quote_start >= 0),
    quote_end      INTEGER NOT NULL CHECK (quote_end > quote_start),
    proposed_owner TEXT,
    proposed_due   TEXT CHECK (proposed_due IS NULL OR {_ISO_DATE.format(c="proposed_due")}),
    state          TEXT NOT NULL DEFAULT 'candidate' CHECK (state IN {_STATES}),
    owner          TEXT,
    due            TEXT CHECK (due IS NULL OR {_ISO_DATE.format(c="due")}),
    decision_id    INTEGER REFERENCES decisions(id),
    work_status    TEXT CHECK (work_status IS NULL OR work_status IN ('in_progress', 'blocked')),
    status_note    TEXT,
    created_at     TEXT NOT NULL DEFAULT {NOW},
    updated_at     TEXT NOT NULL DEFAULT {NOW}
) STRICT;

CREATE TABLE decisions (
    id         INTEGER PRIMARY KEY,
    action_id  INTEGER NOT NULL REFERENCES actions(id),
    kind       TEXT NOT NULL CHECK (kind IN ('accept', 'kill', 'defer', 'replan', 'complete', 'reopen')),
    from_state TEXT NOT NULL CHECK (from_state IN {_STATES}),
    to_state   TEXT NOT NULL CHECK (to_state IN {_STATES}),
    owner      TEXT,
    due        TEXT CHECK (due IS NULL OR {_ISO_DATE.format(c="due")}),
    reason     TEXT,
    evidence   TEXT,
    decided_by TEXT NOT NULL CHECK (length(trim(decided_by)) > 0),
    channel    TEXT NOT NULL CHECK (channel IN ('elicitation', 'terminal', 'confirm_page', 'tracker')),
    client     TEXT,
    decided_at TEXT NOT NULL,
    prev_hash  TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash       TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
) STRICT;

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    entity    TEXT NOT NULL CHECK (entity IN ('postmortem', 'action', 'ticket')),
    entity_id INTEGER NOT NULL,
    op        TEXT NOT NULL,
    changes   TEXT NOT NULL CHECK (json_valid(changes)),
    actor     TEXT NOT NULL,
    via       TEXT NOT NULL,
    at        TEXT NOT NULL DEFAULT {NOW}
) STRICT;

CREATE TABLE tickets (
    id         INTEGER PRIMARY KEY,
    action_id  INTEGER NOT NULL REFERENCES actions(id),
    tracker    TEXT NOT NULL,
    ref        TEXT NOT NULL,
    url        TEXT,
    state      TEXT,
    created_at TEXT NOT NULL DEFAULT {NOW},
    synced_at  TEXT,
    UNIQUE (tracker, ref),
    UNIQUE (action_id, tracker)
) STRICT;

CREATE INDEX actions_by_postmortem ON actions (postmortem_id, id);
CREATE INDEX actions_by_state ON actions (state, id);
CREATE INDEX actions_by_state_due ON actions (state, due);
CREATE INDEX actions_by_owner ON actions (owner COLLATE NOCASE, state);
CREATE INDEX actions_by_category ON actions (category, state, id);
CREATE INDEX decisions_by_action ON decisions (action_id, id);
CREATE INDEX audit_by_entity ON audit_log (entity, entity_id, id);
"""

# As migration 0001 wrote it; migration 0004 replaces it with the one rendered from `lifecycle.TRANSITIONS`.
_TRANSITIONS_0001 = """(
       (NEW.kind = 'accept'   AND NEW.from_state = 'candidate' AND NEW.to_state = 'accepted'
            AND coalesce(length(trim(NEW.owner)), 0) > 0 AND NEW.due IS NOT NULL)
    OR (NEW.kind = 'defer'    AND NEW.from_state = 'candidate' AND NEW.to_state = 'candidate'
            AND NEW.owner IS NULL AND NEW.due IS NULL)
    OR (NEW.kind = 'kill'     AND NEW.from_state IN ('candidate', 'accepted') AND NEW.to_state = 'killed'
            AND coalesce(length(trim(NEW.reason)), 0) > 0)
    OR (NEW.kind = 'replan'   AND NEW.from_state = 'accepted' AND NEW.to_state = 'accepted'
            AND coalesce(length(trim(NEW.owner)), 0) > 0 AND NEW.due IS NOT NULL
            AND coalesce(length(trim(NEW.reason)), 0) > 0)
    OR (NEW.kind = 'complete' AND NEW.from_state = 'accepted' AND NEW.to_state = 'done')
    OR (NEW.kind = 'reopen'   AND NEW.from_state = 'done' AND NEW.to_state = 'accepted'
            AND coalesce(length(trim(NEW.reason)), 0) > 0)
)"""

INITIAL_GUARDS: Final = {
    "decisions_append_only_update": """
CREATE TRIGGER decisions_append_only_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'gate: decisions are append-only and cannot be updated'); END""",
    "decisions_append_only_delete": """
CREATE TRIGGER decisions_append_only_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'gate: decisions are append-only and cannot be deleted'); END""",
    "decisions_insert_guard": f"""
CREATE TRIGGER decisions_insert_guard BEFORE INSERT ON decisions
BEGIN
    SELECT RAISE(ABORT, 'gate: decision does not continue the hash chain')
    WHERE NEW.prev_hash IS NOT coalesce((SELECT hash FROM decisions ORDER BY id DESC LIMIT 1), '{GENESIS_HASH}')
       OR NEW.id <= coalesce((SELECT max(id) FROM decisions), 0);
    SELECT RAISE(ABORT, 'gate: decision does not start from the action''s current state')
    WHERE NEW.from_state IS NOT (SELECT state FROM actions WHERE id = NEW.action_id);
    SELECT RAISE(ABORT, 'gate: decision kind does not allow this transition or lacks its values')
    WHERE NOT {_TRANSITIONS_0001};
END""",  # noqa: S608 - built from constants only
    "actions_insert_guard": """
CREATE TRIGGER actions_insert_guard BEFORE INSERT ON actions
WHEN NEW.state IS NOT 'candidate' OR NEW.owner IS NOT NULL OR NEW.due IS NOT NULL
  OR NEW.decision_id IS NOT NULL OR NEW.work_status IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'gate: a new action is an undecided candidate with no owner or due date'); END""",
    "actions_commit_guard": """
CREATE TRIGGER actions_commit_guard BEFORE UPDATE ON actions
WHEN NEW.id IS NOT OLD.id
  OR ((NEW.state IS NOT OLD.state OR NEW.owner IS NOT OLD.owner OR NEW.due IS NOT OLD.due
       OR NEW.decision_id IS NOT OLD.decision_id)
      AND NOT EXISTS (
          SELECT 1 FROM decisions d
          WHERE d.id = NEW.decision_id AND d.action_id = NEW.id
            AND d.id > coalesce(OLD.decision_id, 0)
            AND d.id = (SELECT max(id) FROM decisions WHERE action_id = NEW.id)
            AND d.from_state = OLD.state AND d.to_state = NEW.state
            AND d.owner IS NEW.owner AND d.due IS NEW.due))
BEGIN SELECT RAISE(ABORT, 'gate: owner, due date and state change only through a new matching human decision'); END""",
    "actions_wording_guard": """
CREATE TRIGGER actions_wording_guard BEFORE UPDATE OF
    postmortem_id, text, done_when, problem, category, size, quote, quote_start, quote_end,
    proposed_owner, proposed_due ON actions
WHEN OLD.state IS NOT 'candidate'
 AND (NEW.postmortem_id IS NOT OLD.postmortem_id OR NEW.text IS NOT OLD.text
      OR NEW.done_when IS NOT OLD.done_when OR NEW.problem IS NOT OLD.problem
      OR NEW.category IS NOT OLD.category OR NEW.size IS NOT OLD.size OR NEW.quote IS NOT OLD.quote
      OR NEW.quote_start IS NOT OLD.quote_start OR NEW.quote_end IS NOT OLD.quote_end
      OR NEW.proposed_owner IS NOT OLD.proposed_owner OR NEW.proposed_due IS NOT OLD.proposed_due)
BEGIN SELECT RAISE(ABORT, 'gate: only candidates can be edited; accepted items are changed by a decision'); END""",
    "actions_status_guard": """
CREATE TRIGGER actions_status_guard BEFORE UPDATE OF work_status, state ON actions
WHEN NEW.work_status IS NOT NULL AND NEW.state IS NOT 'accepted'
BEGIN SELECT RAISE(ABORT, 'gate: only accepted items have a working status'); END""",
    "actions_delete_guard": """
CREATE TRIGGER actions_delete_guard BEFORE DELETE ON actions
WHEN OLD.state IS NOT 'candidate' OR EXISTS (SELECT 1 FROM decisions WHERE action_id = OLD.id)
BEGIN SELECT RAISE(ABORT, 'gate: decided actions cannot be deleted'); END""",
    "postmortems_text_guard": """
CREATE TRIGGER postmortems_text_guard BEFORE UPDATE OF text, sha256 ON postmortems
WHEN NEW.text IS NOT OLD.text OR NEW.sha256 IS NOT OLD.sha256
BEGIN SELECT RAISE(ABORT, 'gate: a stored postmortem''s text is immutable; add the new version instead'); END""",
    "postmortems_delete_guard": """
CREATE TRIGGER postmortems_delete_guard BEFORE DELETE ON postmortems
WHEN EXISTS (SELECT 1 FROM actions WHERE postmortem_id = OLD.id)
BEGIN SELECT RAISE(ABORT, 'gate: a postmortem with actions cannot be deleted'); END""",
    "audit_append_only_update": """
CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'gate: the audit log is append-only'); END""",
    "audit_append_only_delete": """
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'gate: the audit log is append-only'); END""",
}

# INSERT OR REPLACE deletes the conflicting row without firing DELETE triggers when a connection has
# recursive_triggers off (any raw one), so inserting an existing key is refused per table. Renumbering a
# postmortem would move its actions under another document's text. A kill, complete or reopen keeps the
# owner and due date: a new one is a re-plan, which needs a reason.
REPLACE_GUARDS: Final = {
    "actions_replace_guard": """
CREATE TRIGGER actions_replace_guard BEFORE INSERT ON actions
WHEN EXISTS (SELECT 1 FROM actions WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'gate: an existing action cannot be replaced'); END""",
    "decisions_replace_guard": """
CREATE TRIGGER decisions_replace_guard BEFORE INSERT ON decisions
WHEN EXISTS (SELECT 1 FROM decisions WHERE id = NEW.id OR hash = NEW.hash)
BEGIN SELECT RAISE(ABORT, 'gate: decisions are append-only and cannot be replaced'); END""",
    "decisions_values_guard": """
CREATE TRIGGER decisions_values_guard BEFORE INSERT ON decisions
WHEN NEW.kind NOT IN ('accept', 'replan')
 AND (NEW.owner IS NOT (SELECT owner FROM actions WHERE id = NEW.action_id)
      OR NEW.due IS NOT (SELECT due FROM actions WHERE id = NEW.action_id))
BEGIN SELECT RAISE(ABORT, 'gate: decision of this kind keeps the action''s owner and due date'); END""",
    "postmortems_replace_guard": """
CREATE TRIGGER postmortems_replace_guard BEFORE INSERT ON postmortems
WHEN EXISTS (SELECT 1 FROM postmortems WHERE id = NEW.id OR sha256 = NEW.sha256)
BEGIN SELECT RAISE(ABORT, 'gate: a stored postmortem cannot be replaced; add the new version instead'); END""",
    "postmortems_id_guard": """
CREATE TRIGGER postmortems_id_guard BEFORE UPDATE ON postmortems
WHEN NEW.id IS NOT OLD.id
BEGIN SELECT RAISE(ABORT, 'gate: a stored postmortem cannot be renumbered'); END""",
    "audit_replace_guard": """
CREATE TRIGGER audit_replace_guard BEFORE INSERT ON audit_log
WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'gate: the audit log is append-only'); END""",
}

# As migration 0004 rendered the state machine (frozen: a migration keeps what it wrote when the table grows).
_TRANSITIONS_0004 = """(
    (NEW.kind = 'accept' AND NEW.from_state IN ('candidate') AND NEW.to_state = 'accepted'
        AND coalesce(length(trim(NEW.owner)), 0) > 0 AND NEW.due IS NOT NULL)
    OR (NEW.kind = 'defer' AND NEW.from_state IN ('candidate') AND NEW.to_state = 'candidate')
    OR (NEW.kind = 'kill' AND NEW.from_state IN ('candidate', 'accepted') AND NEW.to_state = 'killed'
        AND coalesce(length(trim(NEW.reason)), 0) > 0)
    OR (NEW.kind = 'replan' AND NEW.from_state IN ('accepted') AND NEW.to_state = 'accepted'
        AND coalesce(length(trim(NEW.owner)), 0) > 0 AND NEW.due IS NOT NULL
        AND coalesce(length(trim(NEW.reason)), 0) > 0)
    OR (NEW.kind = 'complete' AND NEW.from_state IN ('accepted') AND NEW.to_state = 'done')
    OR (NEW.kind = 'reopen' AND NEW.from_state IN ('done') AND NEW.to_state = 'accepted'
        AND coalesce(length(trim(NEW.reason)), 0) > 0)
)"""


def _lifecycle_guards(transitions: str, plan_kinds: str) -> dict[str, str]:
    """The guards that hold the decision state machine, from its legal transitions and its plan-changing kinds."""
    return {
        "decisions_insert_guard": f"""
CREATE TRIGGER decisions_insert_guard BEFORE INSERT ON decisions
BEGIN
    SELECT RAISE(ABORT, 'gate: decision does not continue the hash chain')
    WHERE NEW.prev_hash IS NOT coalesce((SELECT hash FROM decisions ORDER BY id DESC LIMIT 1), '{GENESIS_HASH}')
       OR NEW.id <= coalesce((SELECT max(id) FROM decisions), 0);
    SELECT RAISE(ABORT, 'gate: decision does not start from the action''s current state')
    WHERE NEW.from_state IS NOT (SELECT state FROM actions WHERE id = NEW.action_id);
    SELECT RAISE(ABORT, 'gate: decision kind does not allow this transition or lacks its values')
    WHERE NOT {transitions};
END""",  # noqa: S608 - built from constants only
        "decisions_values_guard": f"""
CREATE TRIGGER decisions_values_guard BEFORE INSERT ON decisions
WHEN NEW.kind NOT IN {plan_kinds}
 AND (NEW.owner IS NOT (SELECT owner FROM actions WHERE id = NEW.action_id)
      OR NEW.due IS NOT (SELECT due FROM actions WHERE id = NEW.action_id))
BEGIN SELECT RAISE(ABORT, 'gate: decision of this kind keeps the action''s owner and due date'); END""",  # noqa: S608
        # Whether we filed a ticket or the assistant linked an existing one decides whether its close may complete
        # the item (tools/trackers): it is written once, when the ticket is linked.
        "tickets_origin_guard": """
CREATE TRIGGER tickets_origin_guard BEFORE UPDATE OF origin ON tickets
WHEN NEW.origin IS NOT OLD.origin
BEGIN SELECT RAISE(ABORT, 'gate: a ticket''s origin (filed by us or linked) cannot change'); END""",
    }


LIFECYCLE_GUARDS_0004: Final = _lifecycle_guards(_TRANSITIONS_0004, "('accept', 'replan')")
# The guards that hold the decision state machine, rendered from its one table (store/lifecycle.py).
LIFECYCLE_GUARDS: Final = _lifecycle_guards(lifecycle.legal_transition_sql(), lifecycle.plan_changing_kinds_sql())

_CHANNELS = "(" + ", ".join(f"'{c}'" for c in Channel) + ")"

# The channels a decision may arrive through, checked by a guard rendered from `Channel` instead of a CHECK
# constraint: a new channel then needs the guard re-rendered, not the decision log's table rebuilt.
CHANNEL_GUARDS: Final = {
    "decisions_channel_guard": f"""
CREATE TRIGGER decisions_channel_guard BEFORE INSERT ON decisions
WHEN NEW.channel NOT IN {_CHANNELS}
BEGIN SELECT RAISE(ABORT, 'gate: a decision arrives only through a known channel'); END""",
}

REQUEST_GUARDS: Final = {
    "decision_requests_answer_guard": """
CREATE TRIGGER decision_requests_answer_guard BEFORE UPDATE ON decision_requests
WHEN OLD.answered_at IS NOT NULL
  OR NEW.id IS NOT OLD.id OR NEW.code_hash IS NOT OLD.code_hash OR NEW.action_id IS NOT OLD.action_id
  OR NEW.version IS NOT OLD.version OR NEW.kind IS NOT OLD.kind OR NEW.proposal IS NOT OLD.proposal
  OR NEW.via IS NOT OLD.via OR NEW.client IS NOT OLD.client OR NEW.created_at IS NOT OLD.created_at
  OR NEW.expires_at IS NOT OLD.expires_at
  OR (NEW.decision_id IS NOT NULL AND NOT EXISTS (
      SELECT 1 FROM decisions d WHERE d.id = NEW.decision_id AND d.action_id = NEW.action_id))
BEGIN SELECT RAISE(ABORT, 'gate: a decision request is answered once and what it asked never changes'); END""",
}

# Not guards: they keep the search index (store/later_tables.py, ACTION_SEARCH) in step with the actions' text.
SEARCH_SYNC: Final = {
    "actions_text_insert": """
CREATE TRIGGER actions_text_insert AFTER INSERT ON actions
BEGIN INSERT INTO actions_text (rowid, text) VALUES (NEW.id, NEW.text); END""",
    "actions_text_update": """
CREATE TRIGGER actions_text_update AFTER UPDATE OF text ON actions
BEGIN
    INSERT INTO actions_text (actions_text, rowid, text) VALUES ('delete', OLD.id, OLD.text);
    INSERT INTO actions_text (rowid, text) VALUES (NEW.id, NEW.text);
END""",
    "actions_text_delete": """
CREATE TRIGGER actions_text_delete AFTER DELETE ON actions
BEGIN INSERT INTO actions_text (actions_text, rowid, text) VALUES ('delete', OLD.id, OLD.text); END""",
}

# The guards on the tables migration 0005 knows; later migrations add their own tables' guards.
GUARDS_0005: Final = {**INITIAL_GUARDS, **REPLACE_GUARDS, **LIFECYCLE_GUARDS, **CHANNEL_GUARDS}
GUARDS: Final = {**GUARDS_0005, **REQUEST_GUARDS, **SEARCH_SYNC}

# A ticket's origin becomes a column; rows linked before come from the audit log's first entry for the ticket
# ("export" when we filed it), and any ticket the log does not name stays "link", which never decides.
TICKET_ORIGIN: Final = """
ALTER TABLE tickets ADD COLUMN origin TEXT NOT NULL DEFAULT 'link' CHECK (origin IN ('export', 'link'));
UPDATE tickets SET origin = 'export'
WHERE (SELECT op FROM audit_log a WHERE a.entity = 'ticket' AND a.entity_id = tickets.id ORDER BY a.id LIMIT 1)
      = 'export'
"""


# What a postmortem's stored text was extracted from when it is not the file's own text: 'docx:name.docx' for a
# Word document rendered as Markdown (issue 15). NULL: the text is the document as given.
POSTMORTEM_ORIGIN: Final = """
ALTER TABLE postmortems ADD COLUMN origin TEXT CHECK (origin IS NULL OR length(origin) BETWEEN 1 AND 300)
"""


# When each action was first accepted, completed, and last had a status report: the review's questions
# ("stale?", "done on time?", "how old?") answered from an index instead of from the decision log per row.
FOLLOWTHROUGH: Final = """
ALTER TABLE actions ADD COLUMN accepted_at TEXT;
ALTER TABLE actions ADD COLUMN completed_at TEXT;
ALTER TABLE actions ADD COLUMN status_at TEXT;
UPDATE actions SET
    accepted_at = (SELECT min(decided_at) FROM decisions d
                   WHERE d.action_id = actions.id AND d.kind = 'accept'),
    completed_at = CASE WHEN state = 'done'
                        THEN (SELECT decided_at FROM decisions d WHERE d.id = actions.decision_id) END,
    status_at = (SELECT max(at) FROM audit_log a
                 WHERE a.entity = 'action' AND a.entity_id = actions.id AND a.op = 'status');
CREATE INDEX actions_by_state_status ON actions (state, work_status, due);
CREATE INDEX actions_by_state_created ON actions (state, created_at);
CREATE INDEX actions_by_state_completed ON actions (state, completed_at);
CREATE INDEX actions_by_state_last_report ON actions (state, coalesce(status_at, accepted_at));
CREATE INDEX decisions_by_time ON decisions (decided_at);
CREATE INDEX actions_by_postmortem_report
    ON actions (postmortem_id, state, accepted_at, category, due, completed_at, owner, created_at);
CREATE INDEX actions_by_category_due ON actions (category, state, due);
"""

# Who this database is, for things that must stay unique across databases and stable across copies and backups
# of one (the calendar UIDs of `export --format ics`): a random 128-bit id, made once when the file is migrated.
DATABASE_ID_0007: Final = """
CREATE TABLE meta (
    key   TEXT PRIMARY KEY CHECK (key IN ('database_id')),
    value TEXT NOT NULL CHECK (length(value) = 32)
) STRICT;
INSERT INTO meta (key, value) VALUES ('database_id', lower(hex(randomblob(16))))
"""

KNOWN_MIGRATIONS: Final = (
    "0001_initial",
    "0002_replace_guards",
    "0003_followthrough",
    "0004_lifecycle_and_origin",
    "0005_revive_revisit_channels",
    "0006_decision_requests_and_search",
    "0007_database_id",
    "0008_people_and_deliveries",
    "0009_postmortem_origin",
    "0010_tokens",
)
