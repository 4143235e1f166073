/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The unix sockets hv-vmm listens on: control.sock, console.sock, ...
 *
 * Plain file descriptors watched on the main context, not GSocket: GSocket
 * brings in GIO's type system and networking set-up, which kept a few
 * hundred KiB more of GIO and GObject resident in every hv-vmm (measured
 * with bench/vmm-startup), to do what send () and recv () do.
 */
#pragma once

#include <glib-unix.h>
#include <glib.h>

/* A non-blocking, close-on-exec listening unix socket at PATH that only its
 * owner may connect to, or -1. */
int unix_listener_new (const char *path, GError **error);
/* The next connection waiting on LISTENER (non-blocking, close-on-exec), or
 * -1 with errno set: EAGAIN when there is none. */
int unix_listener_accept (int listener);
/* Calls FUNC on the main context whenever FD meets CONDITION; the source is
 * attached, the caller holds its one reference. */
GSource *unix_fd_watch (int fd, GIOCondition condition, GUnixFDSourceFunc func, gpointer data);
/* send () that never raises SIGPIPE or blocks, and retries on EINTR. */
gssize unix_socket_send (int fd, const void *data, gsize len);
/* recv () that never blocks, and retries on EINTR. */
gssize unix_socket_recv (int fd, void *buf, gsize len);
