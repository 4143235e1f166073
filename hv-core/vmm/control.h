/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The JSON-lines control socket (hv-core/docs/control-protocol.md). */
#pragma once

#include "vmm.h"

typedef struct control_server ControlServer;

/* Listens on PATH (mode 0600) and serves commands against VMM on the
 * default main context. */
ControlServer *control_server_new (Vmm *vmm, const char *path, GError **error);
/* Sends EVENT to every connected client. Main thread only. */
void control_server_emit (ControlServer *server, const VmmEvent *event);
/* Closes the listener and every client, and unlinks PATH. */
void control_server_free (ControlServer *server);
