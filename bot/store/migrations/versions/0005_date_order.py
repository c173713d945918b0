"""How a person writes numeric dates (MDY or DMY); NULL follows the workspace, then their zone."""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.add_column("users", sa.Column("date_order", sa.Text))
