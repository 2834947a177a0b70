"""Bulk reads and writes for rescoring whole surveys, where the ORM's per-row cost shows.

Rescoring every survey of the country touches ~575,000 answers and ~8,700 responses.
Two things dominated that: decoding every answer value from JSON one by one, and
``bulk_update``, which builds a ``CASE WHEN id = … THEN …`` expression per row and
field. This module reads answer values as their JSON text (decoded once per distinct
text: answers repeat the same few choice values and counts) and writes scores with one
``UPDATE … FROM`` statement per batch: from a ``VALUES`` list on SQLite (3.33+), from
arrays on PostgreSQL, where psycopg would otherwise parse thousands of placeholders.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast

from .models import Answer, Response

BATCH = 2000  # rows per UPDATE: 4 parameters each, far below SQLite's 32,766 limit
ANSWER_BATCH = 10000  # ids per UPDATE of answer points


def scored_answers(survey_id: int, question_ids: Iterable[int]) -> Iterator[tuple]:
    """(answer id, response id, question id, value, points) of a survey's scored answers.

    The value is decoded from its JSON text through a cache, which gives the same
    result as the JSONField would, at a fraction of the cost.
    """
    decoded: dict[str, object] = {}
    rows = (
        Answer.objects.filter(response__survey_id=survey_id, question_id__in=list(question_ids))
        .annotate(raw=Cast("value", TextField()))
        .values_list("pk", "response_id", "question_id", "raw", "points")
    )
    for answer_id, response_id, question_id, raw, points in rows.iterator(chunk_size=5000):
        if raw is None:
            value = None
        else:
            try:
                value = decoded[raw]
            except KeyError:
                value = decoded[raw] = json.loads(raw)
        yield answer_id, response_id, question_id, value, points


def update_answer_points(ids_by_points: dict[int, list[int]]) -> None:
    """Set the points of answers: one UPDATE per points value (and batch of ids)."""
    table = connection.ops.quote_name(Answer._meta.db_table)
    with connection.cursor() as cursor:
        for points, ids in ids_by_points.items():
            if connection.vendor == "postgresql":  # one array parameter, however many ids
                cursor.execute(
                    f"UPDATE {table} SET points = %s WHERE id = ANY(%s)",  # noqa: S608
                    [points, ids],
                )
                continue
            for start in range(0, len(ids), ANSWER_BATCH):
                batch = ids[start : start + ANSWER_BATCH]
                placeholders = ", ".join(["%s"] * len(batch))
                cursor.execute(
                    # Only the table name and placeholders are formatted in: values are
                    # parameters.
                    f"UPDATE {table} SET points = %s WHERE id IN ({placeholders})",  # noqa: S608
                    [points, *batch],
                )


def update_response_scores(rows: list[tuple[int, int, int, int | None]]) -> None:
    """Write (response id, total, maximum, computed level) rows in a few statements."""
    if not rows:
        return
    table = connection.ops.quote_name(Response._meta.db_table)
    if connection.vendor == "postgresql":  # four array parameters, however many rows
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET total = new.total, maximum = new.maximum, "  # noqa: S608
                "computed_level = new.level "
                "FROM unnest(%s::bigint[], %s::integer[], %s::integer[], %s::integer[]) "
                f"AS new (id, total, maximum, level) WHERE {table}.id = new.id",
                [list(column) for column in zip(*rows, strict=True)],
            )
        return
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        values = ", ".join(["(%s, %s, %s, %s)"] * len(batch))
        sql = (
            # Only the table name and placeholders are formatted in: values are parameters.
            f"WITH new_scores (id, total, maximum, level) AS (VALUES {values}) "  # noqa: S608
            f"UPDATE {table} SET total = new_scores.total, maximum = new_scores.maximum, "
            "computed_level = new_scores.level "
            f"FROM new_scores WHERE {table}.id = new_scores.id"
        )
        params = [value for row in batch for value in row]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
