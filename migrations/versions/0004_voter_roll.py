"""voter roll, objections, announcements; election day on the election row (domain.md §10, §11)

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column('elections', sa.Column('election_day', sa.Date(), nullable=True))
    # elections that already hold the fact get it on the row (the fact stores an ISO date as JSON text)
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT election_id, value FROM facts WHERE key = 'election_day'")).all()
    # (SQLite would turn CAST(... AS DATE) into a number: its dates are ISO text already)
    target = ":d" if conn.dialect.name == "sqlite" else "CAST(:d AS DATE)"
    for election_id, value in rows:
        day = value.strip('"') if isinstance(value, str) else None  # SQLite hands JSON back as its text
        if day and len(day) == 10:
            conn.execute(sa.text(f"UPDATE elections SET election_day = {target} WHERE id = :i"),
                         {"d": day, "i": election_id})
    op.create_table('voters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('gender', sa.String(length=1), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('id_mask', sa.String(length=18), nullable=False),
    sa.Column('active_key', sa.String(length=64), nullable=True),
    sa.Column('household', sa.String(length=60), nullable=True),
    sa.Column('group_name', sa.String(length=60), nullable=True),
    sa.Column('category', sa.String(length=10), nullable=False),
    sa.Column('resident_since', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('removed_reason', sa.Text(), nullable=True),
    sa.Column('removed_at', TS, nullable=True),
    sa.Column('proxy_holder_id', sa.Integer(), nullable=True),
    sa.Column('proxy_given_at', TS, nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', TS, nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['election_id'], ['elections.id'], ),
    sa.ForeignKeyConstraint(['proxy_holder_id'], ['voters.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('campaign_id', 'active_key', name='uq_voter_campaign_person')
    )
    with op.batch_alter_table('voters', schema=None) as batch_op:
        batch_op.create_index('ix_voters_election_name', ['election_id', 'status', 'name'], unique=False)
        batch_op.create_index('ix_voters_proxy_holder', ['proxy_holder_id'], unique=False)
    op.create_table('voter_objections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('voter_id', sa.Integer(), nullable=True),
    sa.Column('person', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.Column('filed_by', sa.Integer(), nullable=True),
    sa.Column('filed_at', TS, nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', TS, nullable=True),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], ),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['election_id'], ['elections.id'], ),
    sa.ForeignKeyConstraint(['filed_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['voter_id'], ['voters.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('voter_objections', schema=None) as batch_op:
        batch_op.create_index('ix_voter_objections_election_id', ['election_id'], unique=False)
        batch_op.create_index('ix_voter_objections_open_due', ['status', 'due_on'], unique=False)
    op.create_table('announcements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('superseded', sa.Boolean(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('html_sha256', sa.String(length=64), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('published_by', sa.Integer(), nullable=True),
    sa.Column('created_at', TS, nullable=False),
    sa.ForeignKeyConstraint(['election_id'], ['elections.id'], ),
    sa.ForeignKeyConstraint(['published_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['supersedes_id'], ['announcements.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('election_id', 'number', name='uq_announcement_number')
    )
    with op.batch_alter_table('announcements', schema=None) as batch_op:
        batch_op.create_index('ix_announcements_election_id', ['election_id'], unique=False)


def downgrade() -> None:
    op.drop_table('announcements')
    op.drop_table('voter_objections')
    op.drop_table('voters')
    # a plain DROP COLUMN (SQLite >= 3.35): batch mode would rebuild elections, whose rows other tables reference
    op.execute("ALTER TABLE elections DROP COLUMN election_day")
