/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(HV_INSIDE) && !defined(HV_COMPILATION)
#error "Only <hv/hv.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* Creates PATH as a sparse raw disk image of SIZE bytes (a multiple of
 * 512), all zeros. Never overwrites: fails with HV_ERROR_INVALID_ARGUMENT
 * if PATH exists. Atomic: the image appears whole or not at all. */
gboolean hv_disk_create (const char *path, guint64 size, GError **error);

G_END_DECLS
