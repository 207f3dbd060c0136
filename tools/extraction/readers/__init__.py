"""Readers: a document's source turned into blocks (headings, list items, table rows, paragraphs) with exact
offsets into it. `markdown` reads Markdown and plain text; `html` renders HTML as Markdown-like text with a map of
offsets back to the source."""
