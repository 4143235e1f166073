/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "disk-config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define DISK_SERIAL_MAX 20 /* bytes of a virtio-blk serial */

static void
disk_config_clear (gpointer data)
{
  VmmDiskConfig *disk = data;

  g_free ((char *) disk->path);
  g_free ((char *) disk->serial);
}

static gboolean
disk_config_bool (const char *spec, const char *value, bool *out, GError **error)
{
  if (g_strv_contains ((const char *const[]){ "on", "yes", "true", "1", NULL }, value))
    *out = true;
  else if (g_strv_contains ((const char *const[]){ "off", "no", "false", "0", NULL }, value))
    *out = false;
  else
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--disk %s: readonly must be on or off."), spec);
      return FALSE;
    }
  return TRUE;
}

static gboolean
disk_config_serial (const char *spec, const char *value, VmmDiskConfig *disk, GError **error)
{
  for (const char *p = value; *p != '\0'; p++)
    {
      if (!g_ascii_isgraph (*p))
        goto bad;
    }
  if (strlen (value) <= DISK_SERIAL_MAX)
    {
      g_free ((char *) disk->serial);
      disk->serial = g_strdup (value);
      return TRUE;
    }
bad:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _ ("--disk %s: the serial must be at most %d letters, digits or punctuation."), spec,
               DISK_SERIAL_MAX);
  return FALSE;
}

static gboolean
disk_config_item (const char *spec, const char *item, VmmDiskConfig *disk, GError **error)
{
  const char *eq = strchr (item, '=');
  g_autofree char *key = eq != NULL ? g_strndup (item, eq - item) : NULL;
  const char *value = eq != NULL ? eq + 1 : item;

  if (key == NULL || strcmp (key, "path") == 0)
    {
      g_free ((char *) disk->path);
      disk->path = g_strdup (value);
      return TRUE;
    }
  if (strcmp (key, "readonly") == 0)
    return disk_config_bool (spec, value, &disk->readonly, error);
  if (strcmp (key, "serial") == 0)
    return disk_config_serial (spec, value, disk, error);
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _ ("--disk %s: unknown setting %s (known: path, readonly, serial)."), spec, key);
  return FALSE;
}

static gboolean
disk_config_parse_one (const char *spec, VmmDiskConfig *disk, GError **error)
{
  g_auto (GStrv) items = g_strsplit (spec, ",", -1);

  for (unsigned i = 0; items[i] != NULL; i++)
    {
      if (!disk_config_item (spec, items[i], disk, error))
        return FALSE;
    }
  if (disk->path == NULL || disk->path[0] == '\0')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--disk %s: say which file, as path=FILE."), spec);
      return FALSE;
    }
  return TRUE;
}

GArray *
disk_config_parse (const char *const *specs, GError **error)
{
  g_autoptr (GArray) disks = g_array_new (FALSE, TRUE, sizeof (VmmDiskConfig));

  g_array_set_clear_func (disks, disk_config_clear);
  for (unsigned i = 0; specs != NULL && specs[i] != NULL; i++)
    {
      VmmDiskConfig disk = { 0 };
      gboolean ok = disk_config_parse_one (specs[i], &disk, error);

      /* Appended even on failure, so that the array frees its strings. */
      g_array_append_val (disks, disk);
      if (!ok)
        return NULL;
    }
  return g_steal_pointer (&disks);
}
