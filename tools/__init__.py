"""Operations of postmortem-actions: pure, typed functions over the store that return pydantic models.

The flow, in the order a postmortem goes through it:

    postmortems   a document is stored (document_files: which files may be read, and how)
    extraction/   what it proposes: findings with exact evidence, vagueness, categories, the coverage gap
    candidates    the assistant's candidates, tied to evidence
    decisions     the human gate: the questions put to a person and the decision their answer records
    followthrough/  what is overdue, the agenda, status summaries, the report, plain-file exports
    trackers/     tickets in GitHub, Jira or Linear, and closes read back

`queries` lists actions; `models`, `schema` and `days` hold what crosses the boundary; `markdown_text` writes stored
text into Markdown that renders as itself.
"""
