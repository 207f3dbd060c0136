"""Where each character of a reader's rendering came from in the source document.

A reader that turns HTML (or wiki markup) into Markdown-like text copies the document's words as they are and
writes its own marks ("- ", "## ", newlines) around them. The map keeps that as runs, not as one number per
character: a run of copied text maps character by character, a run of written marks maps every character to one
offset (the markup that produced it). Offsets never decrease along the rendering.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from typing import overload


class OffsetMap(Sequence[int]):
    """`origin[i]` is the source offset of rendered character i; one entry more than the rendering has, the
    source's length, so that a span reaching the rendering's end maps to the source's end."""

    __slots__ = ("_at", "_copied", "_from", "_last", "_run", "_size")

    def __init__(self) -> None:
        self._at: list[int] = []  # rendered offset where each run starts
        self._from: list[int] = []  # source offset of each run's first character
        self._copied: list[bool] = []  # copied text (offsets step by one) or written marks (one offset)
        self._size = 0
        self._last = 0  # the last offset added
        self._run: bool | None = None  # the last run's kind (`_copied[-1]`), None before the first

    def add(self, pos: int, size: int, copied: bool) -> None:
        """Map the next `size` rendered characters: copied from `pos` on, or written at `pos`. A written run is
        placed no earlier than what precedes it (marks are often written after the text that follows them)."""
        if copied:
            self.add_copied(pos, size)
        else:
            self.add_written(pos, size)

    def add_copied(self, pos: int, size: int) -> None:
        """Map the next `size` rendered characters as copied from `pos` on."""
        if size <= 0:
            return
        if self._run is not True or pos != self._last + 1:  # else it continues the previous run
            self._at.append(self._size)
            self._from.append(pos)
            self._copied.append(True)
            self._run = True
        self._last = pos + size - 1
        self._size += size

    def add_written(self, pos: int, size: int) -> None:
        """Map the next `size` rendered characters as written at `pos` (or at the last offset, if that is later)."""
        if size <= 0:
            return
        last = self._last
        if pos < last:
            pos = last
        if self._run is not False or pos != last:
            self._at.append(self._size)
            self._from.append(pos)
            self._copied.append(False)
            self._run = False
        self._last = pos
        self._size += size

    def close(self, length: int) -> None:
        """Add the final entry: the source's length."""
        self._at.append(self._size)
        self._from.append(length)
        self._copied.append(False)
        self._size += 1
        self._last = length
        self._run = False

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, index: int) -> int: ...

    @overload
    def __getitem__(self, index: slice) -> list[int]: ...

    def __getitem__(self, index: int | slice) -> int | list[int]:
        if isinstance(index, slice):
            return [self._value(i) for i in range(*index.indices(self._size))]
        if index < 0:
            index += self._size
        if not 0 <= index < self._size:
            raise IndexError("offset map index out of range")
        return self._value(index)

    def _value(self, index: int) -> int:
        run = bisect_right(self._at, index) - 1
        return self._from[run] + (index - self._at[run]) * self._copied[run]

    def __iter__(self) -> Iterator[int]:
        ends = [*self._at[1:], self._size]
        for start, end, first, copied in zip(self._at, ends, self._from, self._copied, strict=True):
            if copied:
                yield from range(first, first + end - start)
            else:
                yield from [first] * (end - start)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, OffsetMap | list | tuple):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable while a reader builds it

    def __repr__(self) -> str:
        return f"OffsetMap({list(self)!r})"

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The source span holding the rendered characters [start, end): from the first one's offset to the next
        greater offset after the last one's, so an entity or tag behind the last character is included whole.

        Raises:
            ValueError: the span is not within the rendering.
        """
        if not 0 <= start <= end < self._size:
            raise ValueError(f"span [{start}, {end}) is outside a rendering of {self._size - 1} characters")
        first = self._value(start)
        if start == end:
            return first, first
        last = self._value(end - 1)
        run = bisect_right(self._at, end) - 1
        for k in range(run, len(self._at)):
            at, source = self._at[k], self._from[k]
            if not self._copied[k]:
                if source > last:
                    return first, source
                continue
            index = max(end, at, at + last - source + 1)  # the first of this run's offsets above `last`
            if index < (self._at[k + 1] if k + 1 < len(self._at) else self._size):
                return first, source + index - at
        return first, last


def as_map(offsets: Sequence[int]) -> OffsetMap:
    """An offset map from one offset per character (the last one the source's length), for tests and callers that
    build offsets by hand. Raises ValueError if the offsets decrease."""
    built = OffsetMap()
    for position, offset in enumerate(offsets[:-1]):
        if position and offset < offsets[position - 1]:
            raise ValueError("offsets must never decrease")
        built.add(offset, 1, copied=offset == offsets[position - 1] + 1 if position else True)
    built.close(offsets[-1] if offsets else 0)
    return built
