"""visits: a family's counter-proposal on the visit (move_starts_at, move_ends_at, move_reason), the teacher a
班主任 acted for in the history (visit_event.on_behalf_of_id) and its three new actions, follow-up owners (the
recorder for existing rows) and their done state

Revision ID: d2b6f0000008
Revises: a5e90000000b
Create Date: 2026-12-04 19:08:06.156907

"""
import sqlalchemy as sa
from alembic import op

import jlt_family.core.db_types


# revision identifiers, used by Alembic.
revision = 'd2b6f0000008'
down_revision = 'a5e90000000b'
branch_labels = None
depends_on = None

_OLD_ACTIONS = ("proposed", "accepted", "suggested", "reproposed", "declined", "cancelled", "moved", "completed")
_NEW_ACTIONS = (*_OLD_ACTIONS, "move_requested", "move_accepted", "move_declined")
_MOVE_ORDER = ("(move_starts_at IS NULL AND move_ends_at IS NULL) OR "
               "(move_starts_at IS NOT NULL AND move_ends_at IS NOT NULL AND move_ends_at > move_starts_at)")


def _action_type(values):
    return sa.Enum(*values, name="visit_action", native_enum=False, create_constraint=True,
                   length=max(len(value) for value in values))


def _change_actions(old, new):
    """SQLite rebuilds the table with the new CHECK; MySQL/MariaDB need the old one dropped first."""
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_visit_event_visit_action"), "visit_event", type_="check")
    with op.batch_alter_table("visit_event", schema=None) as batch_op:
        batch_op.alter_column("action", existing_type=_action_type(old), type_=_action_type(new),
                              existing_nullable=False)


def upgrade():
    with op.batch_alter_table('home_visit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('move_starts_at', jlt_family.core.db_types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('move_ends_at', jlt_family.core.db_types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('move_reason', sa.String(length=200), nullable=True))
        batch_op.create_check_constraint('move_order', _MOVE_ORDER)

    _change_actions(_OLD_ACTIONS, _NEW_ACTIONS)
    with op.batch_alter_table('visit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('on_behalf_of_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_visit_event_on_behalf_of_id_user'), 'user', ['on_behalf_of_id'],
                                    ['id'])

    with op.batch_alter_table('visit_follow_up', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('done_at', jlt_family.core.db_types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('done_by_id', sa.Integer(), nullable=True))
    op.execute("UPDATE visit_follow_up SET owner_id = (SELECT visit_record.recorded_by_id FROM visit_record "
               "WHERE visit_record.id = visit_follow_up.record_id)")
    with op.batch_alter_table('visit_follow_up', schema=None) as batch_op:
        batch_op.alter_column('owner_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index('ix_visit_follow_up_owner', ['owner_id', 'done_at', 'due_on'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_visit_follow_up_owner_id_user'), 'user', ['owner_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_visit_follow_up_done_by_id_user'), 'user', ['done_by_id'], ['id'])


def downgrade():
    """Follow-ups lose their owner and done state; an accepted counter-proposal stays in the history as a move,
    a pending, requested or declined one is dropped (the old model has no place for it)."""
    with op.batch_alter_table('visit_follow_up', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_visit_follow_up_done_by_id_user'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_visit_follow_up_owner_id_user'), type_='foreignkey')
        batch_op.drop_index('ix_visit_follow_up_owner')
        batch_op.drop_column('done_by_id')
        batch_op.drop_column('done_at')
        batch_op.drop_column('owner_id')

    with op.batch_alter_table('visit_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_visit_event_on_behalf_of_id_user'), type_='foreignkey')
        batch_op.drop_column('on_behalf_of_id')
    op.execute("UPDATE visit_event SET action = 'moved' WHERE action = 'move_accepted'")
    op.execute("DELETE FROM visit_event WHERE action IN ('move_requested', 'move_declined')")
    _change_actions(_NEW_ACTIONS, _OLD_ACTIONS)

    op.execute("UPDATE home_visit SET awaiting = NULL WHERE state = 'scheduled'")
    with op.batch_alter_table('home_visit', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_home_visit_move_order'), type_='check')
        batch_op.drop_column('move_reason')
        batch_op.drop_column('move_ends_at')
        batch_op.drop_column('move_starts_at')
