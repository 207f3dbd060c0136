"""One postmortem written in each markup the extractor reads, with the traps every reader must keep out of the
findings: a timeline, code, a quoted chat log, navigation and a footer, each saying "we will" where a reader that
took them for text would find an action."""

from __future__ import annotations

# What every version says, in the same words: the extractor must find exactly these, whatever the markup.
EXPECTED = [
    "We will add request coalescing to the product cache service.",
    "Add an alert",
    "Investigate the cache behaviour",
    "Write a runbook section for flushing the product cache safely",
    "Rotate the cache credentials",
]
TICKET = "https://jira.example.com/browse/OPS-7"
TRAPS = ("page the DBA", "drop the cache", "restart it", "navigation", "footer", "subscribe")

MARKDOWN = """\
# Cache stampede

## Summary

The product cache expired at once. We will add request coalescing to the product cache service.

## Timeline

- 10:02 we will page the DBA

## Action items

- **Add an alert** on database connection saturation above 90% ([OPS-7](https://jira.example.com/browse/OPS-7))
- [ ] Investigate the cache behaviour
- Write a runbook section for flushing the product cache safely

| Action | Owner | Due |
|---|---|---|
| Rotate the cache credentials | @dana | 2026-06-01 |

```
# we will drop the cache
```

> 10:05 alice: we will restart it
"""

MEDIAWIKI = """\
{{Incident navigation|we will add navigation}}
The product cache expired at once. We will add request coalescing to the product cache service.<ref>We will \
subscribe to the cache vendor's notices.</ref>

== Timeline ==
* 10:02 we will page the DBA

== Action items ==
* '''Add an alert''' on database connection saturation above 90% ([https://jira.example.com/browse/OPS-7 OPS-7])
* Investigate the [[Cache|cache]] behaviour
* Write a runbook section for flushing the product cache safely
{| class="wikitable"
! Action !! Owner !! Due
|-
| Rotate the cache credentials || @dana || 2026-06-01
|}
<syntaxhighlight lang="sh">
# we will drop the cache
</syntaxhighlight>
 10:05 alice: we will restart it
<!-- we will add a footer -->
[[Category:Incidents]]
"""

ASCIIDOC = """\
= Cache stampede
:toc:
:description: we will add navigation

== Summary

The product cache expired at once. We will add request coalescing to the product cache service.

== Timeline

* 10:02 we will page the DBA

== Action items

* *Add an alert* on database connection saturation above 90% (https://jira.example.com/browse/OPS-7[OPS-7])
* [ ] Investigate the cache behaviour
* Write a runbook section for flushing the product cache safely

|===
|Action |Owner |Due

|Rotate the cache credentials
|@dana
|2026-06-01
|===

[source,sh]
----
# we will drop the cache
----

____
10:05 alice: we will restart it
____

// we will add a footer
"""

RST = """\
==============
Cache stampede
==============

.. contents:: we will add navigation

Summary
=======

The product cache expired at once. We will add request coalescing to the product cache service.

Timeline
========

- 10:02 we will page the DBA

Action items
============

- **Add an alert** on database connection saturation above 90% (`OPS-7 <https://jira.example.com/browse/OPS-7>`_)
- Investigate the cache behaviour
- Write a runbook section for flushing the product cache safely

+------------------------------+-------+------------+
| Action                       | Owner | Due        |
+==============================+=======+============+
| Rotate the cache credentials | @dana | 2026-06-01 |
+------------------------------+-------+------------+

.. code-block:: sh

   # we will drop the cache

The on-call channel read:

    10:05 alice: we will restart it

.. we will add a footer
"""

MDX = """\
import Nav from '@site/nav'
export const meta = { footer: 'we will add a footer' }

<Nav items={["we will add navigation"]} />

# Cache stampede

## Summary

<Callout type="info">
The product cache expired at once. We will add request coalescing to the product cache service.
</Callout>

## Timeline

- 10:02 we will page the DBA

## Action items

- **Add an alert** on database connection saturation above 90% ([OPS-7](https://jira.example.com/browse/OPS-7))
- [ ] Investigate the cache behaviour
- Write a runbook section for flushing the product cache safely

| Action | Owner | Due |
|---|---|---|
| Rotate the cache credentials | @dana | 2026-06-01 |

```jsx
<Drop note="we will drop the cache" />
```

> 10:05 alice: we will restart it
"""

BY_EXTENSION = {".md": MARKDOWN, ".wiki": MEDIAWIKI, ".adoc": ASCIIDOC, ".rst": RST, ".mdx": MDX}
