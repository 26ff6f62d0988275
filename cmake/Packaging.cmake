# What `cmake --install` puts on a kit, and the Debian package made of it (CPack DEB):
# scripts/package.sh (amd64) and scripts/cross-arm64.sh --package (arm64) drive it.
include(GNUInstallDirs)

install(TARGETS digikit RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# Debian 12 keeps units and udev rules under /lib (usrmerge makes it /usr/lib too).
install(FILES systemd/digikit.service DESTINATION /lib/systemd/system)
install(FILES packaging/61-digikit.rules DESTINATION /lib/udev/rules.d)
install(FILES packaging/digikit.toml DESTINATION /etc/digikit)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES packaging/debian/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
# A native package's changelog, compressed as Debian policy asks (made at build time).
set(DIGIKIT_CHANGELOG_GZ ${CMAKE_CURRENT_BINARY_DIR}/changelog.gz)
add_custom_command(OUTPUT ${DIGIKIT_CHANGELOG_GZ}
  COMMAND gzip -9nc ${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/changelog > ${DIGIKIT_CHANGELOG_GZ}
  DEPENDS packaging/debian/changelog VERBATIM)
add_custom_target(digikit_changelog ALL DEPENDS ${DIGIKIT_CHANGELOG_GZ})
install(FILES ${DIGIKIT_CHANGELOG_GZ} DESTINATION ${CMAKE_INSTALL_DOCDIR})

install(FILES packaging/lintian-overrides DESTINATION ${CMAKE_INSTALL_DATADIR}/lintian/overrides RENAME digikit)
# The manual page, made from `digikit --help` by help2man when the package scripts run it.
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/digikit.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 OPTIONAL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_NAME digikit)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "digikit developers <digikit@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "firmware and controller of a portable book digitization kit")
set(CPACK_PACKAGE_DESCRIPTION "digikit runs a book scanning kit: one or two cameras (libgphoto2)
or a flatbed scanner (SANE), hardware buttons, LEDs and a buzzer. It
straightens and crops the photographed pages, embeds the book's licence
and metadata, and uploads the pages to Wikimedia Commons.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # digikit_<version>_<arch>.deb
# CPack asks this machine's dpkg for the architecture: a cross build says which it is.
if(CMAKE_CROSSCOMPILING AND CMAKE_SYSTEM_PROCESSOR STREQUAL "aarch64")
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
endif()
set(CPACK_DEBIAN_PACKAGE_SECTION graphics)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://commons.wikimedia.org/")
# Depends is computed from the binary by dpkg-shlibdeps: here for a native build; for a
# cross build scripts/cross-arm64.sh runs it inside the arm64 root and passes the result.
# The maintainer scripts need adduser and deb-systemd-helper.
set(DIGIKIT_PACKAGE_SHLIBDEPS "" CACHE STRING "Depends of the binary, when dpkg-shlibdeps ran elsewhere")
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, init-system-helpers (>= 1.52)")
# Which way up a page reads (`digikit process` without --rotate); without it only the
# direction of its lines is judged and pages stay as found.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "tesseract-ocr-osd")
if(DIGIKIT_PACKAGE_SHLIBDEPS)
  string(PREPEND CPACK_DEBIAN_PACKAGE_DEPENDS "${DIGIKIT_PACKAGE_SHLIBDEPS}, ")
else()
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
endif()
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/postinst
  ${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/prerm
  ${CMAKE_CURRENT_SOURCE_DIR}/packaging/debian/postrm
  ${CMAKE_CURRENT_BINARY_DIR}/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/conffiles "/etc/digikit/digikit.toml\n")
set(CPACK_STRIP_FILES ON)
include(CPack)
