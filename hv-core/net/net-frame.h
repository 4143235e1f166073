/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Ethernet frames as hv-net and the back ends of hv-vmm pass them around. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NET_ETH_HEADER_LEN 14
/* The largest frame a virtio-net guest may hand over: a 64 KiB GSO
 * packet behind its Ethernet header. Anything longer is malformed. */
#define NET_FRAME_MAX (65535 + NET_ETH_HEADER_LEN)

#define NET_MAC_LEN 6

static inline gboolean
net_frame_is_valid_length (gsize len)
{
  return len >= NET_ETH_HEADER_LEN && len <= NET_FRAME_MAX;
}

/* Broadcast and multicast destinations have the group bit set. */
static inline gboolean
net_mac_is_group (const guint8 *mac)
{
  return (mac[0] & 1) != 0;
}

static inline guint64
net_mac_to_u64 (const guint8 *mac)
{
  guint64 value = 0;

  for (guint i = 0; i < NET_MAC_LEN; i++)
    value = (value << 8) | mac[i];
  return value;
}

G_END_DECLS
