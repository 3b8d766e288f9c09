"""Writes the query corpus: python3 gen.py OUT_DIR FIXTURE [-v] (see corpus.py for COMMUNITY_DIR).

Regenerate after changing the fixture: python3 fixture.py ../fixture.jsonl && python3 gen.py ../queries ../fixture.jsonl
(README.md in the queries folder is kept)."""
import json, os, sys, shutil
import lakedb, corpus

OUT = sys.argv[1]
db = lakedb.load(sys.argv[2])
show = "-v" in sys.argv
os.makedirs(OUT, exist_ok=True)
for old in os.listdir(OUT):
    if old.endswith(".sql"):
        os.remove(os.path.join(OUT, old))

counts = {}
for i, e in enumerate(corpus.E, 1):
    sql = corpus.norm(e["sql"], e.get("ids", []))
    assert "$EDS_ID" in sql or e["name"].endswith("-athena"), e["name"]
    h = ["-- source: " + e["src"], "-- title: " + e["title"], "-- kind: " + e["kind"]]
    if e.get("note"):
        h.append("-- note: " + e["note"])
    if e["kind"] == "ok":
        cols = e["cols"]
        h.append("-- columns: " + ("*" if cols == ["*"] else json.dumps(cols)))
        if e.get("unverified"):
            n = lakedb.rows(db, e["rq"])[0][0]
            h.append("-- expect: unverified")
            h.append("-- rows: " + n)
            res = None
        else:
            res = lakedb.rows(db, e["q"]) if e.get("q") else []
            if cols != ["*"]:
                for r in res:
                    assert len(r) == len(cols), (e["name"], r)
            if e.get("order_any"):
                h.append("-- order: any")
            h.append("-- expect: " + json.dumps(res))
        if show:
            print("%03d %s %s" % (i, e["name"], "rows=" + h[-1][9:] if res is None else ""))
            for r in (res or []):
                print("     ", r)
    counts[e["kind"]] = counts.get(e["kind"], 0) + 1
    name = "%03d-%s.sql" % (i, e["name"])
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        f.write("\n".join(h) + "\n\n" + sql.rstrip("\n") + "\n")
print(counts, sum(counts.values()))
