/* SPDX-License-Identifier: GPL-3.0-or-later */
/* switch.sock: each connection is a port of the switch (docs/network.md). */
#pragma once

#include <glib.h>

#include "net-switch.h"

G_BEGIN_DECLS

typedef struct NetPorts NetPorts;

/* Listens on PATH (mode 0600) and adds a port to SWITCH for every
 * connection, in the default main context. */
NetPorts *net_ports_new (NetSwitch *sw, const char *path, GError **error);
/* Closes every port and removes the socket file. */
void net_ports_free (NetPorts *self);

/* A non-blocking unix socket of TYPE listening on PATH, mode 0600; -1 with a
 * G_FILE_ERROR (GLib's errno domain: hv-net links no GIO). */
int net_listen_unix (const char *path, int type, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NetPorts, net_ports_free)

G_END_DECLS
