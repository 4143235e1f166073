/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "hangar-machine.h"

G_BEGIN_DECLS

typedef enum
{
  HANGAR_CONNECTION_STATE_DISCONNECTED,
  HANGAR_CONNECTION_STATE_CONNECTING,
  HANGAR_CONNECTION_STATE_CONNECTED,
  HANGAR_CONNECTION_STATE_FAILED,
} HangarConnectionState;

GType hangar_connection_state_get_type (void) G_GNUC_CONST;
#define HANGAR_TYPE_CONNECTION_STATE (hangar_connection_state_get_type ())

/* A virtual network that machines of a connection can join. */
typedef struct
{
  char *name;
  gboolean isolated; /* a lab network without a way out */
} HangarNetworkInfo;

void hangar_network_info_free (HangarNetworkInfo *network);

/* What the new-machine wizard offers and checks against. */
typedef struct
{
  gboolean local; /* the machines run on this computer */
  guint host_cpus;
  guint64 host_memory_mib;
  char *storage_dir;         /* where new disks are created */
  guint64 free_bytes;        /* free there; 0: not known */
  GStrv bridges;             /* the host's bridges; NULL: not known */
  GPtrArray *networks;       /* of HangarNetworkInfo */
  gboolean direct_boot_only; /* boots Linux kernels, no firmware: installers need their kernel */
} HangarConnectionResources;

void hangar_connection_resources_free (HangarConnectionResources *resources);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HangarConnectionResources, hangar_connection_resources_free)

/* This computer's facts, for back ends that run machines here; new disks in
 * STORAGE_DIR. */
HangarConnectionResources *hangar_connection_resources_new_local (const char *storage_dir);

#define HANGAR_TYPE_CONNECTION (hangar_connection_get_type ())

G_DECLARE_DERIVABLE_TYPE (HangarConnection, hangar_connection, HANGAR, CONNECTION, GObject)

struct _HangarConnectionClass
{
  GObjectClass parent_class;

  void (*open_async) (HangarConnection *self, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data);
  gboolean (*open_finish) (HangarConnection *self, GAsyncResult *result, GError **error);
  void (*close) (HangarConnection *self);

  /* Creates a machine from SPEC (the new-machine wizard). */
  void (*create_machine_async) (HangarConnection *self, const HangarMachineSpec *spec,
                                GCancellable *cancellable, GAsyncReadyCallback callback,
                                gpointer user_data);
  HangarMachine *(*create_machine_finish) (HangarConnection *self, GAsyncResult *result,
                                           GError **error);

  /* The host's processors, memory, storage and networks (the wizard). The
   * default: this computer, disks under $XDG_DATA_HOME/hangar/machines. */
  void (*query_resources_async) (HangarConnection *self, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
  HangarConnectionResources *(*query_resources_finish) (HangarConnection *self,
                                                        GAsyncResult *result, GError **error);

  /* What creating a machine from SPEC would define, in the back end's own
   * words (libvirt's domain XML), for people to review; NULL by default. */
  char *(*preview_definition) (HangarConnection *self, const HangarMachineSpec *spec);
};

const char *hangar_connection_get_uri (HangarConnection *self);
const char *hangar_connection_get_title (HangarConnection *self);
HangarConnectionState hangar_connection_get_state (HangarConnection *self);
/* Why the last attempt to connect failed, for people; NULL otherwise. */
const char *hangar_connection_get_error_message (HangarConnection *self);
/* A GListModel of HangarMachine, sorted by name. */
GListModel *hangar_connection_get_machines (HangarConnection *self);
HangarMachine *hangar_connection_find_machine (HangarConnection *self, const char *name);

void hangar_connection_open_async (HangarConnection *self, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);
gboolean hangar_connection_open_finish (HangarConnection *self, GAsyncResult *result,
                                        GError **error);
void hangar_connection_close (HangarConnection *self);

void hangar_connection_create_machine_async (HangarConnection *self, const HangarMachineSpec *spec,
                                             GCancellable *cancellable,
                                             GAsyncReadyCallback callback, gpointer user_data);
HangarMachine *hangar_connection_create_machine_finish (HangarConnection *self,
                                                        GAsyncResult *result, GError **error);

void hangar_connection_query_resources_async (HangarConnection *self, GCancellable *cancellable,
                                              GAsyncReadyCallback callback, gpointer user_data);
HangarConnectionResources *hangar_connection_query_resources_finish (HangarConnection *self,
                                                                     GAsyncResult *result,
                                                                     GError **error);

char *hangar_connection_preview_definition (HangarConnection *self, const HangarMachineSpec *spec);

/* For back ends. */
void _hangar_connection_set_state (HangarConnection *self, HangarConnectionState state,
                                   const char *error_message);
void _hangar_connection_add_machine (HangarConnection *self, HangarMachine *machine);
void _hangar_connection_remove_machine (HangarConnection *self, HangarMachine *machine);
void _hangar_connection_remove_all_machines (HangarConnection *self);

G_END_DECLS
