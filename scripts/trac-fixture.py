#!/usr/bin/env python3
"""A throwaway stock Trac 1.6 for the export-mode test.

Usage: .venv/bin/python scripts/trac-fixture.py DIR PORT

Creates the environment DIR/acme (sqlite) unless it exists, fills it with the
tickets the recorded fixtures describe (tests/fixtures/trac in the trackers
crate), then replaces itself with `tracd -s`, which serves that one
environment at the root: http://127.0.0.1:PORT/ . Stop it with a signal.
"""

import os
import subprocess
import sys
from datetime import datetime, timezone


def at(hour, minute):
    # Fixed times, so the test can check what Trac reports.
    return datetime(2026, 9, 1, hour, minute, tzinfo=timezone.utc)


def populate(path):
    # Imported here so `--help`-style mistakes fail before Trac loads.
    from trac.env import Environment
    from trac.ticket.model import Ticket

    env = Environment(path)

    t = Ticket(env)
    t["summary"] = "Checkout page times out for EU customers \u2014 \u201cZahlung\u201d step"
    t["reporter"] = "bob"
    t["owner"] = "alice"
    t["type"] = "defect"
    t["priority"] = "critical"
    t["milestone"] = "milestone1"
    t["component"] = "component1"
    t["keywords"] = "payments sepa"
    t["status"] = "new"
    t["description"] = (
        "When paying with SEPA the page hangs.\n\n{{{\nTimeoutError: 30s\n}}}\nSee also #2."
    )
    t.insert(when=at(9, 30))

    t.save_changes("carol", "I can reproduce this on staging.", when=at(9, 40))

    t["priority"] = "blocker"
    t.save_changes("dave", "Raising priority: 12 tickets from support today.", when=at(9, 50))

    # A reply to comment 1 is numbered "1.3" and anchored as #comment:3.
    t.save_changes(
        "alice",
        "Replying to [comment:1 carol]:\n> I can reproduce this on staging.\n"
        "Confirmed, it is the SEPA mandate call.",
        when=at(10, 0),
        replyto="1",
    )

    # A status change with an empty comment still gets a number (4).
    t["status"] = "accepted"
    t.save_changes("alice", "", when=at(10, 10))

    # An edit keeps the old text in a `_comment0` row; readers must show the new one.
    t.modify_comment(
        at(9, 50), "dave", "Raising priority: 14 tickets from support today (edited).", when=at(10, 15)
    )

    t2 = Ticket(env)
    t2["summary"] = "Add dark mode"
    t2["reporter"] = "erin"
    t2["type"] = "enhancement"
    t2["priority"] = "minor"
    t2["status"] = "new"
    t2["description"] = "Users ask for it."
    t2.insert(when=at(10, 20))
    env.shutdown()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    base, port = sys.argv[1], sys.argv[2]
    path = os.path.join(os.path.abspath(base), "acme")
    bindir = os.path.dirname(sys.executable)
    if not os.path.isdir(path):
        os.makedirs(base, exist_ok=True)
        subprocess.run(
            [os.path.join(bindir, "trac-admin"), path, "initenv", "acme", "sqlite:db/trac.db"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        populate(path)
    tracd = os.path.join(bindir, "tracd")
    # exec, so the caller's pid is tracd's and one signal stops it.
    os.execv(tracd, [tracd, "-s", "--hostname", "127.0.0.1", "--port", port, path])


if __name__ == "__main__":
    main()
