"""Loads fixture.jsonl into SQLite (flattened) with helpers emulating Trino semantics, to compute
expected rows independently of DuckDB."""
import json, re, sqlite3


def mapval(v):
    if v is None:
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    return json.dumps(v, separators=(",", ":"))


def tomap(obj):
    if obj is None:
        return None
    return json.dumps({k: mapval(v) for k, v in obj.items()}, separators=(",", ":"))


def ea(m, k):
    if m is None:
        return None
    return json.loads(m).get(k)


def _path(doc, path):
    assert path.startswith("$")
    cur = doc
    for tok in re.findall(r"\.([^.\[]+)|\[(\d+)\]", path[1:]):
        name, idx = tok
        if name:
            if not isinstance(cur, dict) or name not in cur:
                return None, False
            cur = cur[name]
        else:
            i = int(idx)
            if not isinstance(cur, list) or i >= len(cur):
                return None, False
            cur = cur[i]
    return cur, True


def jes(j, p):
    """json_extract_scalar: scalar as text, NULL for objects, arrays, null and missing."""
    if j is None:
        return None
    v, ok = _path(json.loads(j), p)
    if not ok or v is None or isinstance(v, (dict, list)):
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return v
    return json.dumps(v)


def je(j, p):
    """json_extract: the JSON text of the value (strings keep their quotes)."""
    if j is None:
        return None
    v, ok = _path(json.loads(j), p)
    if not ok:
        return None
    return json.dumps(v, separators=(",", ":"))


def jag(j, i):
    """json_array_get(json_text, index)."""
    if j is None:
        return None
    a = json.loads(j)
    if not isinstance(a, list) or i >= len(a):
        return None
    return json.dumps(a[i], separators=(",", ":"))


def ts(t):
    return t.replace("T", " ").replace("Z", "")


COLS = ["eventversion", "uid_type", "uid_principalid", "uid_arn", "uid_accountid", "uid_accesskeyid",
        "uid_username", "uid_invokedby", "si_type", "si_arn", "si_username", "eventtime", "eventsource",
        "eventname", "awsregion", "sourceipaddress", "useragent", "errorcode", "errormessage", "rp", "re",
        "aed", "sed", "requestid", "eventid", "readonly", "resources", "eventtype", "managementevent",
        "recipientaccountid", "eventcategory", "tlsversion", "scfc", "eventjson", "ectx"]


def load(path):
    db = sqlite3.connect(":memory:")
    db.execute("PRAGMA case_sensitive_like=ON")
    db.create_function("ea", 2, ea)
    db.create_function("jes", 2, jes)
    db.create_function("je", 2, je)
    db.create_function("jag", 2, jag)
    db.execute("CREATE TABLE ev (%s)" % ",".join(COLS))
    for line in open(path):
        r = json.loads(line)
        u = r["userIdentity"]
        si = (u.get("sessionContext") or {}).get("sessionIssuer") or {}
        row = {
            "eventversion": r["eventVersion"], "uid_type": u.get("type"), "uid_principalid": u.get("principalId"),
            "uid_arn": u.get("arn"), "uid_accountid": u.get("accountId"), "uid_accesskeyid": u.get("accessKeyId"),
            "uid_username": u.get("userName"), "uid_invokedby": u.get("invokedBy"), "si_type": si.get("type"),
            "si_arn": si.get("arn"), "si_username": si.get("userName"), "eventtime": ts(r["eventTime"]),
            "eventsource": r["eventSource"], "eventname": r["eventName"], "awsregion": r["awsRegion"],
            "sourceipaddress": r.get("sourceIPAddress"), "useragent": r.get("userAgent"),
            "errorcode": r.get("errorCode"), "errormessage": r.get("errorMessage"),
            "rp": tomap(r.get("requestParameters")), "re": tomap(r.get("responseElements")),
            "aed": tomap(r.get("additionalEventData")), "sed": tomap(r.get("serviceEventDetails")),
            "requestid": r.get("requestID"), "eventid": r.get("eventID"), "readonly": int(r["readOnly"]),
            "resources": json.dumps(r["resources"]) if "resources" in r else None,
            "eventtype": r["eventType"], "managementevent": int(r["managementEvent"]),
            "recipientaccountid": r["recipientAccountId"], "eventcategory": r["eventCategory"],
            "tlsversion": (r.get("tlsDetails") or {}).get("tlsVersion"),
            "scfc": r.get("sessionCredentialFromConsole"), "eventjson": line.strip(),
            "ectx": json.dumps(r["eventContext"]) if "eventContext" in r else None,
        }
        db.execute("INSERT INTO ev VALUES (%s)" % ",".join("?" * len(COLS)), [row[c] for c in COLS])
    return db


def rows(db, sql):
    out = []
    for r in db.execute(sql):
        out.append([None if v is None else str(v) for v in r])
    return out
