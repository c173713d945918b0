"""People, tasks, the outbox of CRM writes, reminders, bulk runs and the keys of Slack requests already handled."""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("slack_id", sa.Text, primary_key=True),
        *[sa.Column(name, sa.Text) for name in ("team_id", "name", "tz", "email", "lsq_user_id", "lsq_email",
                                                  "lsq_name", "ghl_user_id", "email_override")],
        sa.Column("reminder_appt_minutes", sa.Integer),
        sa.Column("reminder_todo_time", sa.Text),
        sa.Column("digest_enabled", sa.Integer, nullable=False, server_default="0"),
        sa.Column("home_seen", sa.Integer, nullable=False, server_default="0"),
        sa.Column("digest_last_sent", sa.Text),
        sa.Column("refreshed_at", sa.Text),
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("backend", sa.Text, nullable=False),
        sa.Column("crm_id", sa.Text),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        *[sa.Column(name, sa.Text) for name in ("due_utc", "end_utc", "owner_slack_id", "creator_slack_id", "lead_id",
                                                  "lead_name", "channel_id", "confirmation_ts", "thread_ts")],
        sa.Column("status", sa.Text, nullable=False, server_default="open"),
        sa.Column("details", sa.Text, nullable=False, server_default="{}"),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
        sa.UniqueConstraint("backend", "crm_id"),
    )
    op.create_table(
        "operations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("idempotency_key", sa.Text, nullable=False, unique=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("crm_id", sa.Text),
        sa.Column("error", sa.Text),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
    )
    op.create_index("operations_status", "operations", ["status"])
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("task_id", sa.Integer, sa.ForeignKey("tasks.id"), nullable=False),
        sa.Column("fire_at", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False, server_default="pending"),
        *[sa.Column(name, sa.Text) for name in ("claimed_by", "claimed_at", "sent_at", "dm_channel", "dm_ts")],
    )
    op.create_index("reminders_due", "reminders", ["status", "fire_at"])
    op.create_table(
        "bulk_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("submitter_slack_id", sa.Text, nullable=False),
        sa.Column("channel_id", sa.Text),
        sa.Column("progress_ts", sa.Text),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Text, nullable=False),
    )
    op.create_table(
        "bulk_rows",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("bulk_runs.id"), nullable=False),
        sa.Column("row_number", sa.Integer, nullable=False),
        sa.Column("chunk", sa.Integer),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        *[sa.Column(name, sa.Text) for name in ("crm_id", "request_id", "error")],
    )
    op.create_index("bulk_rows_run", "bulk_rows", ["run_id", "chunk"])
    op.create_table(
        "seen",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("at", sa.Text, nullable=False),
    )
