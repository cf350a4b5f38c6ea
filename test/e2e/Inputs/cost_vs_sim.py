"""Compares the compiler's cost model (--mote-estimate-cost JSON) with the
simulator (mote-sim --stats-file JSON) layer by layer: energy per inference
and cycles must agree within --tol (relative, default 3 %), and so must the
totals and the one-time program load. Layers are matched in program order
(the names differ when the IR went through a file without debug info).
Prints one line per model; exits 1 on any disagreement."""
import argparse
import json
import sys

p = argparse.ArgumentParser()
p.add_argument("pairs", nargs="+", help="EST.json SIM.json ...")
p.add_argument("--tol", type=float, default=0.03)
a = p.parse_args()
if len(a.pairs) % 2:
    sys.exit("expected pairs of estimate and simulation files")


def close(x, y):
    return abs(x - y) <= a.tol * max(abs(x), abs(y), 1e-12)


ok = True
for est_path, sim_path in zip(a.pairs[::2], a.pairs[1::2]):
    est, sim = json.load(open(est_path)), json.load(open(sim_path))
    # The estimate sums a cascaded layer's stripes ("NAME (stripe k/N)")
    # under its name, in the order of its first stripe; so does this.
    merged = []
    for l in sim["layers"]:
        name = l["name"].split(" (stripe ")[0]
        same = [m for m in merged if m["name"] == name]
        if " (stripe " in l["name"] and same:
            for f in ("energy_uj", "cycles"):
                same[0][f] += l[f]
        else:
            merged.append(dict(l, name=name))
    sim["layers"] = merged
    rows = [(e, s) for e, s in zip(est["layers"], sim["layers"])]
    bad = []
    if len(est["layers"]) != len(sim["layers"]):
        bad.append(f"{len(est['layers'])} layers estimated, "
                   f"{len(sim['layers'])} simulated")
    worst = 0.0
    for i, (e, s) in enumerate(rows + [(est["total"], sim["total"])]):
        for field in ("energy_uj", "cycles"):
            x, y = e[field], s[field]
            if max(abs(x), abs(y)) > 0:
                worst = max(worst, abs(x - y) / max(abs(x), abs(y)))
            if not close(x, y):
                bad.append(f"layer {i} ({s.get('name', 'total')}) {field}: "
                           f"estimate {x} vs simulation {y}")
    if "program_load" in sim and not close(est["program_load"]["energy_uj"],
                                           sim["program_load"]["energy_uj"]):
        bad.append("program load energy differs")
    name = sim_path.rsplit("/", 1)[-1]
    print(f"{name}: {len(rows)} layers, worst relative difference "
          f"{100 * worst:.2f} %" + ("" if not bad else ": " + "; ".join(bad)))
    ok &= not bad
sys.exit(0 if ok else 1)
