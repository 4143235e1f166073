/* SPDX-License-Identifier: GPL-3.0-or-later */
/* control.sock of hv-net: JSON lines (docs/network.md). */
#pragma once

#include <glib.h>

#include "net-leases.h"
#include "net-switch.h"

G_BEGIN_DECLS

typedef struct NetControl NetControl;

typedef struct
{
  const char *name;
  const char *mode;
  const char *subnet; /* NULL in isolated mode */
} NetControlInfo;

/* Listens on PATH (mode 0600) in the default main context; QUIT runs
 * after a quit command's reply has been sent. INFO's strings, SW and
 * LEASES must outlive the server. */
NetControl *net_control_new (const char *path, const NetControlInfo *info, NetSwitch *sw,
                             NetLeases *leases, GSourceFunc quit, gpointer quit_data,
                             GError **error);
void net_control_free (NetControl *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NetControl, net_control_free)

G_END_DECLS
