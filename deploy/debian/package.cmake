# The Debian package, warren_<version>_amd64.deb: `cpack` (or `cmake --build build --target
# package`) in the build directory. It holds everything `cmake --install` installs (see the
# top-level CMakeLists.txt), installed with prefix /usr whatever the build was configured
# with, plus what only a package has (component "debian"): /etc/warren/warren.toml (a
# conffile: dpkg keeps the administrator's edits) and the lintian override for the RUNPATH.
# The copyright and changelog of /usr/share/doc/warren are installed by `cmake --install` too.
# Depends: from dpkg-shlibdeps on the binary (it follows the RUNPATH to BoringSSL in
# /usr/lib/x86_64-linux-gnu/android, shipped by android-libboringssl).
# tests/integration/test_debian_package.py installs it into a clean Debian 12 root and runs
# lintian on it.

# Man pages (docs/man/), gzip -9n as Debian wants them (no name or time in the header).
set(warren_man_pages warren.8 warren.toml.5)
set(warren_man_gz)
foreach(page ${warren_man_pages})
  set(gz ${PROJECT_BINARY_DIR}/man/${page}.gz)
  add_custom_command(OUTPUT ${gz}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/man
    COMMAND sh -c "gzip -9nc \"$1\" > \"$2\"" sh ${PROJECT_SOURCE_DIR}/docs/man/${page} ${gz}
    DEPENDS ${PROJECT_SOURCE_DIR}/docs/man/${page}
    VERBATIM)
  string(REGEX MATCH "[0-9]$" section ${page})
  install(FILES ${gz} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
  list(APPEND warren_man_gz ${gz})
endforeach()
set(changelog_gz ${PROJECT_BINARY_DIR}/deploy/changelog.gz)
add_custom_command(OUTPUT ${changelog_gz}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PROJECT_BINARY_DIR}/deploy
  COMMAND sh -c "gzip -9nc \"$1\" > \"$2\"" sh ${CMAKE_CURRENT_LIST_DIR}/changelog ${changelog_gz}
  DEPENDS ${CMAKE_CURRENT_LIST_DIR}/changelog
  VERBATIM)
add_custom_target(warren_docs ALL DEPENDS ${warren_man_gz} ${changelog_gz})

install(FILES ${CMAKE_CURRENT_LIST_DIR}/copyright ${changelog_gz} DESTINATION ${CMAKE_INSTALL_DOCDIR})

# Only in the package: `cmake --install` must never overwrite a host's /etc/warren/warren.toml.
install(FILES ${CMAKE_CURRENT_LIST_DIR}/warren.toml DESTINATION /etc/warren
  COMPONENT debian EXCLUDE_FROM_ALL)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides
  RENAME warren COMPONENT debian EXCLUDE_FROM_ALL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME warren)
set(CPACK_PACKAGE_VENDOR "Warren developers")
# A placeholder address (RFC 2606): the project has none yet. Keep deploy/debian/changelog's
# trailer the same (tests/integration/test_debian_package.py checks it).
set(CPACK_PACKAGE_CONTACT "Warren developers <dev@warren.example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "load balancer for RabbitMQ (AMQP) with TLS and PROXY protocol")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
"Warren sits in front of the nodes of a RabbitMQ cluster, terminates TLS
(BoringSSL) and routes by SNI, spreads client connections over the nodes
(least-connections by default) and prepends a PROXY protocol v1/v2 header, so
that the broker sees each client's real address. It reads each AMQP handshake
(never the credentials) and follows the negotiated heartbeat, and has
Prometheus metrics, an admin API, health checks, hot reload and binary
upgrades without a refused connection.")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # warren_<version>_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_CURRENT_LIST_DIR}/conffiles ${CMAKE_CURRENT_LIST_DIR}/postinst ${CMAKE_CURRENT_LIST_DIR}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# One package from the default component and the package-only files.
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_COMPONENTS_ALL Unspecified debian)
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
  OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
include(CPack)
