"""Re-check Huanjie's history hash chains on your own: python3 verify-history.py sqlite:///huanjie.sqlite3|postgresql://…"""
import datetime as dt, hashlib, json, sys

FIELDS = "action actor actor_id at community_id data election_id from_state id note to_state trigger".split()
url = sys.argv[1]
if url.startswith("postgresql"):
    import psycopg  # returns timestamps with their offset and json already decoded
    conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
else:
    import sqlite3  # keeps timestamps as UTC text without offset and json as text
    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
heads, bad = {}, {}
for stored, *values in conn.execute(f"SELECT hash, {', '.join(FIELDS)} FROM audit_events ORDER BY id"):
    row = dict(zip(FIELDS, values))
    at = row["at"] if isinstance(row["at"], dt.datetime) else dt.datetime.fromisoformat(row["at"])
    at = at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)
    row["at"] = at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    row["data"] = json.loads(row["data"]) if isinstance(row["data"], str) else row["data"]
    chain = row["election_id"]  # None: the chain of the rows without an election
    encoding = json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    if chain not in bad and stored != hashlib.sha256((heads.get(chain, "0" * 64) + encoding).encode()).hexdigest():
        bad[chain] = row["id"]
    heads[chain] = stored
for chain, row_id in bad.items():
    print(f"chain {'-' if chain is None else chain}: first bad row {row_id}")
lines = "".join(f"{'-' if k is None else k} {h}\n" for k, h in sorted(heads.items(), key=lambda kv: kv[0] or -1))
print(f"{len(heads)} chains, digest {hashlib.sha256(lines.encode()).hexdigest()}")
sys.exit(1 if bad else 0)
