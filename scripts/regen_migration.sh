#!/usr/bin/env bash
# Regenerate the initial Alembic migration from workflow/models.py (allowed until the first release ships).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-/work/venv/bin/python}
tmp=$(mktemp -d)
rm -f migrations/versions/0001_initial_schema.py
$PY - "$tmp" <<'PYEOF'
import sys
from alembic import command
from workflow.db import make_engine
from workflow.schema import alembic_config
e = make_engine(f"sqlite:///{sys.argv[1]}/gen.sqlite3")
command.revision(alembic_config(e), message="initial schema", autogenerate=True, rev_id="0001")
PYEOF
$PY - <<'PYEOF'
p = 'migrations/versions/0001_initial_schema.py'
s = open(p).read()
s = s.replace('import sqlalchemy as sa\n', 'import sqlalchemy as sa\n\nfrom workflow.models import AUDIT_TRIGGERS, INDEX_DDL\n', 1)
idx = s.index('def downgrade()')
marker = '    # ### end Alembic commands ###\n'
end = s.rfind(marker, 0, idx)
s = s[:end] + marker + ('    dialect = op.get_bind().dialect.name\n'
                        '    for statement in AUDIT_TRIGGERS.get(dialect, []) + INDEX_DDL.get(dialect, []):\n'
                        '        op.execute(statement)\n') + s[end + len(marker):]
open(p, 'w').write(s)
PYEOF
rm -rf "$tmp"
echo "regenerated migrations/versions/0001_initial_schema.py"
