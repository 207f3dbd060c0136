"""Operations of postmortem-actions: pure, typed functions over the store that return pydantic models."""
