"""Follow-ups that are not list items: a "Next steps:" label line over a list, and sub-headings with a
paragraph under a follow-up heading ("#### @dana Alerts configured")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from postmortem_actions.tools.extraction import fields as item_fields
from postmortem_actions.tools.extraction import sentences as statements
from postmortem_actions.tools.extraction.followups import in_followup, is_sub_task, not_a_task
from postmortem_actions.tools.extraction.prefilter import folded
from postmortem_actions.tools.extraction.purposes import SectionInfo, purpose_of
from postmortem_actions.tools.extraction.raw_items import RawItem
from postmortem_actions.tools.extraction.readers.markdown import Block, Document

# A sentence that commits the authors to the list it introduces: "we will make the following changes:", "to prevent
# this, we are going to:", "the following actions will be taken:" (issue 15). Past tense ("we did the following:")
# introduces the response.
_INTRODUCES: Final = re.compile(
    r"\b(?:we(?:'ll|\s+will|\s+are\s+going\s+to|\s+plan\s+to|\s+intend\s+to|\s+need\s+to|\s+must|\s+should|"
    r"\s+are\s+(?:making|taking|adding|implementing|planning))|"
    # a named team or organisation as the subject: "the SRE team will ...", "the OSL will be looking at ..."
    r"(?:the\s+)?(?:(?-i:[A-Z]{2,}[\w-]{0,20})|[\w-]{2,30}\s+team)\s+(?:will|is\s+going\s+to|plans\s+to)|"
    r"(?:will|are\s+going\s+to|are\s+to)\s+be\s+"
    r"(?:made|taken|implemented|done|added|tracked)|next\s+steps?|going\s+forward|to\s+prevent\s+(?:this|a\s+recurrence|"
    r"recurrence|it|similar)|long[\s-]term\s+improvements|"
    # "Planned improvements include:", "Proposed changes are:"
    r"(?:planned|proposed|upcoming|further|future)\s+(?:improvements|changes|actions|work|measures|steps|fixes)\s+"
    r"(?:include|are|will\s+be))\b[^.!?]*:\W*$",
    re.IGNORECASE,
)
# What every introducing sentence ends with (":\W*$") is tested first, so the long alternation above is tried only
# on the few paragraphs that end in a colon.
_WORD_CHARACTER: Final = re.compile(r"\w")
_BOLD_LINE: Final = re.compile(r"^(\*\*|__)(?=\S)([^*_\n]{2,80})(?<=\S)\1$")


_LEAD_HANDLE: Final = re.compile(r"^@[\w-]+\s+")


def _bare_title(line: str) -> bool:
    """A heading typed as a plain line ("Action Items" over a list, the markup lost or never written): a few
    capitalised words with no sentence mark; whether it names follow-ups is asked next."""
    words = line.split()
    return 0 < len(words) <= 4 and line.strip()[0].isupper() and line.rstrip()[-1].isalnum()


def _label_title(line: str, doc: Document) -> str:
    """A label line's title: clean text without the colon or bold marks around it."""
    # clean() drops a leading "Action items:" marker, which here is the whole label
    return (item_fields.clean(line, doc.definitions) or line.strip(" \t*_")).rstrip(":").strip(" *_")


def label_line(doc: Document, block: Block, purpose: str = "narrative") -> tuple[int, SectionInfo] | None:
    """A one-line paragraph such as "Agreed actions:", "**Next steps:**" or "**Action items**" that heads the list
    below it, or a paragraph whose last sentence commits to the list it introduces ("we will make the following
    changes:") in a narrative or response section."""
    last = block.lines[-1] if block.lines else (block.start, block.end)
    line = doc.text[last[0] : last[1]]
    # The introducing sentence may wrap over several lines: its commitment is often on a line above the colon.
    low = max(block.start, block.end - 300)
    # `tail` ends in a colon exactly when no word character follows the window's last colon: the
    # spaces joining it again are no word characters. Most paragraphs end otherwise, and are not joined at all.
    colon = doc.text.rfind(":", low, block.end)
    ends_in_colon = colon >= 0 and _WORD_CHARACTER.search(doc.text, colon, block.end) is None
    tail = " ".join(doc.text[low : block.end].split()) if ends_in_colon else ""
    if purpose in ("narrative", "response") and ends_in_colon and _INTRODUCES.search(tail):
        title = item_fields.clean(tail[tail.rfind(". ") + 1 :].strip(), doc.definitions)
        return block.section, SectionInfo(title=title.rstrip(":"), purpose="followup")
    if len(block.lines) != 1 or len(line.split()) > 8:
        return None
    bold = _BOLD_LINE.match(line.strip())
    if not line.rstrip(" *_").endswith(":") and (bold is None or bold.group(2)[-1] in ".!?") and not _bare_title(line):
        return None
    title = _label_title(line, doc)
    if purpose_of(title) != "followup":
        return None
    info = SectionInfo(
        title=title,
        purpose="followup",
        due=item_fields.due_in_heading(title),
        tickets=item_fields.tickets(line, doc.definitions),
    )
    return block.section, info


