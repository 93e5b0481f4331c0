"""assistant/identity.py: a conversation knows the store's shopper by email, or by first + last name + zip."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.identity import identify, says_who
from db.session import Database
from db.store_data import import_shoppers

SHOPPERS = (
    (Path(__file__).resolve().parents[1] / "data" / "store" / "shoppers.jsonl").read_text().splitlines()
)


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('identity') / 'a.db'}")
    db.migrate()
    with db.transaction() as session:
        import_shoppers(session, SHOPPERS)
        yield session


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ana.ruiz@example.com", "ana_ruiz_01"),
        ("it's ANA.RUIZ@EXAMPLE.COM.", "ana_ruiz_01"),
        ("I'm Ana Ruiz, zip 97201", "ana_ruiz_01"),
        ("ruiz ana 97201", "ana_ruiz_01"),
        ("Omar Haddad, H2X 1Y4", "omar_haddad_02"),
        ("omar haddad h2x1y4", "omar_haddad_02"),
    ],
)
def test_a_shopper_is_known_by_email_or_by_name_and_zip(session, text, expected):
    assert identify(session, text).id == expected


@pytest.mark.parametrize(
    "text",
    [
        "someone@example.com",  # no such account
        "Ana Ruiz, 90210",  # the wrong zip
        "Ana, 97201",  # no last name
        "Ruiz 97201",  # no first name
        "Omar Haddad, 97201",  # another shopper's zip
        "where is my order",
    ],
)
def test_nothing_short_of_a_full_match_identifies_anyone(session, text):
    assert identify(session, text) is None


def test_only_an_email_or_a_digit_could_say_who_someone_is():
    assert says_who("ana@example.com") and says_who("Ana Ruiz 97201")
    assert not says_who("yes please") and not says_who("Ana Ruiz")
