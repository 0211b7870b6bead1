"""The one URL redactor and text scrubber, the first-line helper and the dotted
field getter that every sink uses."""

from __future__ import annotations

from datagen.encoders import get_dotted
from datagen.errors import first_line
from datagen.redaction import redact, scrub


def test_scrub_hides_url_passwords_signatures_and_account_keys() -> None:
    text = (
        "failed http://bob:hunter22@registry:8081/x; "
        "https://a.blob.core.windows.net/c?sv=1&sig=abc%2Fdef; "
        "AccountName=a;AccountKey=c2VjcmV0;EndpointSuffix=x"
    )
    shown = scrub(text)
    assert "hunter22" not in shown and "abc%2Fdef" not in shown
    assert "c2VjcmV0" not in shown and "bob:***@registry" in shown
    assert "sig=***" in shown and "AccountKey=***;" in shown


def test_short_secrets_go_only_where_they_stand_as_url_passwords() -> None:
    text = "a password p went to kafka://me:p@h:9092 and pppp"
    assert scrub(text, "p", min_length=6) == (
        "a password p went to kafka://me:***@h:9092 and pppp"
    )
    assert "p" not in scrub("pp p", "p").replace("*", "")


def test_scrub_shows_a_url_redacted() -> None:
    url = "http://h/in?token=t0ken&batch=5"
    assert scrub(f"POST {url} failed", urls=[url]) == (f"POST {redact(url)} failed")
    assert "t0ken" not in redact(url)


def test_first_line() -> None:
    assert first_line(ValueError("\n  one \ntwo")) == "one"
    assert first_line(ValueError()) == "ValueError"
    assert first_line("") == "" and first_line(" \n x ") == "x"


def test_get_dotted_reads_nested_fields() -> None:
    event = {"a": {"b": {"c": 1}, "n": None}, "x": 2}
    assert get_dotted(event, "a.b.c") == 1 and get_dotted(event, ("x",)) == 2
    assert get_dotted(event, "a.missing") is None
    assert get_dotted(event, "x.y", default="-") == "-"
    missing = object()
    assert get_dotted(event, "a.n", missing) is None
    assert get_dotted(event, "a.z", missing) is missing
