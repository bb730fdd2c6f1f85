"""The floors the benchmark divides by: what the framework costs with one query and nothing else.

- ``floor/page/``: the shared base template rendered with one query (phone and public pages);
- ``floor/api-list/``: a bare DRF view returning one page of rows from one query (API lists);
- ``floor/api-insert/``: a bare DRF view doing one INSERT of a note (the note save);
- ``hello/``: a plain "ok" (the load test's ceiling).

Mounted only by the benchmark's settings, never by the app.
"""

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import include, path
from django.utils import timezone
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from duty.models import ConversationNote, Place


def floor_page(request: HttpRequest) -> HttpResponse:
    return render(request, "base.html", {"rows": list(Place.objects.values_list("pk", "name")[:20])})


class FloorApiList(APIView):
    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        rows = list(
            ConversationNote.objects.order_by("-created_at").values("id", "date", "stage", "text", "created_at")[:50]
        )
        return Response({"count": len(rows), "results": rows})


class FloorApiInsert(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request: Request) -> Response:
        data: Any = request.data
        (note,) = ConversationNote.objects.bulk_create(
            [
                ConversationNote(
                    client_uuid=data.get("client_uuid") or uuid.uuid4(),
                    shift_id=data["shift"],
                    place_id=data["place"],
                    date=timezone.localdate(),
                    text=data.get("text", ""),
                    stage=data.get("stage", "first_contact"),
                    created_by_id=request.user.pk,
                )
            ]
        )
        return Response({"id": note.pk, "text": note.text}, status=201)


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("_bench/floor/page/", floor_page),
    path("_bench/floor/api-list/", FloorApiList.as_view()),
    path("_bench/floor/api-insert/", FloorApiInsert.as_view()),
    path("_bench/hello/", hello),
    path("", include("mobilny_asystent.urls")),
]
