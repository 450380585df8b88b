"""unique display names, whatever their case

Revision ID: 3c1d2e4f5a60
Revises: b9574ca8fc23
Create Date: 2026-11-22 05:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "3c1d2e4f5a60"
down_revision = "b9574ca8fc23"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "uq_users_display_name_lower", "users", [sa.text("lower(display_name)")], unique=True
    )


def downgrade():
    op.drop_index("uq_users_display_name_lower", table_name="users")