def item_label(doc: Document, block: Block, plain: bool = False) -> str | None:
    """The title of a top-level list item that is only a label ("- **Review actions**:", "- **Impact**",
    "- Resolution:" in a write-up kept as one outline), or None for any other block. With `plain` (in the story
    of a write-up, not its timeline or response) also a label with no colon or bold (`_plain_label`)."""
    if block.kind != "item" or block.parent >= 0:
        return None
    line = doc.text[block.start : block.end].rstrip()
    if "\n" in line or len(line.split()) > 8:
        return None
    if not line.endswith((":", "*", "_")):  # most items: neither a colon nor bold markup at the end
        return _plain_label(doc, block, line) if plain else None
    title = _label_title(line, doc)
    # bold, as a heading is, or a label naming what a section is for ("- Review actions:", the bold lost in a
    # Word export): "3. Review token usage:" over its sub-items is a task with its parts
    bold = _BOLD_LINE.match(line.strip().removesuffix(":").rstrip())
    if bold is not None and bold.group(2).rstrip(":")[-1:] not in (".", "!", "?", ""):
        return title
    return title if line.endswith(":") and purpose_of(title) is not None else None


def _plain_label(doc: Document, block: Block, line: str) -> str | None:
    """The title of an item over sub-items that names a follow-up section in a few words, with no colon or bold
    ("7. Preventative Measures" in a write-up kept as a numbered outline, as Word exports it), or None."""
    if not block.children or len(line.split()) > 6 or line[-1:] in ".!?":
        return None
    title = _label_title(line, doc)
    if purpose_of(title) != "followup" or statements.is_imperative(title):
        return None
    # Its sub-items are the measures: one at least is a task, and none a question ("Open follow-up questions") or
    # a thing that is already so ("Existing preventive measures: nightly backups").
    items = [
        item_fields.clean(doc.text[doc.blocks[i].start : doc.blocks[i].end], doc.definitions) for i in block.children
    ]
    if any(item.rstrip().endswith("?") for item in items):
        return None
    return title if any(_a_task(item) for item in items) else None


def _a_task(item: str) -> bool:
    """Whether a sub-item says work to do: a task of its own (`is_sub_task`), a commitment, or "X will do Y"."""
    return is_sub_task(item) or statements.is_commitment(item) or statements.is_future_with(item, folded(item))


def label_item(title: str) -> SectionInfo | None:
    """The follow-up list a label item (`item_label`) heads, or None when its title names something else: its
    sub-items, or the list right after it when it has none, are read as that list's items."""
    if purpose_of(title) != "followup":
        return None
    return SectionInfo(title=title, purpose="followup", due=item_fields.due_in_heading(title))


def lead_handle(title: str) -> str | None:
    """ "@dana" for a heading that starts with a handle ("@dana Alerts configured")."""
    match = re.match(rf"{item_fields.HANDLE}(?=\s)", title)
    return match.group(0) if match else None


def _without_lead_handle(title: str) -> str:
    """A heading's title without the @handle it starts with ("@dana Alerts configured" -> "Alerts configured")."""
    return _LEAD_HANDLE.sub("", title)


