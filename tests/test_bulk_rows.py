"""Bulk input parsing and the per-row checks."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.bulk_rows import Directory, TooManyRows, check, failed_rows_csv, parse_csv, parse_pasted
from bot.crm.leadsquared_models import Lead, TaskType, User

NOW = datetime(2025, 3, 4, 10, 15, tzinfo=ZoneInfo("America/Los_Angeles"))
LA = "America/Los_Angeles"


def directory() -> Directory:
    users = [User.from_api({"ID": "u-maria", "EmailAddress": "maria@acme.test", "StatusCode": 0}),
             User.from_api({"ID": "u-ira", "EmailAddress": "ira@acme.test", "StatusCode": 1})]
    types = [TaskType.model_validate({"Id": "t1", "TaskTypeName": "Follow Up", "Category": 1}),
             TaskType.model_validate({"Id": "t2", "TaskTypeName": "Meeting", "Category": 0}),
             TaskType.model_validate({"Id": "t3", "TaskTypeName": "Docs", "Category": 1, "ColumnConfiguration": [
                 {"SchemaName": "mx_Custom_1", "DisplayName": "Documents", "Mandatory": True}]})]
    return Directory(users={u.EmailAddress: u for u in users}, task_types={t.Name.lower(): t for t in types},
                     leads={"priya@acme.test": Lead(ProspectID="L1", FirstName="Priya"), "nobody@x.test": None},
                     mentions={"UMARIA": "maria@acme.test", "UHIDDEN": None}, default_type="Follow Up")


def test_pasted_lines_with_pipes_or_tabs_and_an_optional_header():
    rows = parse_pasted("Subject | When | Owner\ncall Priya | tmrw 3pm | maria@acme.test | priya@acme.test\n\n"
                        "send deck\tfri\tmaria@acme.test\t\tMeeting\n")
    assert [(r.number, r.values) for r in rows] == [
        (2, {"name": "call Priya", "due": "tmrw 3pm", "owner": "maria@acme.test", "lead": "priya@acme.test"}),
        (3, {"name": "send deck", "due": "fri", "owner": "maria@acme.test", "task_type": "Meeting"})]


def test_csv_uses_leadsquareds_column_names_and_keeps_custom_fields():
    content = ("\ufeffName,DueDate,OwnerEmailAddress,LeadEmail,TaskType,Reminder,mx_Custom_1\n"
               "Collect KYC,2025-03-12 14:00,maria@acme.test,priya@acme.test,Docs,30,passport\n").encode()
    [row] = parse_csv(content)
    assert row.number == 2 and row.custom == {"mx_Custom_1": "passport"}
    assert row.values == {"name": "Collect KYC", "due": "2025-03-12 14:00", "owner": "maria@acme.test",
                          "lead": "priya@acme.test", "task_type": "Docs", "reminder": "30"}


def test_more_than_five_thousand_rows_are_refused():
    with pytest.raises(TooManyRows):
        parse_pasted("\n".join(f"t{i} | tmrw | maria@acme.test" for i in range(5001)))


def test_valid_rows_become_exact_create_bodies():
    rows = parse_pasted("call Priya | tmrw 3pm | <@UMARIA|maria> | priya@acme.test\n"
                        "demo | fri 2pm for 45m | maria@acme.test | | Meeting")
    checked = check(rows, directory(), NOW, LA)
    assert checked.invalid == []
    first, second = (task.body() for _, task in checked.valid)
    assert first["OwnerId"] == "u-maria" and first["RelatedEntityId"] == "L1" and first["DueDate"] == "2025-03-05 23:00:00"
    assert second["TaskType"] == {"Name": "Meeting"} and second["EndDate"] == "2025-03-07 22:45:00"


@pytest.mark.parametrize("line, column, reason", [
    (" | tmrw | maria@acme.test", "subject", "missing"),
    ("x | whenever | maria@acme.test", "when", "not a time Taskbot can read"),
    ("x | yesterday 3pm | maria@acme.test", "when", "in the past"),
    ("x | tmrw | ghost@acme.test", "owner", "no LeadSquared user with email ghost@acme.test"),
    ("x | tmrw | ira@acme.test", "owner", "ira@acme.test is not an active LeadSquared user"),
    ("x | tmrw | maria", "owner", "'maria' is not an email or an @mention"),
    ("x | tmrw | <@UHIDDEN>", "owner", "that Slack user's email is not visible to Taskbot"),
    ("x | tmrw | maria@acme.test | nobody@x.test", "lead", "no lead with nobody@x.test"),
    ("x | tmrw | maria@acme.test | | Party", "task type", "no task type called 'Party'"),
    ("x | tmrw | maria@acme.test | | Docs", "mx_Custom_1", "Docs needs Documents"),
])
def test_every_bad_cell_is_named_with_its_row_and_reason(line, column, reason):
    checked = check(parse_pasted("ok | tmrw | maria@acme.test\n" + line), directory(), NOW, LA)
    assert len(checked.valid) == 1
    assert [(e.number, e.column, e.reason) for e in checked.invalid] == [(2, column, reason)]


def test_failed_rows_come_back_as_a_csv_to_fix_and_upload_again():
    content = failed_rows_csv([(3, "owner: missing", {"Name": "call", "DueDate": "tmrw"})])
    assert content.decode().splitlines() == ["Row,Reason,Name,DueDate", "3,owner: missing,call,tmrw"]
    [row] = parse_csv(content)
    assert row.values["name"] == "call" and row.values["due"] == "tmrw"


def test_leadsquareds_own_date_format_is_utc_whatever_the_submitters_zone():
    rows = parse_csv(b"Name,DueDate,OwnerEmailAddress\nCall,2025-03-12 14:00:00,maria@acme.test\n")
    for tz in (LA, "Asia/Kolkata"):
        [(_, task)] = check(rows, directory(), NOW, tz).valid
        assert task.body()["DueDate"] == "2025-03-12 14:00:00"


@pytest.mark.parametrize("tz, day_first, due", [
    (LA, None, "2025-12-03 22:00:00"),                   # house rule: month first in the Americas
    ("Europe/London", None, "2025-03-12 14:00:00"),     # day first elsewhere
    ("America/Mexico_City", True, "2025-03-12 20:00:00"),  # the order given overrides the zone's name
    ("Europe/London", False, "2025-12-03 14:00:00"),
])
def test_numeric_dates_follow_the_order_given_not_the_zones_name(tz, day_first, due):
    rows = parse_pasted("call Priya | 12/03/2025 2pm | maria@acme.test")
    [(_, task)] = check(rows, directory(), NOW, tz, day_first).valid
    assert task.body()["DueDate"] == due


def test_an_impossible_numeric_date_is_refused_with_the_order_used():
    rows = parse_pasted("call Priya | 31/02/2025 | maria@acme.test")
    [error] = check(rows, directory(), NOW, LA, day_first=True).invalid
    assert (error.column, error.reason) == ("when", "not a time Taskbot can read")


def test_the_failure_file_keeps_every_column_and_a_reupload_reads_the_same_rows():
    upload = ("Name,DueDate,OwnerEmailAddress,LeadEmail,Region,mx_Custom_1,Notes\n"
              "call Priya,tmrw 3pm,ghost@acme.test,+91-9988776655,West,passport,=HYPERLINK(\"http://x\")\n"
              "-send deck,fri,maria@acme.test,@priya,,,\n").encode()
    rows = parse_csv(upload)
    failed = failed_rows_csv([(row.number, "owner: no LeadSquared user", row.source) for row in rows])
    header, *lines = list(csv.reader(io.StringIO(failed.decode())))
    assert header == ["Row", "Reason", "Name", "DueDate", "OwnerEmailAddress", "LeadEmail", "Region", "mx_Custom_1",
                      "Notes"]
    assert lines[0][5:] == ["'+91-9988776655", "West", "passport", "'=HYPERLINK(\"http://x\")"]
    assert lines[1][2] == "'-send deck" and lines[1][5] == "'@priya"
    again = parse_csv(failed)
    assert [(row.values, row.custom) for row in again] == [(row.values, row.custom) for row in rows]
    assert [{k: v for k, v in row.source.items() if k not in ("Row", "Reason")} for row in again] == [
        row.source for row in rows]


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_cells_a_spreadsheet_would_run_are_neutralised(cell):
    [_, line] = csv.reader(io.StringIO(failed_rows_csv([(2, cell, {"Name": cell})]).decode(), newline=""))
    assert line == ["2", "'" + cell, "'" + cell]
    [row] = parse_csv(failed_rows_csv([(2, "why", {"Name": cell, "DueDate": "tmrw"})]))
    assert row.source["Name"] == cell


def test_a_csv_over_five_thousand_rows_is_refused_at_the_first_row_too_many():
    content = ("Name,DueDate\n" + "".join(f"t{i},tmrw\n" for i in range(5001))).encode()
    with pytest.raises(TooManyRows, match="at most 5,000"):
        parse_csv(content)
    assert len(parse_csv(("Name,DueDate\n" + "".join(f"t{i},tmrw\n" for i in range(5000))).encode())) == 5000
