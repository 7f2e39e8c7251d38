"""joint review: a reviewer's department, candidates' computed review status, one verdict per department

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 20:25:00

domain.md §12 (资格联审): `users.department` for the role `reviewer`; `candidate_reviews` holds each department's
current verdict on a candidate (its changes are in the history); `candidates.review_status` caches the computed
status (pending | passed | failed; null where the rule set has no joint review).
"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('department', sa.String(length=32), nullable=True))
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_status', sa.String(length=8), nullable=True))
    op.create_table('candidate_reviews',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('candidate_id', sa.Integer(), nullable=False),
                    sa.Column('department', sa.String(length=32), nullable=False),
                    sa.Column('verdict', sa.String(length=8), nullable=False),
                    sa.Column('grounds', sa.JSON(), nullable=True),
                    sa.Column('note', sa.Text(), nullable=True),
                    sa.Column('recorded_by', sa.Integer(), nullable=True),
                    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
                    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], ),
                    sa.ForeignKeyConstraint(['recorded_by'], ['users.id'], ),
                    sa.PrimaryKeyConstraint('id'),
                    sa.UniqueConstraint('candidate_id', 'department', name='uq_candidate_review'))
    op.create_index('ix_candidate_reviews_candidate_id', 'candidate_reviews', ['candidate_id'])


def downgrade() -> None:
    op.drop_index('ix_candidate_reviews_candidate_id', table_name='candidate_reviews')
    op.drop_table('candidate_reviews')
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.drop_column('review_status')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('department')
