/*
 * test_proxy.c - NO_PROXY matching. The CONNECT tunnel itself is held
 * by tests/it_proxy.py against a real proxy server.
 */
#include "t.h"
#include "../proxy.h"

static void
bypass_nothing_without_list(void)
{
	CHECK(proxy_bypass(NULL, "zoom.us") == 0);
	CHECK(proxy_bypass("", "zoom.us") == 0);
	CHECK(proxy_bypass(" , ,", "zoom.us") == 0);
}

static void
bypass_star(void)
{
	CHECK(proxy_bypass("*", "zoom.us") == 1);
	CHECK(proxy_bypass("example.com, *", "ws.zoom.us") == 1);
	/* "*" only counts alone */
	CHECK(proxy_bypass("*.zoom.us", "zoom.example") == 0);
}

static void
bypass_suffixes(void)
{
	CHECK(proxy_bypass("zoom.us", "zoom.us") == 1);
	CHECK(proxy_bypass("zoom.us", "ws.zoom.us") == 1);
	CHECK(proxy_bypass(".zoom.us", "ws.zoom.us") == 1);
	CHECK(proxy_bypass(".zoom.us", "zoom.us") == 1);
	CHECK(proxy_bypass("zoom.us", "notzoom.us") == 0);
	CHECK(proxy_bypass("zoom.us", "zoom.us.evil.example") == 0);
	CHECK(proxy_bypass("ZOOM.US", "Ws.Zoom.Us") == 1);
	CHECK(proxy_bypass("zoom.us.", "ws.zoom.us") == 1);
	CHECK(proxy_bypass("zoom.us", "ws.zoom.us.") == 1);
	CHECK(proxy_bypass("a.example, zoom.us ,b.example", "ws.zoom.us") == 1);
	CHECK(proxy_bypass("a.example,\tb.example", "ws.zoom.us") == 0);
	CHECK(proxy_bypass("us", "zoom.us") == 1);
	CHECK(proxy_bypass("s", "zoom.us") == 0);
}

static void
bypass_addresses(void)
{
	CHECK(proxy_bypass("127.0.0.1", "127.0.0.1") == 1);
	CHECK(proxy_bypass("127.0.0.1", "127.0.0.10") == 0);
	CHECK(proxy_bypass("0.0.1", "127.0.0.1") == 0);
	CHECK(proxy_bypass("127.0.0", "127.0.0.1") == 0);
	CHECK(proxy_bypass("::1", "::1") == 1);
	CHECK(proxy_bypass("[::1]", "::1") == 1);
	CHECK(proxy_bypass("10.0.0.1", "::1") == 0);
}

int
main(void)
{
	t_suite = "proxy";
	RUN(bypass_nothing_without_list);
	RUN(bypass_star);
	RUN(bypass_suffixes);
	RUN(bypass_addresses);
	return t_done();
}
