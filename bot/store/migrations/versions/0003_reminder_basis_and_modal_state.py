"""Reminders remember the due time and owner they were planned for (so one already sent is not sent again for
the same ones) and how often delivery failed; modals keep what outgrows private_metadata."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    with op.batch_alter_table("reminders") as reminders:
        reminders.add_column(sa.Column("due_utc", sa.Text))
        reminders.add_column(sa.Column("owner_slack_id", sa.Text))
        reminders.add_column(sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
        reminders.add_column(sa.Column("retry_at", sa.Text))
        reminders.add_column(sa.Column("error", sa.Text))
    op.execute("UPDATE reminders SET due_utc = (SELECT due_utc FROM tasks WHERE tasks.id = reminders.task_id), "
               "owner_slack_id = (SELECT owner_slack_id FROM tasks WHERE tasks.id = reminders.task_id)")
    op.create_table(
        "modal_state",
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("created_at", sa.Text, nullable=False),
    )
