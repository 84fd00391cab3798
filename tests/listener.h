/*
 * listener.h - for the socket tests (test_net.c, test_tls.c): a
 * listening TCP socket on 127.0.0.1 that never accepts by itself.
 */
#ifndef LISTENER_H
#define LISTENER_H

#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* A listening socket on 127.0.0.1 (or -1), its port into port. */
static int
listener(char *port, size_t cap)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(fd, 8) != 0 || getsockname(fd, (struct sockaddr *)&sa,
	    &sl) != 0)
		return -1;
	snprintf(port, cap, "%d", ntohs(sa.sin_port));
	return fd;
}

#endif
