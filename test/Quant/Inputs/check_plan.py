"""Checks a --mote-mixed-precision plan file: the measured loss is within the
budget, the plan is not more expensive than int8, and every line of a tied
group (same gN) has the same bits. Prints one summary line; exit 1 on a
violation."""
import re
import sys

text = open(sys.argv[1]).read()
budget = float(re.search(r"# budget: ([0-9.]+) points", text).group(1))
loss = float(re.search(r"-> loss (-?[0-9.]+) points", text).group(1))
m = re.search(r"# simulated energy: ([0-9.]+) uJ vs int8 ([0-9.]+) uJ", text)
energy, int8 = float(m.group(1)), float(m.group(2))
groups = {}
for line in text.splitlines():
    if not line.strip() or line.lstrip().startswith("#") and not re.match(r"#\d", line):
        continue
    fields = line.split()
    g = re.search(r" g(\d+)", line)
    if g:
        groups.setdefault(g.group(1), set()).add((fields[1], fields[2]))
bad = [g for g, bits in groups.items() if len(bits) != 1]
ok = loss <= budget + 1e-9 and energy <= int8 + 1e-12 and not bad
print(f"plan {'OK' if ok else 'BAD'}: loss {loss:.2f} <= budget {budget:.2f}, "
      f"energy {energy:.4f} <= int8 {int8:.4f}, {len(groups)} groups"
      + (f", groups with mixed bits: {bad}" if bad else ""))
sys.exit(0 if ok else 1)
