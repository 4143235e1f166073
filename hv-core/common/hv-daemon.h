/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What hv-vmm and hv-net share as the processes libhvcore starts
 * (hv-core/docs/hv-vmm.md): the one ready line on --ready-fd, and the
 * exclusive lock on their runtime directory that tells they run.
 */
#pragma once

#include <glib.h>

/* What both processes do first: the user's language for their messages, and
 * no death by SIGPIPE when a client goes away. */
void hv_daemon_init (void);

/* Writes "OK\n", or "ERROR <message>\n" (one line) with the message also on
 * stderr after PROGRAM's name, to *READY_FD if it is open, then closes it. */
void hv_daemon_report_ready (int *ready_fd, const char *program, const GError *error);

/* Opens (creating, 0600) and locks PATH exclusively without waiting. -1 with
 * G_FILE_ERROR_AGAIN where another process holds it (flock's EWOULDBLOCK),
 * or another G_FILE_ERROR. GLib's errno domain, not GIO's: neither hv-vmm
 * nor hv-net links GIO. */
int hv_daemon_lock (const char *path, GError **error);
