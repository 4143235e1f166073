/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The unix sockets hv-vmm listens on: control.sock, console.sock, ... */
#pragma once

#include <gio/gio.h>

/* A non-blocking listening unix socket at PATH that only its owner may
 * connect to. */
GSocket *unix_listener_new (const char *path, GError **error);
