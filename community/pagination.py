"""Pages of a list without COUNT(*): on 100,000 topics the count costs more than the page itself.
One extra row tells whether there is a next page."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404


@dataclass
class Page:
    number: int
    object_list: list
    per_page: int
    _has_next: bool

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def end_index(self) -> int:
        """How many rows come before the next page (Django's Page has the same method)."""
        return (self.number - 1) * self.per_page + len(self.object_list)


def page_number(value: str | None) -> int:
    """A page number from the query string; anything that is not a positive number is page 1."""
    return int(value) if value and value.isdigit() and 0 < int(value) < 100_000 else 1


def paginate(queryset: QuerySet, number: int, per_page: int) -> Page:
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    return Page(number, rows[:per_page], per_page, len(rows) > per_page)


def page_or_404(request, queryset: QuerySet, per_page: int) -> Page:
    """The page the query string asks for; past the last one there is nothing to show, so 404."""
    page = paginate(queryset, page_number(request.GET.get("page")), per_page)
    if page.number > 1 and not page.object_list:
        raise Http404
    return page


def query_without_page(request) -> str:
    """The list's filters, for page links that must not pile up `page=` parameters."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
