"""The findings the extractor builds without validation (models.built, issue 10) are the models validation makes."""

from __future__ import annotations

from pathlib import Path

import markup_samples
import pytest

from postmortem_actions.tools.extraction import extract
from postmortem_actions.tools.extraction.models import Finding

SAMPLES = Path(__file__).resolve().parents[1] / "server" / "samples"
CURLY = "## Action items\n\n- We\u2019ll add an alert on queue depth (owner: @dana, due 2027-01-15)\n- Done: fixed it\n"
DOCUMENTS = {
    **{path.name: (path.read_text(encoding="utf-8"), path.name) for path in sorted(SAMPLES.glob("*.md"))},
    **{ext: (text, f"incident{ext}") for ext, text in markup_samples.BY_EXTENSION.items()},
    "curly apostrophes": (CURLY, None),
}


@pytest.mark.parametrize("label", sorted(DOCUMENTS))
def test_every_finding_equals_the_one_validation_builds_from_its_values(label: str) -> None:
    text, name = DOCUMENTS[label]
    findings = extract(text, name)
    assert findings, label
    for finding in findings:
        again = Finding.model_validate(finding.model_dump(), strict=True)
        assert again == finding
        assert finding.model_fields_set == set(Finding.model_fields)
        assert [type(getattr(finding, key)) for key in Finding.model_fields] == [
            type(getattr(again, key)) for key in Finding.model_fields
        ]
