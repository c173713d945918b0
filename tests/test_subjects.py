"""The subject the message shortcut proposes is the request, not the way it was asked."""

import pytest

from bot.subjects import subject_from_message


@pytest.mark.parametrize(("message", "subject"), [
    ("Can someone send Acme the revised quote by fri?\nThey need it for the board.",
     "Send Acme the revised quote by fri"),
    ("<@UDEV> could you please call Priya tmrw 3pm? thanks!", "Call Priya tmrw 3pm"),
    ("hey @maria, pls update the deck", "Update the deck"),
    ("Reminder: renew the Globex contract", "Renew the Globex contract"),
    ("don't forget to email Tom the pricing sheet.", "Email Tom the pricing sheet"),
    ("\n\n  review <https://acme.test/q3|the Q3 plan> before Monday  ", "Review the Q3 plan before Monday"),
    ("Budget approved for Q3", "Budget approved for Q3"),
    ("What's the status of the Acme deal?", "What's the status of the Acme deal"),
    ("", ""),
])
def test_subjects(message, subject):
    assert subject_from_message(message) == subject


def test_a_long_first_line_is_cut_to_what_leadsquared_takes():
    assert len(subject_from_message("call " + "x" * 1000)) == 250
