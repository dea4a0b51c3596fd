"""Every figure links to a section of docs/metrics.md that exists."""

import re
from pathlib import Path

from django.conf import settings

from analytics import metrics
from analytics.metrics import Costs
from tests.analytics.metrics_helpers import OCTOBER

UNITS = {"count", "percent", "hours", "money", "ratio", "score", "seconds"}


def test_every_figure_has_a_definition_and_a_known_unit(db):
    text = (Path(settings.BASE_DIR) / "docs" / "metrics.md").read_text(encoding="utf-8")
    anchors = set(re.findall(r"\{#([a-z0-9-]+)\}", text))
    costs = Costs(call=1, email=1, monthly=1)
    figures = metrics.report(OCTOBER, costs=costs)
    assert len({f.key for f in figures}) == len(figures)
    for figure in figures:
        assert figure.anchor in anchors, figure.key
        assert figure.unit in UNITS, figure.key
        assert figure.label and figure.group, figure.key
