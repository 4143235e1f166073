/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The guest's display and inputs for SPICE clients: spice-server on the
 * main loop, listening on spice.sock in the runtime directory (no ticket:
 * the 0700 directory and the 0600 socket are the access control) and, when
 * configured, on a TCP port where a client must give the ticket.
 */
#pragma once

#include <glib.h>

#include "display-config.h"
#include "vmm.h"

typedef struct display_server DisplayServer;

DisplayServer *display_server_new (Vmm *vmm, const DisplayConfig *config, const char *socket_path,
                                   GError **error);
void display_server_free (DisplayServer *server);
/* Clients with a display channel open. */
unsigned display_server_get_clients (DisplayServer *server);
/* Rectangles and pixels sent so far. */
void display_server_get_stats (DisplayServer *server, guint64 *updates, guint64 *pixels);
