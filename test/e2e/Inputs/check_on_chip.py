"""Checks a motec --report: the simulator equalled the quantized IR bit for
bit, and every MAC ran on the chip (host segments, if any, hold no MACs).
Prints one line per model; exits 1 otherwise."""
import json
import sys

ok = True
for path in sys.argv[1:]:
    r = json.load(open(path))
    host = r["simulator"]["host"]
    data = r.get("data", {})
    exact = data.get("simulator_vs_quantized", {}).get("bit_exact")
    kinds = sorted({o["kind"] for s in host["segments"] for o in s["ops"]})
    line = (f"{path.rsplit('/', 1)[-1]}: bit-exact {exact}, host MACs "
            f"{host['macs']} of {host['model_macs']}, host ops {kinds}")
    print(line)
    if exact is not True or host["macs"] != 0:
        ok = False
sys.exit(0 if ok else 1)
