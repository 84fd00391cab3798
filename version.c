/*
 * version.c - the text of `zoomws --version`, from facts the Makefile
 * passes in as macros (ZOOMWS_VERSION, VERSION_TARGET, VERSION_COMMIT,
 * VERSION_BEARSSL). Test builds pass none of them but the version.
 */
#include "version.h"

#ifndef ZOOMWS_VERSION
#define ZOOMWS_VERSION "dev"
#endif
#ifndef VERSION_TARGET
#define VERSION_TARGET "unknown"
#endif
#ifndef VERSION_COMMIT
#define VERSION_COMMIT "unknown"
#endif
#ifndef VERSION_BEARSSL
#define VERSION_BEARSSL "unknown"
#endif

const char *
version_text(void)
{
	return "zoomws " ZOOMWS_VERSION "\n"
	    "target: " VERSION_TARGET "\n"
	    "commit: " VERSION_COMMIT "\n"
	    "BearSSL: " VERSION_BEARSSL "\n";
}
