# Exercises: a command-line script in a folder without __init__.py: argparse,
# a main() guarded by __name__, sys.exit, names used before definition at
# module level, an unused parsed argument.
import argparse
import sqlite3
import sys
import time

parser = argparse.ArgumentParser(description="apply schema migrations")
parser.add_argument("database")
parser.add_argument("--dry-run", action="store_true")
parser.add_argument("--target", type=int, default=LATEST_VERSION)

LATEST_VERSION = 7
MIGRATIONS = {
    1: "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)",
    2: "ALTER TABLE users ADD COLUMN name TEXT",
}


def current_version(conn):
    row = conn.execute("PRAGMA user_version").fetchone()
    return row[0]


def migrate(conn, target, dry_run=False):
    version = current_version(conn)
    started = time.monotonic()
    for number in range(version + 1, target + 1):
        statement = MIGRATIONS.get(number)
        if statement is None:
            print(f"no migration {number}", file=sys.stderr)
            return 1
        if not dry_run:
            conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {number}")
    conn.commit()
    return 0


def main(argv=None):
    args = parser.parse_args(argv)
    conn = sqlite3.connect(args.database)
    try:
        status = migrate(conn, args.target, args.dry_run)
    finally:
        conn.close()
    return statuss


if __name__ == "__main__":
    sys.exit(main())
