"""Reading `/tasks`'s words: a filter and whose tasks, or a refusal that says why."""

import pytest

from bot.list_request import ListRequest, ListRequestError, read_list_request


@pytest.mark.parametrize(("text", "expected"), [
    ("", ListRequest("all", "UME")),
    ("today", ListRequest("today", "UME")),
    ("  WEEK ", ListRequest("week", "UME")),
    ("overdue <@UDEV|dev>", ListRequest("overdue", "UDEV")),
    ("<@UDEV>", ListRequest("all", "UDEV")),
    ("all", ListRequest("all", "UME")),
])
def test_filters_and_people(text, expected):
    assert read_list_request(text, "UME") == expected


@pytest.mark.parametrize(("text", "says"), [
    ("banana", "`banana`"),
    ("today overdue", "`today overdue`"),
    ("@ghost", "@ghost"),
    ("<@UA> <@UB>", "two people"),
])
def test_what_is_not_understood_is_named(text, says):
    with pytest.raises(ListRequestError, match=says):
        read_list_request(text, "UME")
