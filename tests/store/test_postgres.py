"""The pure parts of the PostgreSQL store: parameters numbered as PostgreSQL takes them, and
errors told without the database's password."""

from __future__ import annotations

import pytest

from bot.store.postgres import numbered, unreachable


def test_named_parameters_are_numbered_once_each_in_order() -> None:
    text, names = numbered("SELECT :b, :a FROM t WHERE x = :b AND y::text = ':c' -- :d")
    assert text == "SELECT $1, $2 FROM t WHERE x = $1 AND y::text = ':c' -- :d"
    assert names == ("b", "a")


def test_positional_parameters_are_numbered_in_order() -> None:
    assert numbered("INSERT INTO t VALUES (?, '?', \"?\", ?)") == (
        "INSERT INTO t VALUES ($1, '?', \"?\", $2)",
        2,
    )


def test_a_statement_takes_names_or_positions_not_both() -> None:
    with pytest.raises(ValueError, match="not both"):
        numbered("SELECT :a, ?")


def test_why_a_database_cannot_be_used_never_holds_its_password() -> None:
    error = OSError("could not log in as reader with s3cret\n  at db")
    said = unreachable(error, "postgresql://reader:s3cret@db/storybot")
    assert said == "could not log in as reader with ******** at db"
