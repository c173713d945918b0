"""Bulk runs and their rows: stored before anything is sent, chunks claimed with a guarded update, the run
driven by the one replica holding its lease, and LeadSquared's webhook results kept for whichever replica waits."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from bot.store.database import Database
from bot.store.leases import LeaseQueries

FINISHED_RUN = ("done", "cancelled", "checked")
UNSETTLED = ("sent", "sending")
ROWS_PER_TRANSACTION = 250


class BulkQueries(LeaseQueries, Database):
    def add_bulk_run(self, submitter: str, channel: str | None, total: int = 0) -> tuple[int, str]:
        """A run being checked, not started; (its id, its secret). `bulk_checked` gives its total."""
        now, secret = self.now(), secrets.token_urlsafe(16)
        run_id = self._insert("bulk_runs", {"submitter_slack_id": submitter, "channel_id": channel,
                                            "status": "checked", "secret": secret, "total": total,
                                            "created_at": now, "updated_at": now})
        return run_id, secret

    def add_bulk_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        """Store a checked run's rows; each: run_id, row_number, status, payload (a dict), error. Called off the
        event loop, a few hundred rows per transaction so the loop's own writes never wait long for the file;
        the run is offered to its submitter only once all of them are in."""
        records = [{"error": None, **row, "payload": json.dumps(row["payload"])} for row in rows]
        for start in range(0, len(records), ROWS_PER_TRANSACTION):
            with self.transaction():
                self._write_many("INSERT INTO bulk_rows (run_id, row_number, status, payload, error) "
                                 "VALUES (:run_id, :row_number, :status, :payload, :error)",
                                 records[start:start + ROWS_PER_TRANSACTION])

    def bulk_run(self, run_id: int) -> dict[str, Any] | None:
        return self._one("SELECT * FROM bulk_runs WHERE id = :id", id=run_id)

    def bulk_checked(self, run_id: int, total: int, pasted: str | None) -> None:
        """Its rows are stored: how many are valid, and the paste they came from (for Fix first)."""
        self._update("bulk_runs", "id", run_id, {"total": total, "pasted": pasted, "updated_at": self.now()})

    def running_bulk_run(self, slack_id: str) -> int | None:
        return self._scalar("SELECT id FROM bulk_runs WHERE submitter_slack_id = :who AND status = 'running'",
                            who=slack_id)

    def cancel_bulk_run(self, run_id: int, user_id: str) -> bool:
        """A checked run is dropped by the one who submitted it; False if it started or is not theirs."""
        return self._write("UPDATE bulk_runs SET status = 'cancelled', updated_at = :now WHERE id = :id "
                           "AND status = 'checked' AND submitter_slack_id = :who", now=self.now(), id=run_id,
                           who=user_id) == 1

    def start_bulk_run(self, run_id: int, user_id: str, chunk_size: int) -> bool:
        """Queue a checked run's valid rows in chunks, leased to this process; False if it was already started,
        is not theirs, or another of theirs is running (one at a time, even when two replicas start two)."""
        with self.transaction():
            if self.postgres:
                self._scalar("SELECT pg_advisory_xact_lock(hashtext(:key))", key=f"bulk:{user_id}")
            if self._write("UPDATE bulk_runs SET status = 'running', updated_at = :now, lease_owner = :me, "
                           "lease_until = :until WHERE id = :id AND status = 'checked' AND submitter_slack_id = :who "
                           "AND NOT EXISTS (SELECT 1 FROM bulk_runs AS other WHERE other.submitter_slack_id = :who "
                           "AND other.status = 'running')",
                           now=self.now(), me=self.owner, until=self.lease_until(), id=run_id, who=user_id) != 1:
                return False
            ids = [row["id"] for row in self._all(
                "SELECT id FROM bulk_rows WHERE run_id = :id AND status = 'valid' ORDER BY row_number", id=run_id)]
            self._write_many("UPDATE bulk_rows SET status = 'queued', chunk = :chunk WHERE id = :id",
                             [{"chunk": index // chunk_size, "id": row_id} for index, row_id in enumerate(ids)])
        return True

    def show_bulk_progress_at(self, run_id: int, channel: str, ts: str) -> None:
        self._update("bulk_runs", "id", run_id, {"progress_ts": ts, "channel_id": channel})

    def take_abandoned_bulk_runs(self) -> list[int]:
        """Running runs nobody drives any more, now leased to this process; chunks their last holder had
        claimed but never sent go back to the queue (rows whose request left stay to be read back)."""
        gone = self.gone_owners("lease_owner", "bulk_runs") or [""]
        with self.transaction():
            runs = [row["id"] for row in self._all(
                "UPDATE bulk_runs SET lease_owner = :me, lease_until = :until WHERE id IN (SELECT id FROM bulk_runs "
                "WHERE status = 'running' AND (lease_owner IS NULL OR lease_until < :now OR lease_owner IN :gone)"
                + self.skip_locked() + ") RETURNING id", expanding=("gone",), me=self.owner, until=self.lease_until(),
                now=self.now(), gone=gone)]
            if runs:
                self._write("UPDATE bulk_rows SET status = 'queued' WHERE run_id IN :runs AND status = 'claimed'",
                            expanding=("runs",), runs=runs)
        return runs

    def finish_bulk_run(self, run_id: int) -> None:
        self._update("bulk_runs", "id", run_id, {"status": "done", "updated_at": self.now(), "lease_owner": None,
                                                 "lease_until": None})

    # ----- rows ---------------------------------------------------------------------------------

    def queued_chunks(self, run_id: int) -> list[int]:
        return [row["chunk"] for row in self._all(
            "SELECT DISTINCT chunk FROM bulk_rows WHERE run_id = :id AND status = 'queued' ORDER BY chunk", id=run_id)]

    def claim_chunk(self, run_id: int, chunk: int) -> list[dict[str, Any]]:
        """The chunk's queued rows, now claimed to be sent (`sending` once the request leaves); empty when
        someone else already took them."""
        return sorted(self._all("UPDATE bulk_rows SET status = 'claimed' WHERE run_id = :id AND chunk = :chunk "
                                "AND status = 'queued' RETURNING *", id=run_id, chunk=chunk),
                      key=lambda row: row["row_number"])

    def bulk_rows(self, run_id: int, statuses: Iterable[str], chunk: int | None = None) -> list[dict[str, Any]]:
        where = "run_id = :id AND status IN :statuses" + (" AND chunk = :chunk" if chunk is not None else "")
        return self._all(f"SELECT * FROM bulk_rows WHERE {where} ORDER BY row_number", expanding=("statuses",),
                         id=run_id, statuses=list(statuses), chunk=chunk)

    def mark_bulk_rows(self, row_ids: Sequence[int], status: str, error: str | None = None,
                       request_id: str | None = None, only_from: Iterable[str] = ("claimed", "sending")) -> None:
        """Move rows on from the states in `only_from` (never back from a result already known)."""
        if row_ids:
            self._write("UPDATE bulk_rows SET status = :status, error = :error, "
                        "request_id = coalesce(:request_id, request_id) WHERE id IN :ids AND status IN :only_from",
                        expanding=("ids", "only_from"), status=status, error=error, request_id=request_id,
                        ids=list(row_ids), only_from=list(only_from))

    def bulk_row_created(self, row_id: int, crm_id: str) -> None:
        self._write("UPDATE bulk_rows SET status = 'created', crm_id = :crm_id, error = NULL WHERE id = :id "
                    "AND status IN :unsettled", expanding=("unsettled",), crm_id=crm_id, id=row_id,
                    unsettled=list(UNSETTLED))

    def bulk_counts(self, run_id: int) -> dict[str, int]:
        return {row["status"]: int(row["count"]) for row in self._all(
            "SELECT status, COUNT(*) AS count FROM bulk_rows WHERE run_id = :id GROUP BY status", id=run_id)}

    # ----- LeadSquared's word ---------------------------------------------------------------------

    def keep_bulk_results(self, run_id: int, request_id: str, payload: dict[str, Any]) -> None:
        self._write("INSERT INTO bulk_results (request_id, run_id, payload, received_at) "
                    "VALUES (:request_id, :run_id, :payload, :now)", request_id=request_id, run_id=run_id,
                    payload=json.dumps(payload), now=self.now())

    def kept_bulk_results(self, run_id: int, request_id: str) -> list[dict[str, Any]]:
        """The results LeadSquared posted for one request of this run, oldest first."""
        return [json.loads(row["payload"]) for row in self._all(
            "SELECT payload FROM bulk_results WHERE run_id = :id AND request_id = :request_id ORDER BY id",
            id=run_id, request_id=request_id)]

    def settle_bulk_rows(self, run_id: int, request_id: str,
                         results: Sequence[tuple[int, bool, str | None]]) -> int:
        """Apply one request's results — (index in the request, created?, task id or reason) — to the rows
        still waiting for them; how many settled."""
        with self.transaction():
            rows = self._all("SELECT id FROM bulk_rows WHERE run_id = :id AND request_id = :request_id "
                             "ORDER BY row_number", id=run_id, request_id=request_id)
            settled = 0
            for index, created, detail in results:
                if not 0 <= index < len(rows):
                    continue
                if created:
                    settled += self._write("UPDATE bulk_rows SET status = 'created', crm_id = :crm_id, error = NULL "
                                           "WHERE id = :id AND status IN :unsettled", expanding=("unsettled",),
                                           crm_id=detail, id=rows[index]["id"], unsettled=list(UNSETTLED))
                else:
                    settled += self._write("UPDATE bulk_rows SET status = 'failed', error = :error WHERE id = :id "
                                           "AND status IN :unsettled", expanding=("unsettled",), error=detail,
                                           id=rows[index]["id"], unsettled=list(UNSETTLED))
        return settled
