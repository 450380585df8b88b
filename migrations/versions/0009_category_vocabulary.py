"""categories: the product vocabulary that finds a shop by what it sells

Revision ID: 8c1d2e3f4a5b
Revises: 6bafa1a4c3a6
Create Date: 2026-12-04 02:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "8c1d2e3f4a5b"
down_revision = "6bafa1a4c3a6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("categories") as batch_op:
        batch_op.add_column(sa.Column("vocabulary", sa.Text(), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("categories") as batch_op:
        batch_op.drop_column("vocabulary")
