""""Fix first" reopens the form with what was pasted, so nothing has to be pasted again."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.add_column("bulk_runs", sa.Column("pasted", sa.Text))
