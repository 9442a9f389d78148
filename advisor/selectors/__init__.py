"""Reads, scoped to the user's workspaces: one module per page (``advisor.views``), and
``common`` for what several pages read."""
