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
