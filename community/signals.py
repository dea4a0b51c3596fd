"""Signals the community sends for other apps to act on. Community never imports those apps
(STYLE.md, "Layout"): they connect their receivers in their AppConfig.ready()."""

from django.dispatch import Signal

# Sent by the new-topic view after a topic is published, with `request` (the POST that created
# it) and `topic`. The search app marks the customer's suggestion attempt as posted: the hidden
# `attempt` field of the form says which one.
topic_posted = Signal()
