# -*- Python -*-
# Runs Mote's gtest unit tests (build/unittests/*Tests) under lit.

import os

import lit.formats

config.name = "MOTE-Unit"
config.suffixes = []
config.test_exec_root = os.path.join(config.mote_obj_root, "unittests")
config.test_source_root = config.test_exec_root
config.test_format = lit.formats.GoogleTest(".", "Tests")
