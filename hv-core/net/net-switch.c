/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A learning switch. Whatever a guest sends is untrusted: frames of a bad
 * length are dropped and counted, and the MAC table is bounded so that a
 * guest inventing source addresses cannot grow it without end.
 */

#include "config.h"

#include "net-switch.h"

#include "net-frame.h"

/* Beyond this many addresses the table starts again from empty: unknown
 * destinations are flooded meanwhile, which is slower but correct. */
#define NET_SWITCH_MAX_MACS 4096
/* A station silent this long may have moved to another port. */
#define NET_SWITCH_AGEING_US (300 * G_USEC_PER_SEC)

struct NetPort
{
  guint id;
  char *name;
  NetPortSendFunc send;
  gpointer user_data;
  NetPortStats stats;
};

typedef struct
{
  NetPort *port;
  gint64 last_seen;
} MacEntry;

struct NetSwitch
{
  GPtrArray *ports; /* NetPort */
  GHashTable *macs; /* guint64 MAC -> MacEntry */
  guint next_port_id;
  NetSwitchObserveFunc observe;
  gpointer observe_data;
};

static void
port_free (NetPort *port)
{
  g_free (port->name);
  g_free (port);
}

NetSwitch *
net_switch_new (void)
{
  NetSwitch *self = g_new0 (NetSwitch, 1);

  self->ports = g_ptr_array_new_with_free_func ((GDestroyNotify) port_free);
  self->macs = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->next_port_id = 1;
  return self;
}

void
net_switch_free (NetSwitch *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->macs);
  g_ptr_array_unref (self->ports);
  g_free (self);
}

NetPort *
net_switch_add_port (NetSwitch *self, const char *name, NetPortSendFunc send, gpointer user_data)
{
  NetPort *port = g_new0 (NetPort, 1);

  port->id = self->next_port_id++;
  port->name = g_strdup (name);
  port->send = send;
  port->user_data = user_data;
  g_ptr_array_add (self->ports, port);
  return port;
}

void
net_switch_set_observer (NetSwitch *self, NetSwitchObserveFunc observe, gpointer user_data)
{
  self->observe = observe;
  self->observe_data = user_data;
}

static gboolean
entry_is_on_port (gpointer key, gpointer value, gpointer port)
{
  return ((MacEntry *) value)->port == port;
}

void
net_switch_remove_port (NetSwitch *self, NetPort *port)
{
  g_hash_table_foreach_remove (self->macs, entry_is_on_port, port);
  g_ptr_array_remove (self->ports, port);
}

static void
learn (NetSwitch *self, NetPort *port, const guint8 *source, gint64 now)
{
  guint64 mac = net_mac_to_u64 (source);
  MacEntry *entry;

  if (net_mac_is_group (source))
    return; /* a group address is never a station's own */
  entry = g_hash_table_lookup (self->macs, &mac);
  if (entry == NULL)
    {
      if (g_hash_table_size (self->macs) >= NET_SWITCH_MAX_MACS)
        g_hash_table_remove_all (self->macs);
      entry = g_new0 (MacEntry, 1);
      g_hash_table_insert (self->macs, g_memdup2 (&mac, sizeof mac), entry);
    }
  entry->port = port;
  entry->last_seen = now;
}

static NetPort *
lookup (NetSwitch *self, const guint8 *destination, gint64 now)
{
  guint64 mac;
  MacEntry *entry;

  if (net_mac_is_group (destination))
    return NULL;
  mac = net_mac_to_u64 (destination);
  entry = g_hash_table_lookup (self->macs, &mac);
  if (entry == NULL || now - entry->last_seen > NET_SWITCH_AGEING_US)
    return NULL;
  return entry->port;
}

static void
deliver (NetPort *port, const guint8 *frame, gsize len)
{
  if (!port->send (frame, len, port->user_data))
    {
      port->stats.dropped_out++;
      return;
    }
  port->stats.frames_out++;
  port->stats.bytes_out += len;
}

void
net_switch_input (NetSwitch *self, NetPort *from, const guint8 *frame, gsize len)
{
  gint64 now = g_get_monotonic_time ();
  NetPort *to;

  if (!net_frame_is_valid_length (len))
    {
      from->stats.dropped_in++;
      return;
    }
  from->stats.frames_in++;
  from->stats.bytes_in += len;
  if (self->observe != NULL)
    self->observe (from, frame, len, self->observe_data);
  learn (self, from, frame + NET_MAC_LEN, now);
  to = lookup (self, frame, now);
  if (to == from)
    return; /* the destination is behind the port it came from */
  if (to != NULL)
    {
      deliver (to, frame, len);
      return;
    }
  for (guint i = 0; i < self->ports->len; i++)
    if (g_ptr_array_index (self->ports, i) != from)
      deliver (g_ptr_array_index (self->ports, i), frame, len);
}

guint
net_port_get_id (const NetPort *port)
{
  return port->id;
}

const char *
net_port_get_name (const NetPort *port)
{
  return port->name;
}

const NetPortStats *
net_port_get_stats (const NetPort *port)
{
  return &port->stats;
}

GPtrArray *
net_switch_get_ports (NetSwitch *self)
{
  return self->ports;
}
