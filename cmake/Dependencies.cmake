# Every dependency comes from a Debian package installed by scripts/bootstrap. honeyvt itself
# needs only the libraries above the blank line (cpp-httplib, header-only, serves the
# dashboard); tests and benchmarks need the rest.
find_package(SQLite3 REQUIRED)
find_package(CURL REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(ZLIB REQUIRED)
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)

if(HONEYVT_TEST_SUPPORT)
  find_package(GTest REQUIRED)
endif()
if(BUILD_TESTING)
  find_package(Python3 COMPONENTS Interpreter REQUIRED)
endif()
