#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Counts what the writers of tests/writer.sh were told succeeded against
what the store holds: every acknowledged change is there exactly once, and
nothing is there that no writer was told of (for the writers' accounts).
Reservations are whole: a launch of n holds n instances.

usage: writers_check.py STORE OUT [--partial]
--partial: writers were killed, so the store may hold changes whose
acknowledgement was never written; acknowledged ones must still be there.
Prints a summary line; exits 1 with the differences on a mismatch.
"""
import glob
import os
import sqlite3
import sys


def main():
    store, out = sys.argv[1], sys.argv[2]
    partial = "--partial" in sys.argv[3:]
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    bad = []
    ok = db.execute("PRAGMA integrity_check").fetchone()[0]
    if ok != "ok":
        bad.append(f"integrity_check: {ok}")
    launched, terminated, registered, associated = set(), set(), set(), set()
    purchases = cancels = launches = 0
    owners = set()
    for f in glob.glob(os.path.join(out, "*.acks")):
        wid = int(os.path.basename(f).split(".")[0])
        owners.add("AKWRITER%012d" % wid)
        for line in open(f):
            w = line.split()
            if not w:
                continue
            if w[0] == "launch":
                n, ids = int(w[1]), w[2:]
                if len(ids) != n:
                    bad.append(f"launch of {n} acknowledged {len(ids)} instances: {line.strip()}")
                for i in ids:
                    if i in launched:
                        bad.append(f"instance {i} acknowledged twice")
                    launched.add(i)
                launches += 1
            elif w[0] == "terminate":
                terminated.add(w[1])
            elif w[0] == "register":
                registered.add(w[1])
            elif w[0] == "associate":
                associated.add(w[1])
            elif w[0] == "purchase":
                purchases += 1
            elif w[0] == "cancel":
                cancels += 1
    q = ",".join("?" * len(owners)) or "''"
    accounts = [r[0] for r in db.execute(f"SELECT id FROM accounts WHERE access_key IN ({q})", list(owners))]
    a = ",".join("?" * len(accounts)) or "''"
    inst = {}
    for iid, term, n in db.execute(
            f"SELECT id, terminated, count(*) FROM instances WHERE owner IN ({a}) GROUP BY id", accounts):
        if n != 1:
            bad.append(f"instance {iid} stored {n} times")
        inst[iid] = term
    for iid in launched - inst.keys():
        bad.append(f"acknowledged instance {iid} is missing")
    if not partial:
        for iid in inst.keys() - launched:
            bad.append(f"instance {iid} stored but never acknowledged")
    for iid in terminated:
        if inst.get(iid, "missing") is None:
            bad.append(f"acknowledged termination of {iid} is missing")
    for rid, n, req in db.execute(
            f"SELECT r.id, count(i.id), r.request FROM reservations r LEFT JOIN instances i"
            f" ON i.reservation = r.id WHERE r.owner IN ({a}) GROUP BY r.id", accounts):
        if n not in (1, 2, 3):
            bad.append(f"reservation {rid} holds {n} instances")
    per_res = {}
    for rid, idx in db.execute(f"SELECT reservation, launch_index FROM instances WHERE owner IN ({a})", accounts):
        per_res.setdefault(rid, []).append(idx)
    for rid, idx in per_res.items():
        if sorted(idx) != list(range(len(idx))):
            bad.append(f"reservation {rid} is partial: launch indexes {sorted(idx)}")
    imgs = {i: c for i, c in db.execute(f"SELECT id, product_code FROM images WHERE owner IN ({a})", accounts)}
    for i in registered - imgs.keys():
        bad.append(f"acknowledged image {i} is missing")
    if not partial:
        for i in imgs.keys() - registered:
            bad.append(f"image {i} stored but never acknowledged")
    for i in associated:
        if not imgs.get(i):
            bad.append(f"acknowledged association of {i} is missing")
    subs, ended = db.execute(f"SELECT count(*), count(ended) FROM subscriptions WHERE account IN ({a})",
                             accounts).fetchone()
    if subs < purchases or (not partial and subs != purchases):
        bad.append(f"{purchases} purchases acknowledged, {subs} subscriptions stored")
    if ended < cancels or (not partial and ended != cancels):
        bad.append(f"{cancels} cancels acknowledged, {ended} subscriptions ended")
    print(f"{launches} launches ({len(launched)} instances), {len(terminated)} terminations, "
          f"{purchases} purchases, {cancels} cancels, {len(registered)} registrations, "
          f"{len(associated)} associations acknowledged; store: {len(inst)} instances, "
          f"{len(imgs)} images, {subs} subscriptions; integrity {ok}")
    for b in bad[:20]:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
