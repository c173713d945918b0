"""/bulktasks: the input modal, the check summary, the progress message and the final report."""

from __future__ import annotations

from typing import Any

from bot.bulk_rows import RowError
from bot.ui.fields import INPUT_LIMIT, text_input
from bot.ui.ids import BULK_FILE, BULK_LINES, Action, ViewId
from bot.ui.kit import Block, actions, button, context, input_block, modal, section
from bot.ui.text import count, escape

BAR = 10
SHOWN_ERRORS = 15


def bulk_modal(private_metadata: str, pasted: str | None = None, fixing_csv: bool = False) -> dict[str, Any]:
    """The form; reopened by "Fix first" with the rows as they were pasted, or a word on the CSV to fix."""
    blocks: list[Block] = [
        section("One task per line: `subject | when | owner email or @mention | lead email or phone | task type` "
                "(the last two optional; tabs work too). Or upload a CSV with LeadSquared's column names: Name, "
                "DueDate, OwnerEmailAddress, LeadEmail, TaskType, Reminder, Location, Description, mx_… fields."),
        text_input(BULK_LINES, "Paste lines", optional=True, multiline=True, initial=pasted,
                   placeholder="Call Priya | tmrw 3pm | maria@acme.com | priya@acme.com", max_length=INPUT_LIMIT),
        input_block(BULK_FILE, "…or upload a CSV", {"type": "file_input", "action_id": BULK_FILE,
                                                      "filetypes": ["csv"], "max_files": 1}, optional=True),
        context("Slack takes up to 3,000 characters of pasted lines (about 40 rows); a CSV takes up to 5,000 "
                "rows. Every row is checked before anything is created."),
    ]
    if fixing_csv:
        blocks.insert(1, context("The rows that need fixing are in the CSV in the thread of my message: fix them "
                                 "there (or in your own file) and upload it again."))
    return modal(ViewId.BULK, "Bulk tasks", blocks, submit="Check rows", private_metadata=private_metadata)


def checking(rows: int) -> tuple[str, list[Block]]:
    text = f":hourglass_flowing_sand: Checking {count(rows, 'row')}…"
    return text, [section(text)]


def problem(text: str) -> tuple[str, list[Block]]:
    return text, [section(f":warning: {escape(text)}")]


def summary(run_id: int, valid: int, errors: list[RowError]) -> tuple[str, list[Block]]:
    """N valid; M invalid with row, column and reason; then the choice: create now or fix first."""
    bad_rows = len({error.number for error in errors})
    text = f"Bulk tasks checked: {count(valid, 'valid row')}; {count(bad_rows, 'invalid row')}"
    blocks: list[Block] = [section(f"*Bulk tasks checked:* *{count(valid, 'valid row')}*; "
                                   f"*{count(bad_rows, 'invalid row')}*")]
    for error in errors[:SHOWN_ERRORS]:
        blocks.append(section(f"Row {error.number} · *{escape(error.column)}*: {escape(error.reason)}"))
    if len(errors) > SHOWN_ERRORS:
        blocks.append(context(f"…and {len(errors) - SHOWN_ERRORS:,} more: every one is in the CSV in this thread."))
    if valid:
        blocks.append(actions(button(f"Create {count(valid, 'task')}", Action.BULK_CREATE, str(run_id), style="primary"),
                              button("Fix first", Action.BULK_CANCEL, str(run_id)), block_id=f"bulk:{run_id}"))
    else:
        blocks.append(context("Nothing to create: fix the rows and run `/bulktasks` again."))
    return text, blocks


def creating(valid: int, channel: str | None) -> str:
    where = f" Progress is in <#{channel}>." if channel else ""
    return f":rocket: Creating {count(valid, 'task')}.{where}"


def not_created() -> str:
    return "Nothing was created. The form is open again with your rows: fix them and check them again."


def progress(created: int, failed: int, total: int) -> tuple[str, list[Block]]:
    done = created + failed
    share = done / total if total else 1.0
    filled = round(share * BAR)
    bar = "▓" * filled + "░" * (BAR - filled)
    text = f"{bar} {share:.0%} · {created:,}/{total:,} created · {failed:,} failed"
    return text, [section(f"*Bulk tasks*\n`{text}`")]


def report(created: int, failed: int, invalid: int, examples: list[tuple[int, str, dict]],
           unconfirmed: int = 0) -> tuple[str, list[Block]]:
    text = f"Bulk tasks done: {created:,} created, {failed:,} failed, {count(invalid, 'invalid row')} not sent"
    if unconfirmed:
        text += f", {unconfirmed:,} not confirmed by LeadSquared"
    blocks: list[Block] = [section(f":white_check_mark: *{escape(text)}*")]
    for number, reason, values in examples:
        blocks.append(context(f"Row {number} ({escape(values.get('name', ''))}): {escape(reason)}"))
    if failed or invalid:
        blocks.append(context("Every row that was not created is in the CSV in this thread."))
    if unconfirmed:
        blocks.append(context(f"LeadSquared has not confirmed {count(unconfirmed, 'row')}: they may still appear. They are "
                              "in their own CSV in this thread; check LeadSquared's Request History before sending "
                              "any of them again."))
    return text, blocks


