"""The admin's lists of big tables: searched through the full-text index, counted without a full
COUNT, no date hierarchy; query counts do not grow with the rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.admin import EstimatedCountPaginator
from duty.models import ConversationNote
from duty.tests.factories import NoteFactory

pytestmark = pytest.mark.django_db


def test_it_finds_notes_by_words_in_any_form_and_without_diacritics(coordinator_client):
    lamp = NoteFactory.create(text="Przy wejściu nie świeci lampa od tygodnia.")
    NoteFactory.create(text="Rozmowa o potrzebie remontu klatki schodowej.")
    NoteFactory.create(text="Dzieci pytały o zajęcia w klubie.")
    for term, expected in [
        ("lampa", [lamp]),
        ("swieci", [lamp]),  # typed without Polish letters
        ("ŚWIECI LAMP", [lamp]),  # every word, each as a prefix
        ("remont", [ConversationNote.objects.get(text__startswith="Rozmowa")]),
        ("lampa remont", []),
        ("'; DROP TABLE duty_conversationnote; --", []),
    ]:
        response = coordinator_client.get("/admin/duty/conversationnote/", {"q": term})
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == expected, term


def test_the_search_uses_the_full_text_index(coordinator_client):
    NoteFactory.create(text="Lampa nie świeci.")
    with CaptureQueriesContext(connection) as ctx:
        coordinator_client.get("/admin/duty/conversationnote/", {"q": "lampa"})
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "to_tsvector('simple'::regconfig, ma_unaccent(duty_conversationnote.text))" in sql
    assert "LIKE" not in sql.split("duty_conversationnote", 1)[1]
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'duty_note_text_fts_idx'")
        (indexdef,) = cursor.fetchone()
    assert "gin" in indexdef and "ma_unaccent" in indexdef


def test_big_lists_have_no_date_hierarchy(coordinator_client):
    for url in ["/admin/duty/conversationnote/", "/admin/duty/shift/", "/admin/needs/problem/", "/admin/club/session/"]:
        with CaptureQueriesContext(connection) as ctx:
            response = coordinator_client.get(url)
        assert response.status_code == 200
        assert response.context["cl"].date_hierarchy is None, url
        assert not [q for q in ctx.captured_queries if "DATE_TRUNC" in q["sql"] or "MIN(" in q["sql"]], url


def test_a_filtered_count_stops_counting_at_the_cap(monkeypatch):
    NoteFactory.create_batch(4, stage=ConversationNote.Stage.USING)
    monkeypatch.setattr(EstimatedCountPaginator, "COUNT_CAP", 2)
    paginator = EstimatedCountPaginator(ConversationNote.objects.filter(stage="using").order_by("pk"), 100)
    with CaptureQueriesContext(connection) as ctx:
        count = paginator.count
    assert count >= 3  # the planner's estimate once past the cap, never a full count
    assert not [
        q for q in ctx.captured_queries if q["sql"].startswith("SELECT COUNT(*) AS") and "LIMIT" not in q["sql"]
    ]
    small = EstimatedCountPaginator(ConversationNote.objects.filter(stage="discovery").order_by("pk"), 100)
    assert small.count == 0


@pytest.mark.parametrize("rows", [1, 30])
def test_the_notes_list_costs_the_same_queries_for_1_and_30_rows(
    coordinator_client, rows, django_assert_max_num_queries
):
    NoteFactory.create_batch(rows)
    with django_assert_max_num_queries(14):
        assert (
            coordinator_client.get("/admin/duty/conversationnote/", {"stage__exact": "first_contact"}).status_code
            == 200
        )


def test_problems_are_found_by_their_code_as_residents_write_it(coordinator_client):
    from needs.tests.factories import CategoryFactory
    from needs.tests.factories import report as make_problem

    category = CategoryFactory.create()
    first, second = make_problem(category=category), make_problem(category=category)
    typed = first.code[:3].lower() + "-" + first.code[3:]
    response = coordinator_client.get("/admin/needs/problem/", {"q": typed})
    assert list(response.context["cl"].result_list) == [first]
    response = coordinator_client.get("/admin/needs/problem/", {"q": second.code[:2]})
    assert second in list(response.context["cl"].result_list)
