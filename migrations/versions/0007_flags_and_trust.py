"""flags, merged shops, publication dates, and the count of approved posts behind
NEW_MEMBER_REVIEW_POSTS

Revision ID: 7a5b6c8d9ea4
Revises: 6f4a5b7c8d93
Create Date: 2026-12-02 17:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "7a5b6c8d9ea4"
down_revision = "6f4a5b7c8d93"
branch_labels = None
depends_on = None

OPEN = sa.text("status = 'open'")


def upgrade():
    op.create_table(
        "flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("shop_id", sa.Integer(), nullable=True),
        sa.Column("tip_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(shop_id IS NULL) <> (tip_id IS NULL)", name=op.f("ck_flags_one_target")
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["users.id"],
            name=op.f("fk_flags_reporter_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shop_id"], ["shops.id"], name=op.f("fk_flags_shop_id_shops"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tip_id"], ["tips.id"], name=op.f("fk_flags_tip_id_tips"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_id"],
            ["shops.id"],
            name=op.f("fk_flags_duplicate_of_id_shops"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["users.id"], name=op.f("fk_flags_resolved_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_flags")),
    )
    for name, column in (("uq_flags_open_shop", "shop_id"), ("uq_flags_open_tip", "tip_id")):
        op.create_index(
            name,
            "flags",
            ["reporter_id", column],
            unique=True,
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        )
    op.create_index("ix_flags_status", "flags", ["status"])
    with op.batch_alter_table("shops") as batch:
        batch.add_column(sa.Column("merged_into_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_shops_merged_into_id_shops"),
            "shops",
            ["merged_into_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.add_column(sa.Column("published_at", sa.DateTime(), nullable=True))
    op.execute("UPDATE shops SET published_at = created_at WHERE status <> 'pending'")
    with op.batch_alter_table("moderation_log") as batch:
        batch.alter_column("reason", type_=sa.Text(), existing_type=sa.String(length=500))
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("approved_posts", sa.Integer(), nullable=False, server_default="0")
        )
    # Members who already have published posts were trusted before the queue existed.
    op.execute(
        "UPDATE users SET approved_posts = 1 WHERE id IN "
        "(SELECT author_id FROM shops WHERE status = 'visible' AND author_id IS NOT NULL)"
    )


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("approved_posts")
    with op.batch_alter_table("moderation_log") as batch:
        batch.alter_column("reason", type_=sa.String(length=500), existing_type=sa.Text())
    with op.batch_alter_table("shops") as batch:
        batch.drop_column("published_at")
        batch.drop_constraint("fk_shops_merged_into_id_shops", type_="foreignkey")
        batch.drop_column("merged_into_id")
    op.drop_index("ix_flags_status", table_name="flags")
    op.drop_index("uq_flags_open_tip", table_name="flags")
    op.drop_index("uq_flags_open_shop", table_name="flags")
    op.drop_table("flags")
