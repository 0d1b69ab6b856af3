"""departed guardians: a guardian who leaves the family stays as a pseudonymised row (left_at, left_family_id),
unlinked from the user and the family, so the enrolments and attendance that point at it are kept; back-filled
course sessions (course_session.backfilled: created after their end, held only with attendance recorded)

Revision ID: b6fa0000000c
Revises: c70b0000000d
Create Date: 2026-12-04 19:20:00

"""
import sqlalchemy as sa
from alembic import op

import jlt_family.core.db_types

# revision identifiers, used by Alembic.
revision = 'b6fa0000000c'
down_revision = 'c70b0000000d'
branch_labels = None
depends_on = None

DEPARTED_UNLINKED = (
    "(left_at IS NULL AND family_id IS NOT NULL AND user_id IS NOT NULL AND left_family_id IS NULL)"
    " OR (left_at IS NOT NULL AND family_id IS NULL AND user_id IS NULL AND left_family_id IS NOT NULL)"
)


def upgrade():
    with op.batch_alter_table('guardian', schema=None) as batch_op:
        batch_op.add_column(sa.Column('left_at', jlt_family.core.db_types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('left_family_id', sa.Integer(), nullable=True))
        batch_op.alter_column('family_id', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(batch_op.f('ix_guardian_left_family_id'), ['left_family_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_guardian_left_family_id_family'), 'family',
                                    ['left_family_id'], ['id'])
        batch_op.create_check_constraint(batch_op.f('ck_guardian_departed_unlinked'), DEPARTED_UNLINKED)

    with op.batch_alter_table('course_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('backfilled', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('course_session', schema=None) as batch_op:
        batch_op.drop_column('backfilled')

    # Departed guardians have no user or family to go back to: they are removed with their history's link.
    conn = op.get_bind()
    conn.execute(sa.text("DELETE FROM guardian WHERE left_at IS NOT NULL"))
    with op.batch_alter_table('guardian', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_guardian_departed_unlinked'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_guardian_left_family_id_family'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_guardian_left_family_id'))
        batch_op.alter_column('user_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('family_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('left_family_id')
        batch_op.drop_column('left_at')
