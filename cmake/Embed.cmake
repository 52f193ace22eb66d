# honeyvt_embed(<target> <input file> <C++ symbol>): compiles a text file into a
# std::string_view constant `honeyvt::embedded::<symbol>` declared in embedded/<symbol>.h.
function(honeyvt_embed target input symbol)
  set(out_dir "${CMAKE_CURRENT_BINARY_DIR}/embedded")
  set(header "${out_dir}/embedded/${symbol}.h")
  set(source "${out_dir}/${symbol}.cc")
  add_custom_command(
    OUTPUT "${header}" "${source}"
    COMMAND ${CMAKE_COMMAND} -DINPUT=${input} -DHEADER=${header} -DSOURCE=${source}
            -DSYMBOL=${symbol} -P "${PROJECT_SOURCE_DIR}/cmake/EmbedFile.cmake"
    DEPENDS "${input}" "${PROJECT_SOURCE_DIR}/cmake/EmbedFile.cmake"
    COMMENT "Embedding ${input}")
  target_sources(${target} PRIVATE "${source}" "${header}")
  target_include_directories(${target} PUBLIC "${out_dir}")
endfunction()
