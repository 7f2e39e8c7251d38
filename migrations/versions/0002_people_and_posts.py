"""people and posts: candidates' identity (hash + mask), incumbent, Party posts; the roster; secretary_elected retired

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 19:20:00

`secretary_elected` is no longer a fact (domain.md §4.5 rev. 2): the guard of that code is computed from the posts.
Each recorded `secretary_elected` fact is removed from the facts and a `facts_cleared` row in the election's history
keeps its value and says why, as when an election re-enters a state: the history shows what was recorded, and an
election still in certification names its secretary in the posts before it can certify. Nothing here guesses who
the secretary was: the fact never said.
"""
import datetime as dt

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

RETIRED_KEY = "secretary_elected"  # copied, not imported: migrations never import live code
REASON = "secretary_elected is computed from the posts (domain.md §4.5, §9 rev. 2)"


def upgrade() -> None:
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('id_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('id_masked', sa.String(length=18), nullable=True))
        batch_op.add_column(sa.Column('incumbent', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('party_post', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('full_time_deputy', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_candidates_id_hash'), ['id_hash'], unique=False)
    op.create_table('roster_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('election_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('gender', sa.String(length=1), nullable=True),
    sa.Column('unit', sa.String(length=200), nullable=False),
    sa.Column('post', sa.String(length=100), nullable=True),
    sa.Column('start_on', sa.Date(), nullable=True),
    sa.Column('end_on', sa.Date(), nullable=True),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['election_id'], ['elections.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('roster_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_members_election_id'), ['election_id'], unique=False)
    _retire_secretary_elected()


def _retire_secretary_elected() -> None:
    """Move every recorded secretary_elected fact into the history (facts_cleared) and out of the facts."""
    conn = op.get_bind()
    facts = sa.table('facts', sa.column('id', sa.Integer), sa.column('election_id', sa.Integer),
                     sa.column('key', sa.String), sa.column('value', sa.JSON))
    elections = sa.table('elections', sa.column('id', sa.Integer), sa.column('community_id', sa.Integer))
    audit = sa.table('audit_events', sa.column('at', sa.DateTime(timezone=True)), sa.column('actor_id', sa.Integer),
                     sa.column('actor', sa.String), sa.column('election_id', sa.Integer),
                     sa.column('community_id', sa.Integer), sa.column('action', sa.String),
                     sa.column('note', sa.Text), sa.column('data', sa.JSON))
    rows = conn.execute(sa.select(facts.c.id, facts.c.election_id, facts.c.value, elections.c.community_id)
                        .join(elections, elections.c.id == facts.c.election_id)
                        .where(facts.c.key == RETIRED_KEY).order_by(facts.c.id)).all()
    if not rows:
        return
    at = dt.datetime.now(dt.timezone.utc)
    conn.execute(sa.insert(audit), [
        {"at": at, "actor_id": None, "actor": "system", "election_id": r.election_id, "community_id": r.community_id,
         "action": "facts_cleared", "note": None,
         "data": {"facts": {RETIRED_KEY: r.value}, "reason": REASON}} for r in rows])
    conn.execute(sa.delete(facts).where(facts.c.id.in_([r.id for r in rows])))


def downgrade() -> None:
    # the retired facts stay in the history; a downgrade does not invent them back
    with op.batch_alter_table('roster_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_members_election_id'))
    op.drop_table('roster_members')
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_candidates_id_hash'))
        batch_op.drop_column('full_time_deputy')
        batch_op.drop_column('party_post')
        batch_op.drop_column('incumbent')
        batch_op.drop_column('id_masked')
        batch_op.drop_column('id_hash')
