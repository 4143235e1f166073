/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(HV_INSIDE) && !defined(HV_COMPILATION)
#error "Only <hv/hv.h> can be included directly."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

/* Creates PATH as a sparse raw disk image of SIZE bytes (a multiple of
 * 512), all zeros. Never overwrites: fails with HV_ERROR_INVALID_ARGUMENT
 * if PATH exists. Atomic: the image appears whole or not at all. */
gboolean hv_disk_create (const char *path, guint64 size, GError **error);

/* Bytes copied so far and the image's size; called in the copying thread. */
typedef void (*HvDiskCopyProgress) (guint64 done, guint64 total, gpointer user_data);

/* Copies the image SOURCE to a new file DEST, with SOURCE's permissions, keeping holes: a
 * reflink where the file system can share blocks, else only the data
 * extents. Never overwrites (G_IO_ERROR_EXISTS). Atomic: on failure or
 * cancellation nothing is left. */
gboolean hv_disk_copy (const char *source, const char *dest, GCancellable *cancellable,
                       HvDiskCopyProgress progress, gpointer user_data, GError **error);
/* The same, but DEST (which may exist) is replaced at once by the whole copy. */
gboolean hv_disk_replace (const char *source, const char *dest, GCancellable *cancellable,
                          HvDiskCopyProgress progress, gpointer user_data, GError **error);

G_END_DECLS
