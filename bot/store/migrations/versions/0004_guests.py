"""Guests may not search or create: remembered from their Slack profile like their zone."""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    op.add_column("users", sa.Column("guest", sa.Integer, nullable=False, server_default="0"))
