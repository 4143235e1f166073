/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What reads libosinfo's database: the hangar-osinfo module. The app calls it
 * through hangar-os-detect.h, which loads the module; the tests link it in.
 */
#pragma once

#include "hangar-os-detect.h"

G_BEGIN_DECLS

/* hangar_install_inspect_async (): its result is a GTask's pointer. */
void hangar_osinfo_inspect_async (const char *location, HangarInstallKind kind,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);

/* hangar_os_list_async (): its result is a GTask's pointer. */
void hangar_osinfo_list_async (GCancellable *cancellable, GAsyncReadyCallback callback,
                               gpointer user_data);

/* The OS with libosinfo id or short id ID, or NULL. Blocking the first time. */
HangarOsInfo *hangar_osinfo_lookup (const char *id);

G_END_DECLS
