/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Called with bytes copied so far and the file's size. */
typedef void (*HangarCopyProgress) (guint64 done, guint64 total, gpointer user_data);

/* Copies SOURCE to a new file DEST, keeping holes: a reflink where the file
 * system can share blocks, else only the data extents. DEST must not exist;
 * on failure or cancellation it is removed. */
gboolean hangar_file_copy_sparse (const char *source, const char *dest, GCancellable *cancellable,
                                  HangarCopyProgress progress, gpointer user_data, GError **error);

G_END_DECLS
