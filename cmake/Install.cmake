# What `make install` (cmake --install) puts where. The Debian package (cmake/Package.cmake)
# installs the same files with the prefix /usr. tests/install_test.sh checks the result.
#
#   <prefix>/bin/honeyvt, <prefix>/bin/readlogsqltree -> honeyvt
#   <prefix>/bin/vtsim                          only with HONEYVT_INSTALL_VTSIM=ON
#   <prefix>/share/man/man1/honeyvt.1, readlogsqltree.1 -> honeyvt.1
#   <prefix>/share/doc/honeyvt/README.md, docs/*.md, docs/img/, examples/honeyvt.toml
#   <prefix>/lib/systemd/system/honeyvt.service  (a folder systemd searches, also under
#                                                 /usr/local), paths rewritten for the prefix
#   HONEYVT_CONFIG_DIR/honeyvt.toml              the example, only if no file is there yet
set(HONEYVT_CONFIG_DIR "/etc/honeyvt" CACHE PATH
    "Where the systemd unit reads honeyvt.toml and honeyvt.env (the key)")
set(HONEYVT_SYSTEMD_UNIT_DIR "lib/systemd/system" CACHE PATH
    "Where the systemd unit goes (relative = under the install prefix)")

install(TARGETS honeyvt RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The build tree's link (src/CMakeLists.txt) is installed as a link.
install(FILES ${PROJECT_BINARY_DIR}/src/readlogsqltree DESTINATION ${CMAKE_INSTALL_BINDIR})

set(_man_dir ${CMAKE_INSTALL_MANDIR}/man1)
file(CREATE_LINK honeyvt.1 ${PROJECT_BINARY_DIR}/readlogsqltree.1 SYMBOLIC)
install(FILES docs/honeyvt.1 ${PROJECT_BINARY_DIR}/readlogsqltree.1 DESTINATION ${_man_dir})

file(GLOB _docs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${_docs} DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)
install(DIRECTORY docs/img DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)  # the docs' screenshots
install(FILES contrib/honeyvt.toml.example DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
        RENAME honeyvt.toml)

# The unit in contrib/ is written for `make install` with the default prefix; the installed
# copy names the installed binary, docs and configuration folder.
set(_unit_in ${PROJECT_SOURCE_DIR}/contrib/honeyvt.service)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_unit_in})
file(READ ${_unit_in} _unit)
string(REPLACE "/usr/local/bin/honeyvt" "${CMAKE_INSTALL_FULL_BINDIR}/honeyvt" _unit "${_unit}")
string(REPLACE "/usr/local/share/doc/honeyvt" "${CMAKE_INSTALL_FULL_DOCDIR}" _unit "${_unit}")
string(REPLACE "/etc/honeyvt/" "${HONEYVT_CONFIG_DIR}/" _unit "${_unit}")
file(WRITE ${PROJECT_BINARY_DIR}/contrib/honeyvt.service "${_unit}")
install(FILES ${PROJECT_BINARY_DIR}/contrib/honeyvt.service
        DESTINATION ${HONEYVT_SYSTEMD_UNIT_DIR})

# The example configuration where the unit reads it, never over an operator's own file
# (file(INSTALL) adds DESTDIR to the absolute destination itself).
install(CODE "
  set(_cfg \"\$ENV{DESTDIR}${HONEYVT_CONFIG_DIR}/honeyvt.toml\")
  if(EXISTS \"\${_cfg}\")
    message(STATUS \"Keeping: \${_cfg}\")
  else()
    file(INSTALL \"${PROJECT_SOURCE_DIR}/contrib/honeyvt.toml.example\"
         DESTINATION \"${HONEYVT_CONFIG_DIR}\" RENAME honeyvt.toml
         PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  endif()")
