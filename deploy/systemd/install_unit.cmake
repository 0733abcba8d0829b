# install(SCRIPT) of the top-level CMakeLists.txt: writes warren.service for the prefix of
# this install, not the one the build was configured with (cpack installs with /usr
# whatever CMAKE_INSTALL_PREFIX was): /usr/bin/warren and /usr/share/doc/warren in the
# source unit become this prefix's bindir and docdir. WARREN_UNIT_SOURCE, WARREN_UNIT_STAGING,
# WARREN_BINDIR and WARREN_DOCDIR are set by the install(CODE) just before.
function(warren_install_dir out dir)
  if(IS_ABSOLUTE "${dir}")
    set(${out} "${dir}" PARENT_SCOPE)
  else()
    set(${out} "${CMAKE_INSTALL_PREFIX}/${dir}" PARENT_SCOPE)
  endif()
endfunction()

warren_install_dir(bindir "${WARREN_BINDIR}")
warren_install_dir(docdir "${WARREN_DOCDIR}")
file(READ "${WARREN_UNIT_SOURCE}" unit)
string(REPLACE "/usr/bin/warren" "${bindir}/warren" unit "${unit}")
string(REPLACE "/usr/share/doc/warren" "${docdir}" unit "${unit}")
file(WRITE "${WARREN_UNIT_STAGING}/warren.service" "${unit}")
file(INSTALL "${WARREN_UNIT_STAGING}/warren.service" DESTINATION "${CMAKE_INSTALL_PREFIX}/lib/systemd/system")
