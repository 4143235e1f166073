/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "hv-disk.h"
#include "hv-error.h"

#define HV_DISK_SECTOR 512

static gboolean
hv_disk_fail (GError **error, int saved_errno, const char *path)
{
  g_set_error (error, HV_ERROR, HV_ERROR_FAILED, _ ("Could not create the disk image %s: %s"), path,
               g_strerror (saved_errno));
  return FALSE;
}

/* A sparse file of SIZE bytes next to PATH; returns its name. */
static char *
hv_disk_create_temp (const char *path, guint64 size, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmpl = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  int fd = g_mkstemp_full (tmpl, O_RDWR | O_CLOEXEC, 0600);
  int saved;

  if (fd < 0)
    {
      hv_disk_fail (error, errno, path);
      return NULL;
    }
  /* ftruncate only sets the length: no block is allocated. */
  if (ftruncate (fd, size) == 0 && fsync (fd) == 0 && close (fd) == 0)
    return g_steal_pointer (&tmpl);
  saved = errno;
  close (fd);
  g_unlink (tmpl);
  hv_disk_fail (error, saved, path);
  return NULL;
}

gboolean
hv_disk_create (const char *path, guint64 size, GError **error)
{
  g_autofree char *tmp = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  if (size == 0 || size % HV_DISK_SECTOR != 0 || size > G_MAXINT64)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("Invalid disk size %llu bytes: give a positive multiple of 512 bytes"),
                   (unsigned long long) size);
      return FALSE;
    }
  tmp = hv_disk_create_temp (path, size, error);
  if (tmp == NULL)
    return FALSE;
  /* link() fails if PATH exists, where rename() would replace it. */
  if (link (tmp, path) < 0)
    {
      int saved = errno;

      g_unlink (tmp);
      if (saved == EEXIST)
        {
          g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                       _ ("The disk image %s exists already: Hangar does not overwrite it"), path);
          return FALSE;
        }
      return hv_disk_fail (error, saved, path);
    }
  g_unlink (tmp);
  return TRUE;
}
