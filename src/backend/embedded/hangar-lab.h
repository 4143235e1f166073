/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <hv/hv.h>

#include "hangar-machine.h"

G_BEGIN_DECLS

/* FRACTION of the whole work done (0 to 1), and the member being made or
 * reset (NULL once done). Always called on the main thread. */
typedef void (*HangarLabProgress) (double fraction, const char *member, gpointer user_data);

#define HANGAR_TYPE_LAB (hangar_lab_get_type ())

/* A lab of This Computer (hv-core's hv-lab.h): a template machine, its
 * member machines and the network that joins them. Its members are the
 * connection's own HangarMachine objects. */
G_DECLARE_FINAL_TYPE (HangarLab, hangar_lab, HANGAR, LAB, GObject)

const char *hangar_lab_get_name (HangarLab *self);
const char *hangar_lab_get_template_name (HangarLab *self);
guint hangar_lab_get_count (HangarLab *self);
HvNetworkMode hangar_lab_get_network_mode (HangarLab *self);
/* The definition as last read. */
const HvLabConfig *hangar_lab_get_config (HangarLab *self);
/* A GListModel of the member HangarMachines that exist, in member order. */
GListModel *hangar_lab_get_members (HangarLab *self);
/* Whether NAME is one of the lab's member names, defined or not. */
gboolean hangar_lab_is_member_name (HangarLab *self, const char *name);

/* Addresses come from the lab network's DHCP leases, asked for every few
 * seconds while at least one watcher holds them; ::addresses-changed
 * tells when they change. */
void hangar_lab_hold_addresses (HangarLab *self);
void hangar_lab_release_addresses (HangarLab *self);
/* MEMBER's IPv4 address on the lab network, or NULL while not known. */
const char *hangar_lab_get_member_address (HangarLab *self, HangarMachine *member);

void hangar_lab_start_all_async (HangarLab *self, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
/* Presses every running member's power button; does not wait for them. */
void hangar_lab_shutdown_all_async (HangarLab *self, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data);
void hangar_lab_force_off_all_async (HangarLab *self, GCancellable *cancellable,
                                     GAsyncReadyCallback callback, gpointer user_data);
/* Gives every member fresh copies of the template's disks. */
void hangar_lab_reset_async (HangarLab *self, HangarLabProgress progress, gpointer progress_data,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data);
void hangar_lab_delete_async (HangarLab *self, gboolean with_disks, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
/* Writes the lab's definition to FILE, for another computer to import. */
void hangar_lab_export_async (HangarLab *self, GFile *file, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
/* Finishes any of the calls above. */
gboolean hangar_lab_action_finish (HangarLab *self, GAsyncResult *result, GError **error);

/* What running the whole lab asks of this computer. */
void hangar_lab_query_resources_async (HangarLab *self, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data);
gboolean hangar_lab_query_resources_finish (HangarLab *self, GAsyncResult *result,
                                            HvLabResources *resources, GError **error);

G_END_DECLS
