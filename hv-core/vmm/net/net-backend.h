/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Where a guest's NIC sends its frames and gets them from: the interface
 * that the virtio-net device calls, with its implementations
 * (hv-core/docs/network.md):
 *
 *   switch  a port of an hv-net network (its switch.sock)
 *   user    a private libslirp NAT for this guest alone
 *   tap     a tap device on a host bridge, opened here or by a helper
 *
 * Frames are plain Ethernet frames, without virtio-net's header.
 * Received frames are handed to the receive function in the back end's
 * GMainContext. net_backend_send () may be called from any thread; it
 * never blocks: a frame the network cannot take now is dropped, counted,
 * and left to the guest's protocols to send again.
 */
#pragma once

#include <glib.h>

#include "net-slirp.h"
#include "vmm-error.h"

G_BEGIN_DECLS

typedef struct NetBackend NetBackend;

typedef void (*NetBackendReceiveFunc) (const guint8 *frame, gsize len, gpointer user_data);

typedef struct
{
  guint64 frames_in; /* handed to the guest */
  guint64 bytes_in;
  guint64 frames_out; /* sent for the guest */
  guint64 bytes_out;
  guint64 dropped_in;  /* from the network, malformed or while receiving was off */
  guint64 dropped_out; /* from the guest, malformed or not taken by the network */
} NetBackendStats;

/* MAC is the NIC's address, as the store gave it: unicast frames for
 * other addresses (flooded by a switch) are not handed to the guest. */
NetBackend *net_backend_switch_new (const char *switch_path, const guint8 *mac,
                                    GMainContext *context, GError **error);
NetBackend *net_backend_user_new (const NetSlirpConfig *config, const guint8 *mac,
                                  GMainContext *context, GError **error);
/* Creates tap device IFNAME (NULL: the kernel picks "tapN"), attaches it
 * to the existing BRIDGE and brings it up: needs CAP_NET_ADMIN. */
NetBackend *net_backend_tap_new (const char *bridge, const char *ifname, const guint8 *mac,
                                 GMainContext *context, GError **error);
/* Takes over TAP_FD, a tap opened elsewhere (net_tap_open_with_helper ()),
 * with or without a virtio-net header (IFF_VNET_HDR). */
NetBackend *net_backend_tap_new_for_fd (int tap_fd, const guint8 *mac, GMainContext *context,
                                        GError **error);
/* Runs HELPER (qemu-bridge-helper's interface: --use-vnet --br=BRIDGE
 * --fd=N) and returns the tap descriptor it passes back, attached to
 * BRIDGE: how a user without CAP_NET_ADMIN gets on a bridge. */
int net_tap_open_with_helper (const char *helper, const char *bridge, GError **error);

/* The back end SPEC names, as hv-vmm's command line gives it:
 *   switch:PATH          a port of the hv-net whose switch.sock is PATH
 *   user[:SUBNET]        a private NAT (default 10.0.2.0/24)
 *   tap:BRIDGE           a new tap on BRIDGE (CAP_NET_ADMIN)
 *   bridge-helper:BRIDGE a tap on BRIDGE from $HV_BRIDGE_HELPER, or
 *                        /usr/lib/qemu/qemu-bridge-helper */
NetBackend *net_backend_new_for_spec (const char *spec, const guint8 *mac, GMainContext *context,
                                      GError **error);
/* Parses "52:54:00:12:34:56" into MAC. */
gboolean net_mac_parse (const char *text, guint8 *mac);

void net_backend_set_receive_func (NetBackend *self, NetBackendReceiveFunc func,
                                   gpointer user_data);
/* While off (the guest has no receive buffers), frames wait in the
 * kernel's queue where there is one, and are dropped beyond it. */
void net_backend_set_receive_enabled (NetBackend *self, gboolean enabled);
/* FALSE when the frame was dropped. */
gboolean net_backend_send (NetBackend *self, const guint8 *frame, gsize len);
void net_backend_get_stats (NetBackend *self, NetBackendStats *stats);
void net_backend_free (NetBackend *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NetBackend, net_backend_free)

G_END_DECLS
