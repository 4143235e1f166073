/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The learning L2 switch of hv-net: ports, a MAC table, per-port
 * counters. No I/O here: a port is a function that takes a frame, so the
 * same switch serves guests' sockets, the router and the tests.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct NetSwitch NetSwitch;
typedef struct NetPort NetPort;

/* Delivers one frame out of a port; FALSE when it had to be dropped (the
 * peer is not keeping up, or gone). Never blocks, and never removes a
 * port: a peer found gone is removed later, from the main loop. */
typedef gboolean (*NetPortSendFunc) (const guint8 *frame, gsize len, gpointer user_data);

typedef struct
{
  guint64 frames_in; /* frames the port handed to the switch */
  guint64 bytes_in;
  guint64 frames_out; /* frames the switch delivered to the port */
  guint64 bytes_out;
  guint64 dropped_in;  /* malformed frames from the port */
  guint64 dropped_out; /* frames for the port dropped on backpressure */
} NetPortStats;

NetSwitch *net_switch_new (void);
void net_switch_free (NetSwitch *self);

/* NAME is for the statistics ("router", "pid 1234"). */
NetPort *net_switch_add_port (NetSwitch *self, const char *name, NetPortSendFunc send,
                              gpointer user_data);
void net_switch_remove_port (NetSwitch *self, NetPort *port);

/* Shown every frame of a valid length that comes in on FROM, before it
 * is forwarded (hv-net's address snooping). Must not change the switch. */
typedef void (*NetSwitchObserveFunc) (NetPort *from, const guint8 *frame, gsize len,
                                      gpointer user_data);
void net_switch_set_observer (NetSwitch *self, NetSwitchObserveFunc observe, gpointer user_data);

/* A frame that came in on FROM: learnt, then forwarded to the port its
 * destination was last seen on, or flooded to every other port. */
void net_switch_input (NetSwitch *self, NetPort *from, const guint8 *frame, gsize len);

guint net_port_get_id (const NetPort *port);
const char *net_port_get_name (const NetPort *port);
const NetPortStats *net_port_get_stats (const NetPort *port);
/* The ports, oldest first (NetPort, owned by the switch). */
GPtrArray *net_switch_get_ports (NetSwitch *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NetSwitch, net_switch_free)

G_END_DECLS
