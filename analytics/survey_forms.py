"""The CSAT and NPS forms. They validate only; analytics.surveys records the answer."""

from django import forms
from django.utils.translation import gettext_lazy as _

from analytics.models import SCORE_RANGES, SurveyKind
from analytics.surveys import COMMENT_MAX_LENGTH

LEGENDS = {
    SurveyKind.CSAT: _("How do you rate the answer?"),
    SurveyKind.NPS: _("How likely are you to recommend the bank to your friends?"),
}
SCALE_ENDS = {
    SurveyKind.CSAT: (_("1 — very poor"), _("5 — excellent")),
    SurveyKind.NPS: (_("0 — not at all likely"), _("10 — extremely likely")),
}


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Score"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a score."), "invalid_choice": _("Choose a score.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, kind: str, **kwargs) -> None:
        # A prefix per survey: both may be on one page, and their radio ids must not collide.
        super().__init__(*args, prefix=kind, **kwargs)
        self.kind = kind
        low, high = SCORE_RANGES[kind]
        self.fields["score"].choices = [(n, str(n)) for n in range(low, high + 1)]

    @property
    def legend(self) -> str:
        return LEGENDS[self.kind]

    @property
    def scale_ends(self) -> tuple[str, str]:
        return SCALE_ENDS[self.kind]
