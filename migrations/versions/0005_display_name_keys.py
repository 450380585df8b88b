"""display names unique by a casefolded key, on every database

Revision ID: 5e3f4a6b7c82
Revises: 4d2e3f5a6b71
Create Date: 2026-12-02 14:30:00

0003's unique index on lower(display_name) only folds ASCII letters on SQLite (and under the C
collation on PostgreSQL): "Émile" and "émile" were two members. The key is computed in Python
(NFKC, no format characters, casefold), the same on both databases.
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "5e3f4a6b7c82"
down_revision = "4d2e3f5a6b71"
branch_labels = None
depends_on = None


def _key(name: str) -> str:
    # A copy of directory.accounts.names.name_key as of this revision: migrations must not
    # change when the application's code does.
    name = unicodedata.normalize("NFKC", name or "")
    visible = "".join(c for c in name if unicodedata.category(c) != "Cf")
    return " ".join(visible.split()).casefold()


def upgrade():
    op.drop_index("uq_users_display_name_lower", table_name="users")
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("name_key", sa.String(length=200), nullable=True))
    connection = op.get_bind()
    users = sa.table("users", sa.column("id"), sa.column("display_name"), sa.column("name_key"))
    seen: set[str] = set()
    for user_id, display_name in connection.execute(
        sa.select(users.c.id, users.c.display_name).order_by(users.c.id)
    ):
        key = _key(display_name)
        if key in seen:  # a later twin that the old index let through keeps a distinct key
            key = f"{key}#{user_id}"
        seen.add(key)
        connection.execute(users.update().where(users.c.id == user_id).values(name_key=key))
    with op.batch_alter_table("users") as batch:
        batch.alter_column("name_key", existing_type=sa.String(length=200), nullable=False)
        batch.create_index("uq_users_name_key", ["name_key"], unique=True)


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_index("uq_users_name_key")
        batch.drop_column("name_key")
    op.create_index(
        "uq_users_display_name_lower", "users", [sa.text("lower(display_name)")], unique=True
    )
