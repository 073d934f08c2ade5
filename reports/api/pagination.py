"""Pages of every API list: ?page=2&page_size=100, with the total in X-Total-Count."""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response


class Pagination(PageNumberPagination):
    """?page=2&page_size=100; the size is capped so one request cannot ask for everything."""

    page_size_query_param = "page_size"
    invalid_page_message = gettext_lazy("This page does not exist.")  # type: ignore[assignment]

    def get_page_size(self, request: Request) -> int:
        size = request.query_params.get(self.page_size_query_param)
        default = settings.API_PAGE_SIZE
        if size is None:
            return default
        if not size.isdigit() or int(size) < 1:
            raise exceptions.ValidationError(
                {"page_size": _("The page size must be a whole number from 1.")}
            )
        return min(int(size), settings.API_MAX_PAGE_SIZE)

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        assert self.page is not None
        response["X-Total-Count"] = str(self.page.paginator.count)
        return response
