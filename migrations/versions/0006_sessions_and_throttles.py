"""sessions and login throttles: UI sessions checked server-side, a password counter, throttles per address

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 19:45:00

`users.auth_version` moves on every password change (a session stamp of whole seconds let a session outlive a
second change within the same second); `ui_sessions` makes sign-out end a session on the server; failed sign-ins
are counted per (account, address) and per address in `login_throttles`, so that a stranger cannot lock the owner
out. The old `failed_logins` / `locked_until` columns stay (additive) and are no longer used.
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('auth_version', sa.Integer(), nullable=False, server_default=sa.text('0')))
    op.create_table('ui_sessions',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('user_id', sa.Integer(), nullable=False),
                    sa.Column('sid_hash', sa.String(length=64), nullable=False),
                    sa.Column('auth_version', sa.Integer(), nullable=False),
                    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
                    sa.ForeignKeyConstraint(['user_id'], ['users.id']),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('sid_hash'))
    with op.batch_alter_table('ui_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ui_sessions_user_id'), ['user_id'], unique=False)
    op.create_table('login_throttles',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('key', sa.String(length=128), nullable=False),
                    sa.Column('failures', sa.Integer(), nullable=False),
                    sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=False),
                    sa.Column('blocked_until', sa.DateTime(timezone=True), nullable=True),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('key'))


def downgrade() -> None:
    op.drop_table('login_throttles')
    with op.batch_alter_table('ui_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ui_sessions_user_id'))
    op.drop_table('ui_sessions')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('auth_version')
