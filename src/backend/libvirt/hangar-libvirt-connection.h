/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hangar-connection.h"

G_BEGIN_DECLS

#define HANGAR_TYPE_LIBVIRT_CONNECTION (hangar_libvirt_connection_get_type ())

G_DECLARE_FINAL_TYPE (HangarLibvirtConnection, hangar_libvirt_connection, HANGAR,
                      LIBVIRT_CONNECTION, HangarConnection)

/* TITLE may be NULL: the URI is shown then. */
HangarConnection *hangar_libvirt_connection_new (const char *uri, const char *title);

/* How often resource use is sampled, in milliseconds (0 stops sampling). */
void hangar_libvirt_connection_set_stats_interval (HangarLibvirtConnection *self,
                                                   guint interval_ms);

G_END_DECLS
