"""Bulk runs: thousands of LeadSquared tasks in chunks of 50, visible, resumable, never twice, never guessed.

Rows are stored before the run is offered, and queued in chunks in one transaction when it starts; each row's
task carries its own reference line, so reading it back is exact. One replica drives a run (it holds its
lease); a chunk is claimed from the queue in one guarded update, so it is never sent twice, and one a stopped
replica claimed but never sent goes back to the queue. A row moves queued -> claimed (its chunk waits for the
rate limit) -> sending (the request left) -> sent, then to created (found, or LeadSquared's webhook said so),
failed (only when LeadSquared said so) or unconfirmed (LeadSquared never confirmed it while the bot waited).
Bulk/Create only queues the tasks: results come by webhook (PUBLIC_URL), and are read back with backoff for as
long as LeadSquared may take. A row that may exist (a request whose answer was lost, a restart mid-send) is
never sent again: it is read back, and reported unconfirmed if it never appears. All of it is background work
on the rate limit: clicks go first.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections import defaultdict
from concurrent.futures.process import BrokenProcessPool
from datetime import timedelta
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict
from slack_sdk.errors import SlackApiError

from bot.bulk_rows import (
    Directory,
    FileTooLarge,
    RowsRefused,
    failed_rows_csv,
    source_of,
)
from bot.bulk_worker import RowKeys, Source, StoredRows, check_and_store, keys_of, worker
from bot.crm.errors import BadRequest, CRMError, OutcomeUnknown, RateLimited
from bot.crm.leadsquared import BULK_MAX
from bot.crm.leadsquared_models import TaskCreate, parse_instant, ref_of
from bot.crm.ratelimit import background
from bot.limits import UPLOAD_BYTES_MAX, kilobytes
from bot.service import Service
from bot.store.bulk import UNSETTLED
from bot.ui import bulk_messages
from bot.ui.ids import BULK_FILE, BULK_LINES

log = logging.getLogger("taskbot.bulk")
WEBHOOK_WAIT = 30.0
READ_BACK_WAITS = (10.0, 20.0, 40.0, 80.0, 160.0, 300.0, 300.0)
"""Seconds between read-backs of rows LeadSquared has not confirmed: about 15 minutes in all."""
PROGRESS_EVERY = 2.0
SEND_ATTEMPTS = 3
CHUNKS_IN_FLIGHT = 4
IN_HAND = ("claimed", "sending")
"""A chunk taken to be sent: claimed while it waits for the rate limit, sending once the request leaves."""
DOWNLOAD_TLS = httpx.create_ssl_context()
"""Made once: reading the CA bundle takes ~25 ms, which would hold the event loop on every upload."""
CHECKER_STOPPED = "The row checker stopped before it finished, so nothing will be created. Run /bulktasks again."
SETTLED_POLL = 1.0
"""Seconds between looks at the database for rows a webhook settled (on this replica or another)."""
UNCONFIRMED = ("LeadSquared has not confirmed this row: check its Request History before sending it again")


class BulkResult(BaseModel):
    """One row of a StatusWebhookURL payload, in the only shape the bot reads (see docs/crm-assumptions.md)."""

    model_config = ConfigDict(extra="ignore")

    Index: int
    Status: Literal["Success", "Error"]
    Id: str | None = None
    Message: str | None = None


class BulkResults(BaseModel):
    model_config = ConfigDict(extra="ignore")

    RequestId: str
    TaskList: list[BulkResult]


class BulkRuns(Service):
    # ----- checking -----------------------------------------------------------------------------

    async def directory(self, keys: RowKeys) -> Directory:
        """Everything validation needs, with one call per kind (leads: one per distinct lead)."""
        users = {user.EmailAddress.lower(): user for user in await self.lsq.users()}
        types = {task_type.Name.lower(): task_type for task_type in await self.lsq.task_types()}
        leads = sorted(keys.leads)
        found = await asyncio.gather(*[self._lead(key) for key in leads])
        mentions = {}
        for slack_id in keys.mentions:
            person = await self.people.get(slack_id)
            mentions[slack_id] = person.email.lower() if person.email else None
        todo_types = [t.Name for t in types.values() if not t.is_appointment]
        default = self.settings.lsq_default_todo_type or (todo_types[0] if todo_types else "")
        return Directory(users, types, dict(zip(leads, found, strict=True)), mentions, default)

    async def _lead(self, key: str) -> Any:
        try:
            return await (self.lsq.lead_by_email(key) if "@" in key else self.lsq.lead_by_phone(key))
        except CRMError:
            return None

    async def prepare(self, source: Source, submitter: str, channel: str | None, tz: str,
                      day_first: bool | None = None) -> tuple[int, StoredRows]:
        """Read, check and store every row (in the worker process); nothing is sent yet. `day_first`: numeric
        dates' order (default: the house rule for `tz`). Raises RowsRefused for input the bot will not read."""
        directory = await self.directory(await worker.run(keys_of, source))
        run_id, secret = self.store.add_bulk_run(submitter, channel)
        stored = await worker.run(check_and_store, self.store.url, run_id, secret, source, directory,
                                  self.clock.now(), tz, day_first)
        self.store.bulk_checked(run_id, stored.valid, source if isinstance(source, str) else None)
        return run_id, stored

    # ----- the modal ------------------------------------------------------------------------------

    async def open_form(self, trigger_id: str, channel_id: str | None) -> None:
        await self.slack.views_open(trigger_id=trigger_id, view=bulk_messages.bulk_modal(
            json.dumps({"channel": channel_id})))

    async def fix_first(self, run_id: int, user_id: str, trigger_id: str) -> bool:
        """Drop a checked run and reopen the form with its paste; False if it is not theirs or already gone."""
        if not self.cancel(run_id, user_id):
            return False
        run = self.run(run_id)
        await self.slack.views_open(trigger_id=trigger_id, view=bulk_messages.bulk_modal(
            json.dumps({"channel": run["channel_id"]}), pasted=run["pasted"], fixing_csv=not run["pasted"]))
        return True

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
        person = await self.people.get(user_id)
        try:
            source = await self._download(files[0]["id"]) if files else lines or ""
            run_id, stored = await self.prepare(source, user_id, channel, person.tz,
                                                day_first=self.people.date_order(person) == "DMY")
        except (RowsRefused, BrokenProcessPool) as error:
            text, blocks = bulk_messages.problem(str(error) if isinstance(error, RowsRefused) else CHECKER_STOPPED)
            await self.slack.chat_update(channel=note["channel"], ts=note["ts"], text=text, blocks=blocks)
            return
        text, blocks = bulk_messages.summary(run_id, stored.valid, stored.invalid)
        await self.slack.chat_update(channel=note["channel"], ts=note["ts"], text=text, blocks=blocks)
        if stored.invalid:
            await self._upload_rows(run_id, note["channel"], note["ts"], ("invalid",),
                                    "The rows that need fixing, with why.")

    def cancel(self, run_id: int, user_id: str) -> bool:
        return self.store.cancel_bulk_run(run_id, user_id)

    async def _download(self, file_id: str) -> bytes:
        """The file's bytes: refused by its stated size before any is fetched, and cut off while streaming
        if it turns out larger than it said."""
        info = (await self.slack.files_info(file=file_id))["file"]
        too_large = FileTooLarge(f"That file is {kilobytes(int(info.get('size') or 0))}; Taskbot reads CSV files "
                                 f"of at most {kilobytes(UPLOAD_BYTES_MAX)}. Split it and upload the parts.")
        if int(info.get("size") or 0) > UPLOAD_BYTES_MAX:
            raise too_large
        content = bytearray()
        async with httpx.AsyncClient(timeout=30, verify=DOWNLOAD_TLS) as http, http.stream(
                "GET", info["url_private_download"], headers={"Authorization": f"Bearer {self.slack.token}"}) as response:
            response.raise_for_status()
            async for chunk in response.aiter_bytes():
                content += chunk
                if len(content) > UPLOAD_BYTES_MAX:
                    raise too_large
        return bytes(content)

    # ----- sending ------------------------------------------------------------------------------

    def run(self, run_id: int) -> dict[str, Any]:
        run = self.store.bulk_run(run_id)
        if run is None:
            raise KeyError(run_id)
        return run

    async def start(self, run_id: int, user_id: str) -> bool:
        """Queue the valid rows in chunks of 50; False if this run was already started (or is not theirs)."""
        if not self.store.start_bulk_run(run_id, user_id, BULK_MAX):
            return False
        try:
            await self._show_progress(run_id)
        except BaseException:
            self.store.let_go("bulk_runs", run_id)
            raise
        return True

    async def _show_progress(self, run_id: int) -> None:
        run = self.run(run_id)
        text, blocks = bulk_messages.progress(0, 0, run["total"])
        if run["channel_id"]:
            answer = await self.slack.chat_postMessage(channel=run["channel_id"], text=text, blocks=blocks)
        else:
            answer = await self.slack.chat_postMessage(channel=run["submitter_slack_id"], text=text, blocks=blocks)
        self.store.show_bulk_progress_at(run_id, answer["channel"], answer["ts"])

    async def send(self, run_id: int) -> None:
        """Send every queued chunk (a few at once; the shared limiter paces them), then gather the results.
        The run is let go after, whatever happened: one left unfinished is resumed, here or anywhere."""
        try:
            await self._send(run_id)
        finally:
            self.store.let_go("bulk_runs", run_id)

    async def _send(self, run_id: int) -> None:
        with background():
            last_progress = [-PROGRESS_EVERY]
            chunks = self.store.queued_chunks(run_id)
            in_flight = asyncio.Semaphore(CHUNKS_IN_FLIGHT)

            async def one(chunk: int) -> None:
                async with in_flight:
                    await self._send_chunk(run_id, chunk)
                if self.clock.monotonic() - last_progress[0] >= PROGRESS_EVERY:
                    last_progress[0] = self.clock.monotonic()
                    await self._progress(run_id)

            await asyncio.gather(*[one(chunk) for chunk in chunks])
            await self._gather_results(run_id)
            await self._finish(run_id)

    async def _send_chunk(self, run_id: int, chunk: int) -> None:
        """One Bulk/Create for the chunk, taken from the queue with a guarded update (so never twice); a
        refusal fails its rows, a lost answer leaves them to be read back, a failure to reach LeadSquared
        puts them back in the queue (nothing was sent) and tries again."""
        for attempt in range(SEND_ATTEMPTS):
            rows = self.store.claim_chunk(run_id, chunk)
            if not rows:
                return
            ids = [row["id"] for row in rows]
            tasks = [TaskCreate.model_validate(json.loads(row["payload"])["task"]) for row in rows]
            try:
                request_id = await self.lsq.bulk_create(
                    tasks, self._webhook_url(run_id),
                    sending=lambda ids=ids: self.store.mark_bulk_rows(ids, "sending", only_from=("claimed",)))
            except OutcomeUnknown as unknown:
                log.info("run %s chunk %s: outcome unknown (%s); reading back, never sending again", run_id, chunk,
                         unknown.detail)
                self.store.mark_bulk_rows(ids, "sent", only_from=IN_HAND)
                return
            except (BadRequest, RateLimited) as refused:
                self.store.mark_bulk_rows(ids, "failed", refused.message, only_from=IN_HAND)
                return
            except CRMError as error:
                log.info("run %s chunk %s not sent (%s); trying again", run_id, chunk, error)
                self.store.mark_bulk_rows(ids, "queued", only_from=IN_HAND)
                await self.clock.sleep(2.0 ** attempt)
                continue
            self.store.mark_bulk_rows(ids, "sent", request_id=request_id, only_from=IN_HAND)
            for payload in self.store.kept_bulk_results(run_id, request_id):
                self._settle(run_id, BulkResults.model_validate(payload))
            return
        self.store.mark_bulk_rows([row["id"] for row in self.store.bulk_rows(run_id, ("queued",), chunk)], "failed",
                                  "LeadSquared could not be reached; nothing was sent", only_from=("queued",))

    async def _gather_results(self, run_id: int) -> None:
        """Wait for LeadSquared's word on every sent row: by webhook (to whichever replica it comes), else by
        reading back, with backoff, for as long as it may take; what it never confirms is unconfirmed, never
        failed and never sent again."""
        waits = ((WEBHOOK_WAIT,) if self.settings.public_url else ()) + READ_BACK_WAITS
        for wait in waits:
            until = self.clock.monotonic() + wait
            while self._unsettled(run_id) and self.clock.monotonic() < until:
                await self.clock.sleep(min(SETTLED_POLL, until - self.clock.monotonic()))
            if not self._unsettled(run_id):
                break
            await self._read_back(run_id)
            await self._progress(run_id)
        unconfirmed = [row["id"] for row in self.store.bulk_rows(run_id, UNSETTLED)]
        self.store.mark_bulk_rows(unconfirmed, "unconfirmed", UNCONFIRMED, only_from=UNSETTLED)

    def _unsettled(self, run_id: int) -> int:
        counts = self.store.bulk_counts(run_id)
        return sum(counts.get(status, 0) for status in UNSETTLED)

    async def _read_back(self, run_id: int) -> None:
        """Find the run's unconfirmed rows in LeadSquared by their reference lines: those are created."""
        rows = self.store.bulk_rows(run_id, UNSETTLED)
        by_owner: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            by_owner[json.loads(row["payload"])["task"]["OwnerId"]].append(row)
        for owner, owned in by_owner.items():
            dues = [parse_instant(json.loads(row["payload"])["task"]["DueDate"]) for row in owned]
            try:
                found = await self.lsq.tasks_between(owner, min(dues) - timedelta(minutes=1),
                                                     max(dues) + timedelta(minutes=1))
            except CRMError as error:
                log.info("run %s: reading back failed (%s); trying again later", run_id, error)
                return
            made = {task.ref: task.UserTaskId for task in found if task.ref}
            with self.store.transaction():
                for row in owned:
                    crm_id = made.get(ref_of(json.loads(row["payload"])["task"].get("Description")))
                    if crm_id:
                        self.store.bulk_row_created(row["id"], crm_id)

    def _webhook_url(self, run_id: int) -> str | None:
        if not self.settings.public_url:
            return None
        secret = self.run(run_id)["secret"]
        return f"{self.settings.public_url.rstrip('/')}/webhooks/leadsquared/bulk/{run_id}/{secret}"

    def webhook(self, run_id: int, secret: str, payload: dict[str, Any]) -> bool:
        """LeadSquared posted a request's results; False when the secret does not match the run. A payload in a
        shape the bot does not read settles nothing (the rows are read back instead)."""
        try:
            run = self.run(run_id)
        except KeyError:
            return False
        if not secrets.compare_digest(run["secret"], secret):
            return False
        try:
            results = BulkResults.model_validate(payload)
        except ValueError as error:
            log.warning("run %s: a bulk webhook in a shape Taskbot does not read; reading back instead (%s)", run_id,
                        str(error).splitlines()[0])
            return True
        self.store.keep_bulk_results(run_id, results.RequestId, payload)
        self._settle(run_id, results)
        return True

    def _settle(self, run_id: int, results: BulkResults) -> None:
        self.store.settle_bulk_rows(run_id, results.RequestId, [
            (result.Index, result.Status == "Success", result.Id if result.Status == "Success" else
             result.Message or "LeadSquared did not create it")
            for result in results.TaskList if result.Status == "Error" or result.Id])

    async def resume(self) -> int:
        """Finish every run nobody drives any more (after a restart, or a replica that stopped): rows caught
        mid-send are read back, not sent again."""
        runs = self.store.take_abandoned_bulk_runs()
        await asyncio.gather(*[self.send(run_id) for run_id in runs])
        return len(runs)

    # ----- telling --------------------------------------------------------------------------------

    def counts(self, run_id: int) -> dict[str, int]:
        return self.store.bulk_counts(run_id)

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
                  for row in self.store.bulk_rows(run_id, ("failed", "invalid"))]
        self.store.finish_bulk_run(run_id)
        text, blocks = bulk_messages.report(counts.get("created", 0), counts.get("failed", 0),
                                            counts.get("invalid", 0), failed[:10], counts.get("unconfirmed", 0))
        await self.slack.chat_update(channel=run["channel_id"], ts=run["progress_ts"], text=text, blocks=blocks)
        if failed:
            await self._upload_rows(run_id, run["channel_id"], run["progress_ts"], ("failed", "invalid"),
                                    "The rows that were not created, with why: fix them and upload the file "
                                    "again with /bulktasks.")
        if counts.get("unconfirmed"):
            await self._upload_rows(run_id, run["channel_id"], run["progress_ts"], ("unconfirmed",),
                                    "The rows LeadSquared has not confirmed: they may still appear. Check its "
                                    "Request History before sending any of them again.", "unconfirmed")

    async def _upload_rows(self, run_id: int, channel: str, thread_ts: str, statuses: tuple[str, ...],
                           comment: str, name: str = "to-fix") -> None:
        rows = [(row["row_number"], row["error"] or "", source_of(json.loads(row["payload"])))
                for row in self.store.bulk_rows(run_id, statuses)]
        await self.slack.files_upload_v2(channel=channel, thread_ts=thread_ts, content=failed_rows_csv(rows),
                                         filename=f"taskbot-rows-{name}-{run_id}.csv", initial_comment=comment)


