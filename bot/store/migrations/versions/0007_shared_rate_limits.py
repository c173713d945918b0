"""CRM rate limits shared by every replica: the limit in force and any pause per limiter, and the slots of
its window (who holds each, and when its last call was answered)."""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    op.create_table(
        "crm_limits",
        sa.Column("limiter", sa.Text, primary_key=True),
        sa.Column("configured_calls", sa.Integer, nullable=False),
        sa.Column("configured_seconds", sa.Float, nullable=False),
        sa.Column("calls", sa.Integer, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("paused_until", sa.Text),
    )
    op.create_table(
        "crm_slots",
        sa.Column("limiter", sa.Text, sa.ForeignKey("crm_limits.limiter"), primary_key=True),
        sa.Column("slot", sa.Integer, primary_key=True),
        sa.Column("holder", sa.Text),
        sa.Column("answered_at", sa.Text),
    )
