"""A like-for-like baseline: an SDK server whose one tool returns a 20-item page of the same shape as
`list_actions`, from memory. Ours over this isolates what the store and our code add per call.
"""

from datetime import date

from mcp.server import MCPServer

from postmortem_actions.store import ActionState, ActionSummary, Category
from postmortem_actions.tools.models import ActionPage

mcp = MCPServer("page-baseline")
PAGE = ActionPage(
    items=[
        ActionSummary(
            id=i,
            postmortem_id=1 + i // 50,
            text=f"Add an alert on queue depth above {i} for checkout",
            category=Category.DETECT,
            state=ActionState.CANDIDATE,
            proposed_owner="dana",
            proposed_due=date(2027, 1, 1),
        )
        for i in range(1, 21)
    ],
    total=100_000,
    limit=20,
    offset=0,
    next_offset=20,
)


@mcp.tool()
def page() -> ActionPage:
    """Return the same 20-item page every time."""
    return PAGE


if __name__ == "__main__":
    mcp.run()
