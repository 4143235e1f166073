/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The guest's display and inputs for SPICE clients: spice-server on the
 * main loop, listening on spice.sock in the runtime directory (no ticket:
 * the 0700 directory and the 0600 socket are the access control) and, when
 * configured, on a TCP port where a client must give the ticket.
 *
 * These functions are hv-vmm's side (display-module.c): they forward to
 * the SPICE module, which display_server_load_module () loads first.
 */
#pragma once

#include <glib.h>

#include "display-config.h"
#include "vmm.h"

typedef struct display_server DisplayServer;

/* Loads hv-vmm-spice.so (display-module.h) once; TRUE when it is there.
 * Call it before display_server_new (). */
gboolean display_server_load_module (GError **error);

DisplayServer *display_server_new (Vmm *vmm, const DisplayConfig *config, const char *socket_path,
                                   GError **error);
void display_server_free (DisplayServer *server);
/* Clients with a display channel open. */
unsigned display_server_get_clients (DisplayServer *server);
/* Rectangles and pixels sent so far. */
void display_server_get_stats (DisplayServer *server, guint64 *updates, guint64 *pixels);
