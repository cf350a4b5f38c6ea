#===- SpliceGenerated.cmake - Refresh a doc's generated part ---*- cmake -*-===#
#
# cmake -DDOC=docs/X.md -DGENERATED=build/docs/X.generated.md -P SpliceGenerated.cmake
# Replaces the lines between `<!-- BEGIN GENERATED -->` and
# `<!-- END GENERATED -->` in DOC with the content of GENERATED.
#
#===----------------------------------------------------------------------===#
file(READ "${DOC}" doc)
file(READ "${GENERATED}" generated)
set(begin_marker "<!-- BEGIN GENERATED -->\n")
set(end_marker "<!-- END GENERATED -->")
string(FIND "${doc}" "${begin_marker}" begin)
string(FIND "${doc}" "${end_marker}" end)
if(begin EQUAL -1 OR end EQUAL -1 OR end LESS begin)
  message(FATAL_ERROR "${DOC}: missing the BEGIN/END GENERATED markers")
endif()
string(LENGTH "${begin_marker}" begin_length)
math(EXPR head_length "${begin} + ${begin_length}")
string(SUBSTRING "${doc}" 0 ${head_length} head)
string(SUBSTRING "${doc}" ${end} -1 tail)
file(WRITE "${DOC}" "${head}${generated}${tail}")
