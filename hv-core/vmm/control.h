/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The JSON-lines control socket (hv-core/docs/control-protocol.md). */
#pragma once

#include "hv-json.h"

#include "vmm.h"

typedef struct control_server ControlServer;

/* A command that another part of hv-vmm adds (the display's). ARGUMENTS is
 * an object, or NULL when the request has none. Errors become classes:
 * HV_VMM_ERROR_INVALID_ARGUMENT InvalidParameter, HV_VMM_ERROR_INVALID_STATE
 * InvalidState, any other GenericError. */
typedef HvJson *(*ControlExtraFunc) (const HvJson *arguments, void *user_data, GError **error);

/* Listens on PATH (mode 0600) and serves commands against VMM on the
 * default main context. */
ControlServer *control_server_new (Vmm *vmm, const char *path, GError **error);
/* Sends EVENT to every connected client. Main thread only. */
void control_server_emit (ControlServer *server, const VmmEvent *event);
/* Adds command NAME; USER_DATA must outlive SERVER. */
void control_server_add_command (ControlServer *server, const char *name, ControlExtraFunc func,
                                 void *user_data);
/* Closes the listener and every client, and unlinks PATH. */
void control_server_free (ControlServer *server);
