/*
 * version.h - which build this is, for `zoomws --version` and bug
 * reports.
 */
#ifndef VERSION_H
#define VERSION_H

/*
 * version_text: four lines, each ending in a newline: the version, the
 * target (OS, CPU and its name for Debian), the commit the binary was
 * built from, and the BearSSL it was linked with. The build passes these
 * facts in (see the Makefile); a build that does not says "unknown".
 * The string is static.
 */
const char *version_text(void);

#endif
