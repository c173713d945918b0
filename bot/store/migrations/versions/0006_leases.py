"""Work is claimed with leases so several replicas can share one database: an outbox operation, a bulk run and
a reminder carry who holds them and until when; bulk webhook results are stored for whichever replica waits."""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    for table in ("operations", "bulk_runs"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("lease_owner", sa.Text))
            batch.add_column(sa.Column("lease_until", sa.Text))
    with op.batch_alter_table("reminders") as reminders:
        reminders.add_column(sa.Column("lease_until", sa.Text))
    op.create_index("reminders_claimed", "reminders", ["claimed_by"])
    op.create_index("operations_lease", "operations", ["lease_owner"])
    op.create_table(
        "bulk_results",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("request_id", sa.Text, nullable=False, index=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("bulk_runs.id"), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("received_at", sa.Text, nullable=False),
    )
