/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <hv/hv.h>

#include "hangar-connection.h"
#include "hangar-lab.h"

G_BEGIN_DECLS

#define HANGAR_TYPE_EMBEDDED_CONNECTION (hangar_embedded_connection_get_type ())

/* "This Computer": the machines of hv-core's store, run by hv-vmm processes
 * that outlive the app and are found again when it starts. */
G_DECLARE_FINAL_TYPE (HangarEmbeddedConnection, hangar_embedded_connection, HANGAR,
                      EMBEDDED_CONNECTION, HangarConnection)

/* $XDG_DATA_HOME/hangar and the running guests under $XDG_RUNTIME_DIR/hangar. */
HangarConnection *hangar_embedded_connection_new (void);
/* STORE instead (tests). */
HangarConnection *hangar_embedded_connection_new_for_store (HvStore *store);

HvStore *hangar_embedded_connection_get_store (HangarEmbeddedConnection *self);

/* Starts the machines marked to start with Hangar that do not run yet: the
 * app calls this once, when This Computer first connects. */
void hangar_embedded_connection_start_autostart (HangarEmbeddedConnection *self);

/* How often resource use is sampled, in milliseconds (0 stops sampling). */
void hangar_embedded_connection_set_stats_interval (HangarEmbeddedConnection *self,
                                                    guint interval_ms);

/* A GListModel of HangarLab, sorted by name; read again with the machines. */
GListModel *hangar_embedded_connection_get_labs (HangarEmbeddedConnection *self);
HangarLab *hangar_embedded_connection_find_lab (HangarEmbeddedConnection *self, const char *name);
/* The lab whose members include MACHINE, or NULL. */
HangarLab *hangar_embedded_connection_find_lab_of (HangarEmbeddedConnection *self,
                                                   HangarMachine *machine);

/* Makes the lab CONFIG describes (hv_lab_create ()): PROGRESS is called on
 * this thread as members are made. Cancelled or failed, nothing is left. */
void hangar_embedded_connection_create_lab_async (HangarEmbeddedConnection *self,
                                                  const HvLabConfig *config,
                                                  HangarLabProgress progress,
                                                  gpointer progress_data, GCancellable *cancellable,
                                                  GAsyncReadyCallback callback, gpointer user_data);
/* Imports the lab that FILE defines (hv_lab_import ()), under NEW_NAME if not NULL. */
void hangar_embedded_connection_import_lab_async (HangarEmbeddedConnection *self, GFile *file,
                                                  const char *new_name, HangarLabProgress progress,
                                                  gpointer progress_data, GCancellable *cancellable,
                                                  GAsyncReadyCallback callback, gpointer user_data);
/* Finishes either: the new lab, its members in the machine list already. */
HangarLab *hangar_embedded_connection_create_lab_finish (HangarEmbeddedConnection *self,
                                                         GAsyncResult *result, GError **error);

G_END_DECLS
