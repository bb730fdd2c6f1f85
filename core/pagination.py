"""API pages of bounded size: ``?limit=`` and ``?offset=`` never make PostgreSQL do unbounded work,
and neither does ``count`` (exact up to a cap, estimated beyond, like the admin's lists)."""

from typing import Any

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

from .query import query_int

MAX_PAGE_SIZE = 200
# Deeper than any list a person pages through; PostgreSQL still reads every skipped row.
MAX_OFFSET = 100_000


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = MAX_PAGE_SIZE

    def get_count(self, queryset: Any) -> int:
        from core.admin import EstimatedCountPaginator

        return EstimatedCountPaginator(queryset, 1).count

    def get_limit(self, request: Request) -> int:
        limit = query_int(
            request.query_params, self.limit_query_param, self.default_limit, minimum=1, maximum=MAX_PAGE_SIZE
        )
        return int(limit or self.default_limit or MAX_PAGE_SIZE)

    def get_offset(self, request: Request) -> int:
        return int(query_int(request.query_params, self.offset_query_param, 0, minimum=0, maximum=MAX_OFFSET) or 0)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": MAX_PAGE_SIZE})
            elif parameter["name"] == self.offset_query_param:
                parameter["schema"].update({"minimum": 0, "maximum": MAX_OFFSET})
        return parameters
