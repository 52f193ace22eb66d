# honeyvt_embed_assets(<target> <base dir> <files...>): compiles the files (paths relative
# to <base dir>) into one generated source holding a table of {"/static/<path>", bytes},
# declared in web/embedded_assets.h. Used for the dashboard's HTML, JS, CSS and uPlot.
function(honeyvt_embed_assets target base)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded_assets.cc")
  set(inputs "")
  foreach(f ${ARGN})
    list(APPEND inputs "${base}/${f}")
  endforeach()
  string(REPLACE ";" "," files_arg "${ARGN}")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} "-DBASE=${base}" "-DFILES=${files_arg}" "-DOUT=${out}"
            -P "${PROJECT_SOURCE_DIR}/cmake/EmbedAssetsScript.cmake"
    DEPENDS ${inputs} "${PROJECT_SOURCE_DIR}/cmake/EmbedAssetsScript.cmake"
    COMMENT "Embedding the dashboard's assets" VERBATIM)
  target_sources(${target} PRIVATE "${out}")
endfunction()