def headed_actions(doc: Document, infos: list[SectionInfo]) -> list[RawItem]:
    """Follow-ups written as sub-headings ("#### @dana Alerts configured") with a paragraph, not as a list.

    Under a follow-up heading, a sub-section with no list or table of its own is one action: its heading and the
    first sentence below it are the quote, an @handle in the heading is the owner. Its own sub-sections are its
    notes; a heading that only groups sub-headings is none (`_groups`)."""
    listed = {b.section for b in doc.blocks if b.kind in ("item", "row")}
    first_para: dict[int, Block] = {}
    for block in doc.blocks:
        if block.kind == "para" and block.parent < 0:
            first_para.setdefault(block.section, block)
    skipped = _groups(doc)
    raws: list[RawItem] = []
    for index, heading in enumerate(doc.sections):
        parent = heading.parent
        if (
            index == 0
            or index in listed
            or index in skipped
            or infos[index].purpose != "followup"
            or purpose_of(heading.title)
            or not (0 < parent < index and infos[parent].purpose == "followup" and parent not in listed)
        ):
            continue
        title_at = doc.text.find(heading.title.split()[0], heading.start, heading.end) if heading.title else -1
        start, end = (title_at, heading.end) if title_at >= 0 else (heading.start, heading.end)
        shown = item_fields.clean(_without_lead_handle(heading.title), doc.definitions)
        para = first_para.get(index)
        done = False
        if para is not None:
            first = statements.sentences(doc.text, para.start, para.end)[0]
            if not_a_task(doc.text[first[0] : first[1]]):
                continue  # a topic heading over a story ("A double spend succeeded ..."): its sentences are read alone
            end = first[1]
            shown = item_fields.clean(doc.text[first[0] : first[1]], doc.definitions) or shown
            done = item_fields.done(doc.text[first[0] : first[1]])
        if len(shown) < 3:
            continue
        skipped.update(i for i, h in enumerate(doc.sections) if h.parent == index)  # its notes, not more actions
        raws.append(
            RawItem(
                start,
                end,
                shown,
                "section_prose",
                True,
                index,
                shown,
                shown,
                owner=lead_handle(heading.title) or item_fields.owner(heading.title),
                tickets=item_fields.tickets(heading.title, doc.definitions),
                done=done,
            )
        )
    return raws


def _groups(doc: Document) -> set[int]:
    """Sub-headings that group sub-headings of their own under a topic ("### Engineering:" over "#### Pre-release
    process", "#### SSH" over "##### SSH keys should give minimal access"), an introduction below them or not: no
    task in their title. "### @dana Add alerting" over "#### Notes" is an action, and its notes are not."""
    parents = {heading.parent for heading in doc.sections if heading.parent > 0}
    return {index for index in parents if not statements.is_task_like(_without_lead_handle(doc.sections[index].title))}


def _marker(doc: Document, block: Block) -> str:
    """A list item's kind of marker: "1" for a numbered item, else its bullet ("-", "*", "+")."""
    line_start = doc.text.rfind("\n", 0, block.start) + 1
    mark = doc.text[line_start : block.start].lstrip()[:1]
    return "1" if mark.isdigit() else mark


@dataclass(slots=True)
class OpenList:
    """The follow-up list a label opened outside a follow-up section, as `_extract` walks the blocks: a "Next
    steps:" line over the list below it, or a "- **Review actions**:" item over its sub-items, or, with none, over
    the list right after it: a list of its own (another marker, "1." after "-"), which ends where that list does.
    The items that follow a label in its own list are its siblings, not its items."""

    label: tuple[int, SectionInfo] | None = None
    outline: tuple[int, SectionInfo] | None = None
    # The label item's marker and that of the list it heads ("": not seen yet); ("", "") when the label, if any,
    # is a line, not an item.
    markers: tuple[str, str] = ("", "")

    def read(self, doc: Document, index: int, block: Block, info: SectionInfo) -> list[RawItem] | None:
        """The actions `block` adds to the open list ([] for a label, which opens one), or None when no open list
        takes it and it is read under its section's rules."""
        if self.label is not None and (block.section != self.label[0] or (block.kind != "item" and block.parent < 0)):
            self.label = None
        if self.outline is not None and (block.parent < 0 or block.section != self.outline[0]):
            self.outline = None
        from_item = bool(self.markers[0])
        if self.label is not None and from_item and block.kind == "item" and block.parent < 0:
            self._follow(_marker(doc, block))
        title = item_label(doc, block, info.purpose == "narrative") if info.purpose != "followup" else None
        if title is not None and from_item:
            self.label = None
        if title is not None and (labelled := label_item(title)) is not None:
            opened = (block.section, labelled)
            self.outline, self.label = (opened, None) if block.children else (None, opened)
            self.markers = (_marker(doc, block), "")
            return []
        if self.outline is not None:
            return in_followup(doc, index, block, self.outline[1])
        if block.kind == "para" and block.parent < 0 and info.purpose != "followup":
            self.label = label_line(doc, block, info.purpose)
            self.markers = ("", "")
            if self.label is not None:
                return []
        if self.label is not None and block.kind == "item":
            return in_followup(doc, index, block, self.label[1])
        return None

    def _follow(self, marker: str) -> None:
        """Close a childless label item's list at a top-level item that is not of it: a sibling of the label (its
        marker), or an item of a third list."""
        own, headed = self.markers
        if not headed and marker != own:
            self.markers = (own, marker)  # the first item of the list the label heads
        elif marker != headed:
            self.label = None
