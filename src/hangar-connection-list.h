/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The connections the app shows: the embedded one first, then the libvirt
 * connections the user added (kept in GSettings and reopened at start), then
 * any given on the command line for this run only.
 */
#pragma once

#include "hangar-connection.h"

G_BEGIN_DECLS

#define HANGAR_TYPE_CONNECTION_LIST (hangar_connection_list_get_type ())

G_DECLARE_FINAL_TYPE (HangarConnectionList, hangar_connection_list, HANGAR, CONNECTION_LIST,
                      GObject)

HangarConnectionList *hangar_connection_list_new (GSettings *settings);
/* A GListModel of HangarConnection. */
GListModel *hangar_connection_list_get_model (HangarConnectionList *self);

/* Adds and opens a libvirt connection; PERSIST keeps it for the next start.
 * An URI already in the list is not added twice. Fails only when the libvirt
 * back end cannot be loaded. */
HangarConnection *hangar_connection_list_add_libvirt (HangarConnectionList *self, const char *uri,
                                                      const char *title, gboolean persist,
                                                      GError **error);
void hangar_connection_list_add (HangarConnectionList *self, HangarConnection *connection);
void hangar_connection_list_remove (HangarConnectionList *self, HangarConnection *connection);
/* Adds and opens This Computer, which the user cannot remove: the first. */
void hangar_connection_list_add_embedded (HangarConnectionList *self);
/* Adds and opens the libvirt connections kept for this user. */
gboolean hangar_connection_list_load_saved (HangarConnectionList *self, GError **error);
void hangar_connection_list_reconnect (HangarConnectionList *self, HangarConnection *connection);

G_END_DECLS
