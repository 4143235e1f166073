/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(HV_INSIDE) && !defined(HV_COMPILATION)
#error "Only <hv/hv.h> can be included directly."
#endif

#include <gio/gio.h>

#include "hv-launch-options.h"
#include "hv-machine-config.h"
#include "hv-network-config.h"
#include "hv-runtime.h"

G_BEGIN_DECLS

#define HV_TYPE_STORE (hv_store_get_type ())

/*
 * The defined machines and networks of this user (machine-conf.md):
 *   <directory>/machines/<name>/machine.conf and its disk images,
 *   <directory>/networks/<name>.conf.
 * Every call reads the files afresh: hvctl and the app may change them at
 * any time. Calls block on file I/O (and on the runtime, to know whether a
 * machine runs): a program with a main loop calls them from a thread.
 */
G_DECLARE_FINAL_TYPE (HvStore, hv_store, HV, STORE, GObject)

/* $XDG_DATA_HOME/hangar, with the running guests of hv_runtime_new (). */
HvStore *hv_store_new (void);
/* DIRECTORY instead, and RUNTIME (NULL: hv_runtime_new ()): tests. */
HvStore *hv_store_new_for_directory (const char *directory, HvRuntime *runtime);

const char *hv_store_get_directory (HvStore *self);
/* <directory>/machines */
const char *hv_store_get_machines_directory (HvStore *self);
HvRuntime *hv_store_get_runtime (HvStore *self);
char *hv_store_get_machine_directory (HvStore *self, const char *name);

/* The names of the defined machines, sorted. */
GStrv hv_store_list_machines (HvStore *self, GError **error);
HvMachineConfig *hv_store_load_machine (HvStore *self, const char *name, GError **error);
/* Makes the machine's directory, its new disk images and machine.conf, and
 * fills in CONFIG's uuid, MACs and disk paths. Refuses to overwrite
 * anything; on failure leaves nothing behind. */
gboolean hv_store_create_machine (HvStore *self, HvMachineConfig *config, GCancellable *cancellable,
                                  GError **error);
/* Rewrites an existing machine's machine.conf (new cards get MACs). */
gboolean hv_store_update_machine (HvStore *self, HvMachineConfig *config, GError **error);
/* Refused while the machine runs. WITH_DISKS deletes the disk images inside
 * the machine's own directory; images elsewhere are the user's, and stay. */
gboolean hv_store_delete_machine (HvStore *self, const char *name, gboolean with_disks,
                                  GError **error);
gboolean hv_store_rename_machine (HvStore *self, const char *name, const char *new_name,
                                  GError **error);
/* Whether a guest called NAME runs now. */
gboolean hv_store_machine_is_running (HvStore *self, const char *name);
/* The guests running now, name to HvGuestInfo, from one look at the
 * runtime: asking hv_store_machine_is_running () about many machines
 * greets every running guest once per question. */
GHashTable *hv_store_list_running (HvStore *self, GError **error);
/* A MAC address no defined machine uses. */
char *hv_store_new_mac (HvStore *self, GError **error);

GStrv hv_store_list_networks (HvStore *self, GError **error);
HvNetworkConfig *hv_store_load_network (HvStore *self, const char *name, GError **error);
/* Whether no network of the store has a subnet that overlaps SUBNET. */
gboolean hv_store_subnet_is_free (HvStore *self, const char *subnet);
/* Validates CONFIG (picking a free 10.0.N.0/24 when it has no subnet) and
 * refuses a name in use or a subnet that overlaps another network's. */
gboolean hv_store_create_network (HvStore *self, HvNetworkConfig *config, GError **error);
/* Refused while a machine's network card names the network. */
gboolean hv_store_delete_network (HvStore *self, const char *name, GError **error);

/* What hv_runtime_launch () needs to start CONFIG's machine. */
HvLaunchOptions *hv_store_launch_options (const HvMachineConfig *config);
/* Completes OPTIONS' network cards (hv-vmm's --nic): those on a nat or
 * isolated network get a port of its hv-net, started if it is not running
 * (the default nat network even where none is defined). Launch options
 * without this call have only the user and bridge cards. */
gboolean hv_store_connect_networks (HvStore *self, const HvMachineConfig *config,
                                    HvLaunchOptions *options, GCancellable *cancellable,
                                    GError **error);

/* Everything hv_runtime_launch () needs to start the defined machine NAME:
 * hv_store_launch_options () and hv_store_connect_networks () in one.
 * Refuses a machine without a kernel to boot. */
HvLaunchOptions *hv_store_prepare_start (HvStore *self, const char *name, GCancellable *cancellable,
                                         GError **error);

G_END_DECLS
