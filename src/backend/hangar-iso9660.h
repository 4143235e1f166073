/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Just enough of ISO 9660 to find and copy files from an installer disc image
 * without mounting it: the primary volume descriptor, directory records, and
 * the Rock Ridge names that Linux installer discs carry. The image is not
 * trusted: every offset and length read from it is checked.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _HangarIsoImage HangarIsoImage;

/* Called with bytes copied so far and the total. */
typedef void (*HangarIsoProgress) (guint64 done, guint64 total, gpointer user_data);

HangarIsoImage *hangar_iso_image_open (const char *path, GError **error);
void hangar_iso_image_free (HangarIsoImage *image);

/* The primary volume descriptor's fields, without their padding. */
const char *hangar_iso_image_get_volume_id (HangarIsoImage *image);
const char *hangar_iso_image_get_system_id (HangarIsoImage *image);

/* Whether PATH ("install.amd/vmlinuz", no leading slash needed) is a regular
 * file on the image; its size goes to SIZE. */
gboolean hangar_iso_image_find (HangarIsoImage *image, const char *path, guint64 *size);

/* The contents of a small file (at most MAX_SIZE bytes), or NULL. */
GBytes *hangar_iso_image_read (HangarIsoImage *image, const char *path, gsize max_size,
                               GError **error);

/* Copies PATH out of the image to DEST (replaced if it exists); on failure or
 * cancellation DEST is left absent. */
gboolean hangar_iso_image_extract (HangarIsoImage *image, const char *path, const char *dest,
                                   GCancellable *cancellable, HangarIsoProgress progress,
                                   gpointer user_data, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HangarIsoImage, hangar_iso_image_free)

G_END_DECLS
