"""account lifecycle: email confirmation, language, deletion

Revision ID: 4d2e3f5a6b71
Revises: 3c1d2e4f5a60
Create Date: 2026-12-02 10:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "4d2e3f5a6b71"
down_revision = "3c1d2e4f5a60"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email_confirmed_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("language", sa.String(length=5), nullable=True))
        batch.add_column(sa.Column("deleted_at", sa.DateTime(), nullable=True))
    # Accounts made before confirmation existed were never asked for it: they keep posting.
    op.execute("UPDATE users SET email_confirmed_at = created_at")


def downgrade():
    # SQLite drops columns by rebuilding the table, which cannot carry 0003's expression index:
    # take it off first and put it back after.
    op.drop_index("uq_users_display_name_lower", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("deleted_at")
        batch.drop_column("language")
        batch.drop_column("email_confirmed_at")
    op.create_index(
        "uq_users_display_name_lower", "users", [sa.text("lower(display_name)")], unique=True
    )
