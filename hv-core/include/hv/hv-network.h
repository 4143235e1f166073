/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(HV_INSIDE) && !defined(HV_COMPILATION)
#error "Only <hv/hv.h> can be included directly."
#endif

#include <gio/gio.h>

#include "hv-network-config.h"
#include "hv-runtime.h"

G_BEGIN_DECLS

/*
 * Virtual networks: one hv-net process each (docs/network.md), found under
 * the "nets" directory beside the runtime's "vms" one
 * ($XDG_RUNTIME_DIR/hangar/nets/<name>/).
 */

/* One running network. */
typedef struct _HvNetworkInfo HvNetworkInfo;

const char *hv_network_info_get_name (const HvNetworkInfo *info);
/* The hv-net's process id, 0 where it is not known. */
GPid hv_network_info_get_pid (const HvNetworkInfo *info);
const char *hv_network_info_get_runtime_dir (const HvNetworkInfo *info);
/* Where a guest's switch back end connects. */
const char *hv_network_info_get_switch_path (const HvNetworkInfo *info);
const char *hv_network_info_get_control_path (const HvNetworkInfo *info);
void hv_network_info_free (HvNetworkInfo *info);

/* Starts hv-net ($HV_NET_PATH, or the installed one) for CONFIG (as
 * hv_network_config_validate () left it) in a session of its own and
 * waits until its sockets listen. Forwards listen on the host's
 * 127.0.0.1. On failure nothing is left behind; HV_ERROR_NAME_IN_USE if
 * it runs already. */
HvNetworkInfo *hv_network_launch (HvRuntime *runtime, const HvNetworkConfig *config,
                                  GCancellable *cancellable, GError **error);
/* The running network NAME, or HV_ERROR_NOT_FOUND. */
HvNetworkInfo *hv_network_lookup (HvRuntime *runtime, const char *name, GError **error);
/* The running networks (HvNetworkInfo), sorted by name. */
GPtrArray *hv_network_list (HvRuntime *runtime, GError **error);
/* Asks INFO's hv-net to quit, and kills it if it has not within
 * TIMEOUT_MS; then removes whatever it left behind. */
gboolean hv_network_stop (HvRuntime *runtime, const HvNetworkInfo *info, guint timeout_ms,
                          GError **error);

/* One address a network has seen a guest use (its query-leases). */
typedef struct
{
  char *mac;     /* "52:54:00:12:34:56" */
  char *address; /* "10.0.2.15" */
  char *source;  /* "dhcp": from a DHCP ACK; "arp": the guest said so in ARP */
} HvNetworkLease;

void hv_network_lease_free (HvNetworkLease *lease);

/* The addresses running network NAME has seen its guests use
 * (HvNetworkLease, sorted by MAC), blocking; HV_ERROR_NOT_FOUND if it does
 * not run. */
GPtrArray *hv_network_query_leases (HvRuntime *runtime, const char *name, GCancellable *cancellable,
                                    GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HvNetworkInfo, hv_network_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HvNetworkLease, hv_network_lease_free)

G_END_DECLS
