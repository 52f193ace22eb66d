# Project-wide warning and sanitizer flags, applied through an interface target.
add_library(honeyvt_flags INTERFACE)
target_compile_options(honeyvt_flags INTERFACE -Wall -Wextra -Wshadow -Wnon-virtual-dtor
                                               -Wold-style-cast -Wcast-align
                                               -Wformat=2 -Wimplicit-fallthrough)
if(HONEYVT_WERROR)
  target_compile_options(honeyvt_flags INTERFACE -Werror)
endif()
if(HONEYVT_SANITIZE)
  target_compile_options(honeyvt_flags INTERFACE -fsanitize=address,undefined
                                                 -fno-sanitize-recover=undefined
                                                 -fno-omit-frame-pointer)
  target_link_options(honeyvt_flags INTERFACE -fsanitize=address,undefined)
endif()

# Adds a test executable built from test sources beside the code, registered with ctest.
# Does nothing when BUILD_TESTING is off.
function(honeyvt_test name)
  if(NOT BUILD_TESTING)
    return()
  endif()
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} honeyvt_testing GTest::gmock GTest::gtest_main
                                        honeyvt_flags)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
                       PROPERTIES ENVIRONMENT "TZ=UTC")
endfunction()
