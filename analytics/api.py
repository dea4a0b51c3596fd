"""GET /api/v1/reports/summary/?start=YYYY-MM-DD&end=YYYY-MM-DD: every figure of the period with
its numerator and denominator, for the bank's own BI. Token authentication only (a manager
creates the token on /reports/api-token/); documented in docs/api.md."""

from decimal import Decimal

from django.urls import reverse
from rest_framework import serializers
from rest_framework.authentication import TokenAuthentication
from rest_framework.decorators import (
    api_view,
    authentication_classes,
    permission_classes,
    throttle_classes,
)
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle

from analytics import metrics
from analytics.forms import DateRangeForm
from analytics.permissions import CanReadReports
from analytics.reporting import current_costs


class ReportsThrottle(UserRateThrottle):
    """A report reads a period's rollups: cheap, but a script in a loop should not hog them."""

    rate = "120/hour"


class NumberField(serializers.Field):
    """A figure's number as a JSON number (null for no data). Whole numbers stay integers;
    values are rounded by analytics.metrics already, so a float loses nothing that matters."""

    def to_representation(self, value):
        number = Decimal(str(value))
        if number == number.to_integral_value():
            return int(number)
        return float(number)


class FigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    group = serializers.CharField()
    unit = serializers.CharField()
    value = NumberField(allow_null=True)
    numerator = NumberField(allow_null=True)
    denominator = NumberField(allow_null=True)
    definition = serializers.SerializerMethodField()

    def get_definition(self, figure) -> str:
        request = self.context["request"]
        return request.build_absolute_uri(f"{reverse('analytics:definitions')}#{figure.anchor}")


def _errors(form: DateRangeForm) -> dict[str, list[str]]:
    return {name: [str(message) for message in errors] for name, errors in form.errors.items()}


@api_view(["GET"])
@authentication_classes([TokenAuthentication])
@permission_classes([CanReadReports])
@throttle_classes([ReportsThrottle])
def report_summary(request: Request) -> Response:
    form = DateRangeForm(request.query_params)
    if not form.is_valid():
        raise ValidationError(_errors(form))
    period = form.period
    saved = current_costs()
    figures = metrics.report(period, costs=saved.as_costs() if saved else None)
    return Response(
        {
            "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
            "costs": (
                {
                    "call": str(saved.call),
                    "email": str(saved.email),
                    "monthly": str(saved.monthly),
                    "updated_at": saved.updated_at.isoformat(),
                }
                if saved
                else None
            ),
            "metrics": FigureSerializer(figures, many=True, context={"request": request}).data,
        }
    )
