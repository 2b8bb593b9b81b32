"""A process miner's conformance question, answered with PM4Py from a `stress --ocel` event log.

    python3 tests/ocel_pm4py.py LOG.json RULE HOURS

For each protocol in the log: of the duties of RULE (a return interview to offer "within 72
hours of the return") that fell due, how many were met within HOURS of the child's return?
It reads the log as any analyst would — the duty's rule through its `instance of` relation, its
episode through `arises in`, the return from the episode's `child returns` event, the act that
met it from the event related to it as `meets`, a miss from its `deadline missed` event — and
times the act against the return itself, without reading the duty's own `status`. It prints,
as JSON, per protocol: the duties that fell due, those met within the time, and (as a check of
the objects table) how many duties the table calls `met`, `late` and `missed`.

tests/ocel.rs compares the answer with the tool's own figure for the rule in summary.json.
"""

import json
import sys

import pm4py

log, rule, hours = sys.argv[1], sys.argv[2], float(sys.argv[3])
ocel = pm4py.read_ocel2_json(log)
objects, o2o, rel = ocel.objects, ocel.o2o, ocel.relations
OID, OID2, Q = "ocel:oid", "ocel:oid_2", "ocel:qualifier"
ACT, TS = "ocel:activity", "ocel:timestamp"

# The rule, once per protocol, and its duties.
rules = objects[(objects["ocel:type"] == "rule") & (objects["rule"] == rule)][[OID, "protocol"]]
rules = rules.rename(columns={OID: "rule_object"})
duties = o2o[o2o[Q] == "instance of"].merge(rules, left_on=OID2, right_on="rule_object")[[OID, "protocol"]]
# Each duty's episode, and when the child came back from it.
episode = o2o[o2o[Q] == "arises in"][[OID, OID2]].rename(columns={OID2: "episode"})
duties = duties.merge(episode, on=OID, how="left")
returned = rel[(rel[ACT] == "child returns") & (rel[Q] == "episode")][[OID, TS]]
returned = returned.rename(columns={OID: "episode", TS: "returned"})
duties = duties.merge(returned, on="episode", how="left")
# How each duty ended: the act that met it, or an event of its own.
met = rel[rel[Q] == "meets"][[OID, TS]].rename(columns={TS: "done"})
ends = rel[(rel[Q] == "duty") & rel[ACT].isin(["deadline missed", "duty not done by the end", "met by an earlier act"])]
ends = ends[[OID, ACT]].rename(columns={ACT: "end"})
duties = duties.merge(met, on=OID, how="left").merge(ends, on=OID, how="left")
fell_due = duties["done"].notna() | duties["end"].notna()
within = ((duties["done"] - duties["returned"]).dt.total_seconds() <= hours * 3600) | (
    duties["end"] == "met by an earlier act"
)
# The objects table's own statuses (the final ones), for the same duties.
status = objects.set_index(OID)["status"]
duties["status"] = duties[OID].map(status)

answer = {}
for protocol, d in duties.groupby("protocol"):
    due = fell_due[d.index]
    answer[protocol] = {
        "fell_due": int(due.sum()),
        "within": int((due & within[d.index]).sum()),
        "table": {s: int((d["status"] == s).sum()) for s in ["met", "late", "missed", "open", "cancelled"]},
        "no_episode": int(d["episode"].isna().sum()),
    }
print(json.dumps(answer, sort_keys=True))
