# -*- Python -*-
# lit configuration for Mote's regression tests: lit + FileCheck suites for
# every dialect, pass and tool, and the gtest unit tests.

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "MOTE"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test", ".py"]
config.excludes = ["lit.cfg.py", "lit.site.cfg.py", "Inputs", "CMakeLists.txt", "Unit", "README.md"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.mote_obj_root, "test")

config.substitutions.append(("%PYTHON", config.python_executable))
config.substitutions.append(("%mote_src", config.mote_src_root))
config.substitutions.append(("%mote_obj", config.mote_obj_root))
config.substitutions.append(("%mote_bin", config.mote_tools_dir))

llvm_config.with_system_environment(["HOME", "TMP", "TEMP"])
llvm_config.use_default_substitutions()

tool_dirs = [config.mote_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["mote-compare", "mote-opt", "mote-run", "mote-target", "mote-translate", "mote-sim", "motec"], tool_dirs)
config.substitutions.append(("%onnxdata", "/usr/share/libonnx-testdata/data"))
llvm_config.with_environment("PATH", config.mote_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

# ASan reserves terabytes of shadow address space: tests that cap memory
# with `ulimit -v` say `UNSUPPORTED: asan`.
if getattr(config, "mote_sanitize", "").upper() in ("ON", "1", "TRUE", "YES"):
    config.available_features.add("asan")

# An independent reference runtime and trained models, from npm, installed by
# scripts/setup.sh into the build tree (never downloaded at build or test
# time). Tests that need them say `REQUIRES: onnxruntime` / `ocr-models`
# and report UNSUPPORTED where setup could not reach the npm registry.
import shutil

npm_dir = os.path.join(config.mote_obj_root, "npm")
ort_modules = os.path.join(npm_dir, "node_modules")
ort_pkg = os.path.join(ort_modules, "onnxruntime-node")
node = shutil.which("node")
if node and os.path.isfile(os.path.join(ort_pkg, "package.json")) and \
        os.path.isdir(os.path.join(ort_pkg, "bin")):
    config.available_features.add("onnxruntime")
    config.environment["MOTE_ORT_MODULES"] = ort_modules
config.substitutions.append(("%ort_run", "%s %s" % (
    node or "node", os.path.join(config.mote_src_root, "scripts", "onnx",
                                 "ort_run.js"))))
config.substitutions.append(("%compare_ort", "%s %s --mote-run %s" % (
    config.python_executable,
    os.path.join(config.mote_src_root, "scripts", "onnx", "compare_ort.py"),
    os.path.join(config.mote_tools_dir, "mote-run"))))
ocr_models = os.path.join(npm_dir, "ocr-models", "assets")
if os.path.isfile(os.path.join(ocr_models,
                               "ch_ppocr_mobile_v2.0_cls_infer.onnx")):
    config.available_features.add("ocr-models")
config.substitutions.append(("%ocr_models", ocr_models))
