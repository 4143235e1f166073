/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "hangar-machine-conf.h"

static void
set_optional (GKeyFile *file, const char *group, const char *key, const char *value)
{
  if (value != NULL)
    g_key_file_set_string (file, group, key, value);
}

static void
write_disk (GKeyFile *file, guint index, const HangarDiskSpec *disk)
{
  g_autofree char *group = g_strdup_printf ("disk%u", index);

  g_key_file_set_string (file, group, "path", disk->path);
  g_key_file_set_boolean (file, group, "readonly", disk->readonly || disk->cdrom);
  g_key_file_set_boolean (file, group, "cdrom", disk->cdrom);
}

/* A card in mode "none" is no card: it is left out, and the others are
 * numbered without a gap. */
static void
write_nic (GKeyFile *file, guint index, const HangarNicSpec *nic)
{
  g_autofree char *group = g_strdup_printf ("nic%u", index);
  const char *network = nic->source;

  if (network == NULL && nic->mode == HANGAR_NETWORK_NAT)
    network = "default";
  g_key_file_set_string (file, group, "mode", hangar_network_mode_to_string (nic->mode));
  set_optional (file, group, "network", network);
  set_optional (file, group, "mac", nic->mac);
}

char *
hangar_machine_conf_from_spec (const HangarMachineSpec *spec)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  guint n_nics = 0;

  g_return_val_if_fail (spec != NULL && spec->name != NULL, NULL);

  g_key_file_set_string (file, "machine", "name", spec->name);
  g_key_file_set_uint64 (file, "machine", "cpus", spec->cpus);
  g_key_file_set_uint64 (file, "machine", "memory", spec->memory_mib);
  set_optional (file, "machine", "os", spec->os_id);
  if (spec->kernel != NULL)
    {
      g_key_file_set_string (file, "boot", "kernel", spec->kernel);
      set_optional (file, "boot", "initrd", spec->initrd);
      set_optional (file, "boot", "cmdline", spec->cmdline);
    }
  for (guint i = 0; i < spec->disks->len; i++)
    write_disk (file, i, g_ptr_array_index (spec->disks, i));
  for (guint i = 0; i < spec->nics->len; i++)
    {
      const HangarNicSpec *nic = g_ptr_array_index (spec->nics, i);
      if (nic->mode != HANGAR_NETWORK_NONE)
        write_nic (file, n_nics++, nic);
    }
  g_key_file_set_boolean (file, "display", "spice", spec->graphics);
  return g_key_file_to_data (file, NULL, NULL);
}

static gboolean
read_disks (GKeyFile *file, HangarMachineSpec *spec, GError **error)
{
  for (guint i = 0;; i++)
    {
      g_autofree char *group = g_strdup_printf ("disk%u", i);
      g_autofree char *path = NULL;

      if (!g_key_file_has_group (file, group))
        return TRUE;
      path = g_key_file_get_string (file, group, "path", error);
      if (path == NULL)
        return FALSE;
      hangar_machine_spec_add_disk (spec, path, 0,
                                    g_key_file_get_boolean (file, group, "readonly", NULL),
                                    g_key_file_get_boolean (file, group, "cdrom", NULL));
    }
}

static gboolean
read_nics (GKeyFile *file, HangarMachineSpec *spec, GError **error)
{
  for (guint i = 0;; i++)
    {
      g_autofree char *group = g_strdup_printf ("nic%u", i);
      g_autofree char *mode_name = NULL;
      g_autofree char *network = NULL;
      g_autofree char *mac = NULL;
      HangarNetworkMode mode;

      if (!g_key_file_has_group (file, group))
        return TRUE;
      mode_name = g_key_file_get_string (file, group, "mode", NULL);
      if (!hangar_network_mode_from_string (mode_name, &mode))
        {
          g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                       _ ("machine.conf: [%s] has no network mode Hangar knows: write nat, "
                          "bridge, isolated or user."),
                       group);
          return FALSE;
        }
      network = g_key_file_get_string (file, group, "network", NULL);
      mac = g_key_file_get_string (file, group, "mac", NULL);
      hangar_machine_spec_add_nic (spec, mode, network, mac);
    }
}

HangarMachineSpec *
hangar_machine_conf_to_spec (const char *text, GError **error)
{
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autoptr (HangarMachineSpec) spec = hangar_machine_spec_new ();

  g_return_val_if_fail (text != NULL, NULL);

  if (!g_key_file_load_from_data (file, text, -1, G_KEY_FILE_NONE, error))
    return NULL;
  spec->name = g_key_file_get_string (file, "machine", "name", error);
  if (spec->name == NULL)
    return NULL;
  spec->cpus = g_key_file_get_uint64 (file, "machine", "cpus", NULL);
  spec->memory_mib = g_key_file_get_uint64 (file, "machine", "memory", NULL);
  spec->os_id = g_key_file_get_string (file, "machine", "os", NULL);
  spec->kernel = g_key_file_get_string (file, "boot", "kernel", NULL);
  spec->initrd = g_key_file_get_string (file, "boot", "initrd", NULL);
  spec->cmdline = g_key_file_get_string (file, "boot", "cmdline", NULL);
  if (g_key_file_has_key (file, "display", "spice", NULL))
    spec->graphics = g_key_file_get_boolean (file, "display", "spice", NULL);
  if (!read_disks (file, spec, error) || !read_nics (file, spec, error))
    return NULL;
  return g_steal_pointer (&spec);
}

gboolean
hangar_machine_conf_save (const HangarMachineSpec *spec, const char *path, GError **error)
{
  g_autofree char *text = hangar_machine_conf_from_spec (spec);

  g_return_val_if_fail (path != NULL, FALSE);

  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}
