# `make package`: a Debian package (.deb) built by CPack from the install rules of
# cmake/Install.cmake, configured with the prefix /usr. The maintainer scripts in
# contrib/debian/ create the `honeyvt` system user and its state folder. Dependencies are
# the runtime libraries dpkg-shlibdeps finds in the binary (dpkg-dev, from
# scripts/bootstrap), plus adduser for the maintainer script. tests/package_test.sh builds,
# installs, checks and purges it (CI, as root).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME honeyvt)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "honeyvt maintainers <honeyvt@localhost>" CACHE STRING
    "Maintainer field of the Debian package")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "check dionaea's captured samples with VirusTotal, within the API quota")
# The long description (CPack puts the summary above it).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "honeyvt replaces dionaea's VirusTotal module: it checks every sample a honeypot
captures with VirusTotal (a durable queue within the API quota) and stores the
verdicts in dionaea's logsql database exactly as dionaea wrote them. It also
provides readlogsqltree (byte-compatible, fast) and the reports of dionaea's
VirusTotal analyses. The service is installed but not enabled: put the API key
in /etc/honeyvt/honeyvt.env, then systemctl enable --now honeyvt.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS adduser)
set(CPACK_STRIP_FILES ON)
# The example configuration goes to /etc (absolute), so install under DESTDIR.
set(CPACK_SET_DESTDIR ON)
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})

file(WRITE ${PROJECT_BINARY_DIR}/debian/conffiles "${HONEYVT_CONFIG_DIR}/honeyvt.toml\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_BINARY_DIR}/debian/conffiles ${PROJECT_SOURCE_DIR}/contrib/debian/postinst
    ${PROJECT_SOURCE_DIR}/contrib/debian/prerm ${PROJECT_SOURCE_DIR}/contrib/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
