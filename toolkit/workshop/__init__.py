"""Workshop mode: cohorts and their join cards, live aggregates, debrief views, moderation.

Nothing here draws widgets: the trainer app and the CLI call these functions and render
what they return.
"""
