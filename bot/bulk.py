"""Bulk runs: thousands of LeadSquared tasks in chunks of 50, visible, resumable, never twice.

Rows and their chunk are stored before anything is sent. A chunk moves queued -> sending -> sent ->
created/failed; one caught mid-send (a timeout, a restart) is read back from LeadSquared before any
row of it is sent again. Results come from the StatusWebhookURL when the bot has a PUBLIC_URL, else
by reading the tasks back.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections import defaultdict
from datetime import timedelta
from typing import Any

import httpx
from slack_sdk.errors import SlackApiError

from bot.bulk_rows import (
    Checked,
    Directory,
    FileTooLarge,
    RawRow,
    RowsRefused,
    check,
    failed_rows_csv,
    lead_keys,
    mention_ids,
    parse_csv,
    parse_pasted,
    source_of,
)
from bot.crm.errors import CRMError, OutcomeUnknown
from bot.crm.leadsquared import BULK_MAX
from bot.crm.leadsquared_models import TaskCreate, parse_instant
from bot.limits import UPLOAD_BYTES_MAX, kilobytes
from bot.service import Service
from bot.store import iso
from bot.ui import bulk_messages
from bot.ui.ids import BULK_FILE, BULK_LINES

log = logging.getLogger("taskbot.bulk")
WEBHOOK_WAIT = 30.0
PROGRESS_EVERY = 2.0
SEND_ATTEMPTS = 3
CHUNKS_IN_FLIGHT = 4


class BulkRuns(Service):
    def __post_init__(self) -> None:
        self._webhook_results: dict[str, asyncio.Future] = {}

    # ----- checking -----------------------------------------------------------------------------

    async def directory(self, rows: list[RawRow]) -> Directory:
        """Everything validation needs, with one call per kind (leads: one per distinct lead)."""
        users = {user.EmailAddress.lower(): user for user in await self.lsq.users()}
        types = {task_type.Name.lower(): task_type for task_type in await self.lsq.task_types()}
        keys = sorted(lead_keys(rows))
        found = await asyncio.gather(*[self._lead(key) for key in keys])
        mentions = {}
        for slack_id in mention_ids(rows):
            person = await self.people.get(slack_id)
            mentions[slack_id] = person.email.lower() if person.email else None
        todo_types = [t.Name for t in types.values() if not t.is_appointment]
        default = self.settings.lsq_default_todo_type or (todo_types[0] if todo_types else "")
        return Directory(users, types, dict(zip(keys, found, strict=True)), mentions, default)

    async def _lead(self, key: str) -> Any:
        try:
            return await (self.lsq.lead_by_email(key) if "@" in key else self.lsq.lead_by_phone(key))
        except CRMError:
            return None

    async def prepare(self, rows: list[RawRow], submitter: str, channel: str | None, tz: str) -> tuple[int, Checked]:
        """Check every row and store the run; nothing is sent yet."""
        checked = await asyncio.to_thread(check, rows, await self.directory(rows), self.clock.now(), tz)
        now = iso(self.clock.now())
        run_id = int(self.store.db["bulk_runs"].insert({
            "submitter_slack_id": submitter, "channel_id": channel, "status": "checked",
            "secret": secrets.token_urlsafe(16), "total": len(checked.valid), "created_at": now,
            "updated_at": now}).last_pk)
        by_row = {row.number: row for row in rows}
        reasons: dict[int, list[str]] = defaultdict(list)
        for error in checked.invalid:
            reasons[error.number].append(f"{error.column}: {error.reason}")
        records = [{"run_id": run_id, "row_number": row.number, "status": "valid",
                    "payload": json.dumps({"task": task.body(), "values": row.values, "source": row.source})}
                   for row, task in checked.valid]
        records += [{"run_id": run_id, "row_number": number, "status": "invalid", "error": "; ".join(why),
                     "payload": json.dumps({"values": by_row[number].values, "source": by_row[number].source})}
                    for number, why in reasons.items()]
        with self.store.db.conn:
            self.store.db["bulk_rows"].insert_all(records, batch_size=500)
        return run_id, checked

    # ----- the modal ------------------------------------------------------------------------------

    async def open_form(self, trigger_id: str, channel_id: str) -> None:
        await self.slack.views_open(trigger_id=trigger_id, view=bulk_messages.bulk_modal(
            json.dumps({"channel": channel_id})))

    @staticmethod
    def submission_error(view: dict[str, Any]) -> dict[str, str]:
        """Checked inside the ack: there must be something to read."""
        values = view["state"]["values"]
        lines = (values.get(BULK_LINES, {}).get(BULK_LINES) or {}).get("value")
        files = (values.get(BULK_FILE, {}).get(BULK_FILE) or {}).get("files")
        return {} if lines or files else {BULK_LINES: "Paste lines, or upload a CSV below."}

    async def check_submission(self, view: dict[str, Any], user_id: str) -> None:
        """After the ack: read the rows (downloading the CSV), check them, and DM the summary with the choice."""
        values = view["state"]["values"]
        lines = (values.get(BULK_LINES, {}).get(BULK_LINES) or {}).get("value")
        files = (values.get(BULK_FILE, {}).get(BULK_FILE) or {}).get("files")
        channel = json.loads(view.get("private_metadata") or "{}").get("channel")
        text, blocks = bulk_messages.checking(len((lines or "").splitlines()) if not files else 0)
        note = await self.slack.chat_postMessage(channel=user_id, text=text, blocks=blocks)
        try:
            if files:
                rows = await asyncio.to_thread(parse_csv, await self._download(files[0]["id"]))
            else:
                rows = await asyncio.to_thread(parse_pasted, lines or "")
        except RowsRefused as error:
            text, blocks = bulk_messages.problem(str(error))
            await self.slack.chat_update(channel=note["channel"], ts=note["ts"], text=text, blocks=blocks)
            return
        person = await self.people.get(user_id)
        run_id, checked = await self.prepare(rows, user_id, channel, person.tz)
        text, blocks = bulk_messages.summary(checked, run_id)
        await self.slack.chat_update(channel=note["channel"], ts=note["ts"], text=text, blocks=blocks)
        if checked.invalid:
            await self._upload_rows(run_id, note["channel"], note["ts"], ("invalid",),
                                    "The rows that need fixing, with why.")

    def cancel(self, run_id: int, user_id: str) -> bool:
        cursor = self.store.db.execute("UPDATE bulk_runs SET status = 'cancelled' WHERE id = ? AND status = 'checked' "
                                       "AND submitter_slack_id = ?", [run_id, user_id])
        return cursor.rowcount == 1

    async def _download(self, file_id: str) -> bytes:
        """The file's bytes: refused by its stated size before any is fetched, and cut off while streaming
        if it turns out larger than it said."""
        info = (await self.slack.files_info(file=file_id))["file"]
        too_large = FileTooLarge(f"That file is {kilobytes(int(info.get('size') or 0))}; Taskbot reads CSV files "
                                 f"of at most {kilobytes(UPLOAD_BYTES_MAX)}. Split it and upload the parts.")
        if int(info.get("size") or 0) > UPLOAD_BYTES_MAX:
            raise too_large
        content = bytearray()
        async with httpx.AsyncClient(timeout=30) as http, http.stream(
                "GET", info["url_private_download"], headers={"Authorization": f"Bearer {self.slack.token}"}) as response:
            response.raise_for_status()
            async for chunk in response.aiter_bytes():
                content += chunk
                if len(content) > UPLOAD_BYTES_MAX:
                    raise too_large
        return bytes(content)

    # ----- sending ------------------------------------------------------------------------------

    def run(self, run_id: int) -> dict[str, Any]:
        rows = list(self.store.db["bulk_runs"].rows_where("id = ?", [run_id]))
        if not rows:
            raise KeyError(run_id)
        return rows[0]

    async def start(self, run_id: int, user_id: str) -> bool:
        """Queue the valid rows in chunks of 50; False if this run was already started (or is not theirs)."""
        cursor = self.store.db.execute("UPDATE bulk_runs SET status = 'running', updated_at = ? WHERE id = ? AND "
                                       "status = 'checked' AND submitter_slack_id = ?",
                                       [iso(self.clock.now()), run_id, user_id])
        if cursor.rowcount != 1:
            return False
        ids = [row[0] for row in self.store.db.execute(
            "SELECT id FROM bulk_rows WHERE run_id = ? AND status = 'valid' ORDER BY row_number", [run_id])]
        with self.store.db.conn:
            for index, row_id in enumerate(ids):
                self.store.db.execute("UPDATE bulk_rows SET status = 'queued', chunk = ? WHERE id = ?",
                                      [index // BULK_MAX, row_id])
        run = self.run(run_id)
        text, blocks = bulk_messages.progress(0, 0, run["total"])
        if run["channel_id"]:
            answer = await self.slack.chat_postMessage(channel=run["channel_id"], text=text, blocks=blocks)
        else:
            answer = await self.slack.chat_postMessage(channel=run["submitter_slack_id"], text=text, blocks=blocks)
        self.store.db["bulk_runs"].update(run_id, {"progress_ts": answer["ts"], "channel_id": answer["channel"]})
        return True

    async def send(self, run_id: int) -> None:
        """Send every unfinished chunk (a few at once; the shared limiter paces them), keep progress current."""
        last_progress = [-PROGRESS_EVERY]
        chunks = [row[0] for row in self.store.db.execute(
            "SELECT DISTINCT chunk FROM bulk_rows WHERE run_id = ? AND status IN ('queued', 'sending', 'sent') "
            "ORDER BY chunk", [run_id])]
        in_flight = asyncio.Semaphore(CHUNKS_IN_FLIGHT)

        async def one(chunk: int) -> None:
            async with in_flight:
                await self._send_chunk(run_id, chunk)
            if self.clock.monotonic() - last_progress[0] >= PROGRESS_EVERY:
                last_progress[0] = self.clock.monotonic()
                await self._progress(run_id)

        await asyncio.gather(*[one(chunk) for chunk in chunks])
        await self._finish(run_id)

    async def _send_chunk(self, run_id: int, chunk: int) -> None:
        for _ in range(SEND_ATTEMPTS):
            if self._rows(run_id, chunk, ("sending", "sent")):
                await self._read_back(run_id, chunk, ("sending", "sent"))
            queued = self._rows(run_id, chunk, ("queued",))
            if not queued:
                return
            self._mark([row["id"] for row in queued], "sending")
            tasks = [TaskCreate.model_validate(json.loads(row["payload"])["task"]) for row in queued]
            try:
                request_id = await self.lsq.bulk_create(tasks, self._webhook_url(run_id))
            except OutcomeUnknown as unknown:
                log.info("run %s chunk %s: outcome unknown (%s); reading back", run_id, chunk, unknown.detail)
                continue
            except CRMError as error:
                self._mark([row["id"] for row in queued], "failed", error.message)
                return
            self.store.db.execute("UPDATE bulk_rows SET status = 'sent', request_id = ? WHERE id IN (%s)"
                                  % ",".join("?" * len(queued)), [request_id, *[row["id"] for row in queued]])
            if not await self._await_webhook(request_id, queued):
                await self._read_back(run_id, chunk, ("sent",), final=True)
            return
        self._mark([row["id"] for row in self._rows(run_id, chunk, ("queued", "sending", "sent"))], "failed",
                   "LeadSquared did not confirm this row; it was not sent again")

    def _rows(self, run_id: int, chunk: int, statuses: tuple[str, ...]) -> list[dict[str, Any]]:
        marks = ",".join("?" * len(statuses))
        return list(self.store.db["bulk_rows"].rows_where(
            f"run_id = ? AND chunk = ? AND status IN ({marks})", [run_id, chunk, *statuses], order_by="row_number"))

    def _mark(self, row_ids: list[int], status: str, error: str | None = None) -> None:
        if row_ids:
            self.store.db.execute("UPDATE bulk_rows SET status = ?, error = ? WHERE id IN (%s)"
                                  % ",".join("?" * len(row_ids)), [status, error, *row_ids])

    async def _read_back(self, run_id: int, chunk: int, statuses: tuple[str, ...], final: bool = False) -> None:
        """Which rows of a chunk exist in LeadSquared: those are created; the rest are sent again (or failed)."""
        rows = self._rows(run_id, chunk, statuses)
        by_owner: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            by_owner[json.loads(row["payload"])["task"]["OwnerId"]].append(row)
        for owner, owned in by_owner.items():
            dues = [parse_instant(json.loads(row["payload"])["task"]["DueDate"]) for row in owned]
            existing = {}
            offset = 0
            while True:
                page = await self.lsq.retrieve_tasks(owner_id=owner, start=min(dues) - timedelta(minutes=1),
                                                     end=max(dues) + timedelta(minutes=1), offset=offset, count=200)
                for task in page.List:
                    existing.setdefault((task.Name, task.DueDate), task.UserTaskId)
                offset += len(page.List)
                if not page.List or offset >= page.RecordCount:
                    break
            for row, due in zip(owned, dues, strict=True):
                crm_id = existing.get((json.loads(row["payload"])["task"]["Name"], due))
                if crm_id:
                    self.store.db["bulk_rows"].update(row["id"], {"status": "created", "crm_id": crm_id})
                elif final:
                    self._mark([row["id"]], "failed", "LeadSquared did not create it")
                else:
                    self._mark([row["id"]], "queued")

    def _webhook_url(self, run_id: int) -> str | None:
        if not self.settings.public_url:
            return None
        secret = self.run(run_id)["secret"]
        return f"{self.settings.public_url.rstrip('/')}/webhooks/leadsquared/bulk/{run_id}/{secret}"

    async def _await_webhook(self, request_id: str, rows: list[dict[str, Any]]) -> bool:
        if not self.settings.public_url:
            return False
        future = self._webhook_results.setdefault(request_id, asyncio.get_running_loop().create_future())
        timer = asyncio.ensure_future(self.clock.sleep(WEBHOOK_WAIT))
        try:
            await asyncio.wait({future, timer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            timer.cancel()
            self._webhook_results.pop(request_id, None)
        if not future.done():
            log.info("no bulk webhook for request %s; reading back", request_id)
            return False
        for index, row in enumerate(rows):
            result = future.result().get(index)
            if result and result.get("Status") == "Success":
                self.store.db["bulk_rows"].update(row["id"], {"status": "created", "crm_id": result.get("Id")})
            else:
                self._mark([row["id"]], "failed", (result or {}).get("Message") or "LeadSquared did not create it")
        return True

    def webhook(self, run_id: int, secret: str, payload: dict[str, Any]) -> bool:
        """LeadSquared posted a chunk's results; False when the secret does not match the run."""
        try:
            run = self.run(run_id)
        except KeyError:
            return False
        if not secrets.compare_digest(run["secret"], secret):
            return False
        results = {int(item.get("Index", i)): item for i, item in enumerate(payload.get("TaskList") or [])}
        future = self._webhook_results.setdefault(str(payload.get("RequestId")),
                                                  asyncio.get_running_loop().create_future())
        if not future.done():
            future.set_result(results)
        return True

    async def resume(self) -> int:
        """After a restart: finish every run that was sending."""
        runs = [row[0] for row in self.store.db.execute("SELECT id FROM bulk_runs WHERE status = 'running'")]
        for run_id in runs:
            await self.send(run_id)
        return len(runs)

    # ----- telling --------------------------------------------------------------------------------

    def counts(self, run_id: int) -> dict[str, int]:
        return {status: count for status, count in self.store.db.execute(
            "SELECT status, COUNT(*) FROM bulk_rows WHERE run_id = ? GROUP BY status", [run_id])}

    async def _progress(self, run_id: int) -> None:
        run, counts = self.run(run_id), self.counts(run_id)
        text, blocks = bulk_messages.progress(counts.get("created", 0), counts.get("failed", 0), run["total"])
        try:
            await self.slack.chat_update(channel=run["channel_id"], ts=run["progress_ts"], text=text, blocks=blocks)
        except SlackApiError as error:
            log.info("progress of run %s not shown: %s", run_id, error.response.get("error"))

    async def _finish(self, run_id: int) -> None:
        run, counts = self.run(run_id), self.counts(run_id)
        failed = [(row["row_number"], row["error"] or "", json.loads(row["payload"])["values"])
                  for row in self.store.db["bulk_rows"].rows_where(
                      "run_id = ? AND status IN ('failed', 'invalid')", [run_id], order_by="row_number")]
        self.store.db["bulk_runs"].update(run_id, {"status": "done", "updated_at": iso(self.clock.now())})
        text, blocks = bulk_messages.report(counts.get("created", 0), counts.get("failed", 0),
                                            counts.get("invalid", 0), failed[:10])
        await self.slack.chat_update(channel=run["channel_id"], ts=run["progress_ts"], text=text, blocks=blocks)
        if failed:
            await self._upload_rows(run_id, run["channel_id"], run["progress_ts"], ("failed", "invalid"),
                                    "The rows that were not created, with why: fix them and upload the file "
                                    "again with /bulktasks.")

    async def _upload_rows(self, run_id: int, channel: str, thread_ts: str, statuses: tuple[str, ...],
                           comment: str) -> None:
        marks = ",".join("?" * len(statuses))
        rows = [(row["row_number"], row["error"] or "", source_of(json.loads(row["payload"])))
                for row in self.store.db["bulk_rows"].rows_where(
                    f"run_id = ? AND status IN ({marks})", [run_id, *statuses], order_by="row_number")]
        await self.slack.files_upload_v2(channel=channel, thread_ts=thread_ts, content=failed_rows_csv(rows),
                                         filename=f"taskbot-rows-to-fix-{run_id}.csv", initial_comment=comment)
