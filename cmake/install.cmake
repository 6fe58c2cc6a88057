# Installation and the Debian package.
#
#   cmake --install build [--prefix /usr/local]
#   cd build && cpack -G DEB        # pc_VERSION_ARCH.deb (tests/package checks it)
#
# pc and pc-monitor go to bin (pc finds its monitor next to itself). The shell completions
# and one man page per command are generated at build time by the pc just built, from its
# command table, so they always match it.
include(GNUInstallDirs)

install(TARGETS pc pc-monitor RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

set(PC_GENERATED ${CMAKE_BINARY_DIR}/generated)
add_custom_command(
  OUTPUT ${PC_GENERATED}/completions/pc.bash ${PC_GENERATED}/completions/_pc ${PC_GENERATED}/completions/pc.fish
         ${PC_GENERATED}/man.stamp
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${PC_GENERATED}/man
  COMMAND ${CMAKE_COMMAND} -E make_directory ${PC_GENERATED}/completions ${PC_GENERATED}/man
  COMMAND $<TARGET_FILE:pc> completion bash -f ${PC_GENERATED}/completions/pc.bash
  COMMAND $<TARGET_FILE:pc> completion zsh -f ${PC_GENERATED}/completions/_pc
  COMMAND $<TARGET_FILE:pc> completion fish -f ${PC_GENERATED}/completions/pc.fish
  COMMAND $<TARGET_FILE:pc> __man ${PC_GENERATED}/man
  COMMAND sh -c "gzip -9nf '${PC_GENERATED}'/man/*.1"
  COMMAND ${CMAKE_COMMAND} -E touch ${PC_GENERATED}/man.stamp
  DEPENDS pc
  COMMENT "Generating shell completions and man pages from pc's command table"
  VERBATIM)
add_custom_target(pc-generated ALL DEPENDS ${PC_GENERATED}/man.stamp)

install(FILES ${PC_GENERATED}/completions/pc.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME pc)
# Debian's zsh searches vendor-completions for packaged files (prefix /usr, as in the
# package) and site-functions under /usr/local: decided when installing.
install(CODE "
  if(CMAKE_INSTALL_PREFIX MATCHES \"/usr$\")
    set(_pc_zsh_dir \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions\")
  else()
    set(_pc_zsh_dir \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_DATADIR}/zsh/site-functions\")
  endif()
  file(INSTALL \"${PC_GENERATED}/completions/_pc\" DESTINATION \"\${_pc_zsh_dir}\")
")
install(FILES ${PC_GENERATED}/completions/pc.fish DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
install(DIRECTORY ${PC_GENERATED}/man/ DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 FILES_MATCHING PATTERN "*.1.gz")
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR})

# The Debian package of what `cmake --install` installs, into /usr.
# Run-time dependencies: dpkg-shlibdeps finds the linked libraries (libc, libcap...);
# the libraries pc opens on first use (common/lazy_library.hpp) are invisible to it, so
# their packages are looked up here from the libraries the build found; the helper
# programs come last.
function(pc_debian_package_of var library)
  set(${var} "" PARENT_SCOPE)
  get_filename_component(_real "${library}" REALPATH)
  execute_process(COMMAND dpkg-query -S "${_real}" OUTPUT_VARIABLE _out ERROR_QUIET RESULT_VARIABLE _rc)
  if(_rc EQUAL 0 AND _out MATCHES "^([^:,]+)")
    set(${var} "${CMAKE_MATCH_1}" PARENT_SCOPE)
  endif()
endfunction()
set(PC_DEB_DEPENDS "")
foreach(lib "${LibArchive_LIBRARIES}" "${CURL_LIBRARIES}" "${OPENSSL_CRYPTO_LIBRARY}" "${SLIRP_LIBRARY}" "${SECCOMP_LIBRARY}")
  pc_debian_package_of(_pkg "${lib}")
  if(_pkg AND NOT _pkg MATCHES "-dev$")
    list(APPEND PC_DEB_DEPENDS ${_pkg})
  elseif(_pkg)
    # The -dev package owns the unversioned .so: the runtime package owns the soname.
    string(REGEX REPLACE "\\.so$" "" _base "${lib}")
    file(GLOB _versioned "${_base}.so.*")
    list(GET _versioned 0 _first)
    pc_debian_package_of(_runtime "${_first}")
    if(_runtime)
      list(APPEND PC_DEB_DEPENDS ${_runtime})
    endif()
  endif()
endforeach()
list(APPEND PC_DEB_DEPENDS uidmap fuse-overlayfs)
list(REMOVE_DUPLICATES PC_DEB_DEPENDS)
string(REPLACE ";" ", " PC_DEB_DEPENDS "${PC_DEB_DEPENDS}")
message(STATUS "pc package depends on: ${PC_DEB_DEPENDS} (+ shlibdeps)")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME pc)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "the pc developers")
set(CPACK_PACKAGE_CONTACT "pc developers <pc-dev@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "rootless, daemonless, Podman-compatible container engine")
set(CPACK_PACKAGE_DESCRIPTION "pc runs OCI containers without root and without a daemon: user namespaces with
 subordinate ids, overlay storage, libslirp networking and one small monitor per running
 container. Its commands, flags, exit codes and output follow Podman's.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "${PC_DEB_DEPENDS}")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "bash-completion")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "containers-common")
include(CPack)
