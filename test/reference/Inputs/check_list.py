#!/usr/bin/python3
# Helper of ../expected-failures.test: every label in expected-failures.txt
# must name a model that one of the test/reference tests runs, so that a
# misspelt or obsolete line cannot sit in the list unnoticed (compare_ort.py
# ignores labels of models a run does not cover).
import ast
import os
import re
import subprocess
import sys

# check_list.py SRC_ROOT LIST [TEST_DIR (default: the list's directory)]
src, listing = sys.argv[1], sys.argv[2]
here = sys.argv[3] if len(sys.argv) > 3 else \
    os.path.dirname(os.path.abspath(listing))


def names(cmd):
    return set(subprocess.run([sys.executable] + cmd, check=True,
                              capture_output=True, text=True).stdout.split())


def zoo_names(path):
    """The keys of export_torchvision.py's ZOO (read, not imported: importing
    torch takes seconds)."""
    for node in ast.parse(open(path).read()).body:
        if isinstance(node, ast.Assign) and \
                any(getattr(t, "id", "") == "ZOO" for t in node.targets):
            return set(ast.literal_eval(node.value))
    raise SystemExit(f"{path}: no ZOO")


zoo = zoo_names(f"{src}/scripts/models/export_torchvision.py")
ops = names([f"{src}/scripts/onnx/make_op_models.py", "-", "--list"])
# The suites the tests run: --suite NAME in each .test file.
suites = {}
for f in sorted(os.listdir(here)):
    if f.endswith(".test"):
        text = open(os.path.join(here, f)).read()
        for s in re.findall(r"--suite (\S+)", text):
            suites.setdefault(s, set()).add(f)
known = {"ocr": {"ch_ppocr_mobile_v2.0_cls_infer"}}
for s in suites:
    if s.startswith("torchvision-"):
        known[s] = zoo
    elif s.startswith("onnx-ops-"):
        known[s] = ops

bad = 0
count = 0
for n, line in enumerate(open(listing), 1):
    line = line.strip()
    if not line or line.startswith("#"):
        continue
    count += 1
    label = line.split(":", 1)[0].strip()
    suite, _, model = label.partition("/")
    if suite not in suites:
        print(f"{listing}:{n}: no test runs suite '{suite}' (suites: "
              f"{', '.join(sorted(suites))}): remove {label} from the list")
        bad += 1
    elif model not in known.get(suite, set()):
        print(f"{listing}:{n}: suite '{suite}' has no model '{model}': "
              f"remove {label} from the list")
        bad += 1
print(f"{count} listed, {bad} unknown")
sys.exit(1 if bad else 0)
