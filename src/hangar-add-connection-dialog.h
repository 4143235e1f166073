/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define HANGAR_TYPE_ADD_CONNECTION_DIALOG (hangar_add_connection_dialog_get_type ())

G_DECLARE_FINAL_TYPE (HangarAddConnectionDialog, hangar_add_connection_dialog, HANGAR,
                      ADD_CONNECTION_DIALOG, AdwWindow)

/* Emits "connection-chosen" (uri, title) when the user confirms. */
GtkWidget *hangar_add_connection_dialog_new (GtkWindow *parent);

G_END_DECLS
