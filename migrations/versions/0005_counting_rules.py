"""counting rules (rev. 2): round kinds tie_break and by_election, ties, write-ins, polling places; campaigns'
own report date

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 19:20:00
"""
from alembic import op
import sqlalchemy as sa

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

#: copied, not imported (migrations never import live code): the liaoning-2014 rule set's suggested report date,
#: which the first release copied onto every campaign
RULE_SET_REPORT_DUE = {"liaoning-2014": "2015-04-10"}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tied', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('write_ins', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('stations', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('eligible', sa.JSON(), nullable=True))
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('write_in', sa.Boolean(), nullable=False, server_default=sa.false()))
    if dialect == "postgresql":  # SQLite does not enforce VARCHAR lengths; 'tie_break' and 'by_election' need 11
        op.alter_column('rounds', 'kind', type_=sa.String(16), existing_type=sa.String(8))
        op.alter_column('rounds', 'basis', type_=sa.String(16), existing_type=sa.String(8))
        op.alter_column('elections', 'round_permit', type_=sa.String(16), existing_type=sa.String(10))
    # a report date copied from the rule set onto a campaign whose summary is due after it was never the
    # campaign's own: it falls back to the campaign's default (summary due + 10 days, domain.md §6)
    campaigns = sa.table('campaigns', sa.column('id', sa.Integer), sa.column('rule_set', sa.String),
                         sa.column('due', sa.JSON), sa.column('report_due', sa.Date))
    conn = op.get_bind()
    for cid, rule_set, due, report_due in conn.execute(
            sa.select(campaigns.c.id, campaigns.c.rule_set, campaigns.c.due, campaigns.c.report_due)).all():
        copied = RULE_SET_REPORT_DUE.get(rule_set)
        summary = (due or {}).get("summary") if isinstance(due, dict) else None
        if report_due is not None and copied and str(report_due) == copied and summary and summary > copied:
            conn.execute(campaigns.update().where(campaigns.c.id == cid).values(report_due=None))


def downgrade() -> None:
    with op.batch_alter_table('candidates', schema=None) as batch_op:
        batch_op.drop_column('write_in')
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_column('eligible')
        batch_op.drop_column('stations')
        batch_op.drop_column('write_ins')
        batch_op.drop_column('tied')
