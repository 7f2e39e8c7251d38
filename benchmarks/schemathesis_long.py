"""The long Schemathesis run: 200 examples per operation and a longer stateful phase, on SQLite and PostgreSQL.

    python -m benchmarks.schemathesis_long [--examples 200] [--steps 50] [--db sqlite|postgresql|both]

It runs tests/e2e/test_api_schemathesis.py with those bounds and prints its figures (cases, operations,
failures by check) and the time it took.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=200)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    env = dict(os.environ, HUANJIE_SCHEMATHESIS_EXAMPLES=str(args.examples), HUANJIE_SCHEMATHESIS_STEPS=str(args.steps))
    select = [] if args.db == "both" else ["-k", args.db]
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider",
                             "tests/e2e/test_api_schemathesis.py", *select], env=env)
    print(f"schemathesis_long: {args.examples} examples per operation, {args.steps} stateful steps, "
          f"{time.monotonic() - started:.0f} s, exit {result.returncode}")
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
