/* SPDX-License-Identifier: GPL-3.0-or-later */
/* machine.conf: the format is hv-core/docs/machine-conf.md. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "hv-error.h"
#include "hv-keyfile-private.h"
#include "hv-launch-options.h"
#include "hv-machine-config.h"
#include "hv-size.h"

/* KVM's usual limit; hv-vmm checks the host's own when it starts. */
#define HV_MAX_CPUS    255
#define HV_MIN_MEMORY  16
#define HV_MAX_DEVICES 32

G_DEFINE_BOXED_TYPE (HvMachineConfig, hv_machine_config, hv_machine_config_copy,
                     hv_machine_config_free)

static const char *const nic_modes[] = {
  [HV_NIC_MODE_NONE] = "none", [HV_NIC_MODE_NAT] = "nat",       [HV_NIC_MODE_ISOLATED] = "isolated",
  [HV_NIC_MODE_USER] = "user", [HV_NIC_MODE_BRIDGE] = "bridge",
};

const char *
hv_nic_mode_to_string (HvNicMode mode)
{
  g_return_val_if_fail (mode < G_N_ELEMENTS (nic_modes), NULL);
  return nic_modes[mode];
}

gboolean
hv_nic_mode_from_string (const char *text, HvNicMode *mode)
{
  for (guint i = 0; i < G_N_ELEMENTS (nic_modes); i++)
    if (g_strcmp0 (text, nic_modes[i]) == 0)
      {
        *mode = i;
        return TRUE;
      }
  return FALSE;
}

void
hv_disk_config_free (HvDiskConfig *disk)
{
  if (disk == NULL)
    return;
  g_free (disk->path);
  g_free (disk->serial);
  g_free (disk);
}

void
hv_nic_config_free (HvNicConfig *nic)
{
  if (nic == NULL)
    return;
  g_free (nic->network);
  g_free (nic->mac);
  g_free (nic);
}

HvMachineConfig *
hv_machine_config_new (const char *name)
{
  HvMachineConfig *config = g_new0 (HvMachineConfig, 1);

  config->name = g_strdup (name);
  config->cpus = 1;
  config->memory_mib = 512;
  config->disks = g_ptr_array_new_with_free_func ((GDestroyNotify) hv_disk_config_free);
  config->nics = g_ptr_array_new_with_free_func ((GDestroyNotify) hv_nic_config_free);
  return config;
}

HvDiskConfig *
hv_machine_config_add_disk (HvMachineConfig *config, const char *path, guint64 size_bytes,
                            gboolean readonly)
{
  HvDiskConfig *disk = g_new0 (HvDiskConfig, 1);

  g_return_val_if_fail (config != NULL, NULL);
  disk->path = g_strdup (path);
  disk->size_bytes = size_bytes;
  disk->readonly = readonly;
  g_ptr_array_add (config->disks, disk);
  return disk;
}

HvNicConfig *
hv_machine_config_add_nic (HvMachineConfig *config, HvNicMode mode, const char *network)
{
  HvNicConfig *nic = g_new0 (HvNicConfig, 1);

  g_return_val_if_fail (config != NULL, NULL);
  nic->mode = mode;
  nic->network = g_strdup (network);
  g_ptr_array_add (config->nics, nic);
  return nic;
}

HvMachineConfig *
hv_machine_config_copy (const HvMachineConfig *config)
{
  HvMachineConfig *copy = hv_machine_config_new (config->name);

  copy->uuid = g_strdup (config->uuid);
  copy->cpus = config->cpus;
  copy->memory_mib = config->memory_mib;
  copy->os_id = g_strdup (config->os_id);
  copy->os_name = g_strdup (config->os_name);
  copy->autostart = config->autostart;
  copy->kernel = g_strdup (config->kernel);
  copy->initrd = g_strdup (config->initrd);
  copy->cmdline = g_strdup (config->cmdline);
  copy->display = config->display;
  for (guint i = 0; i < config->disks->len; i++)
    {
      const HvDiskConfig *disk = g_ptr_array_index (config->disks, i);
      HvDiskConfig *new_disk =
          hv_machine_config_add_disk (copy, disk->path, disk->size_bytes, disk->readonly);

      new_disk->cdrom = disk->cdrom;
      new_disk->serial = g_strdup (disk->serial);
    }
  for (guint i = 0; i < config->nics->len; i++)
    {
      const HvNicConfig *nic = g_ptr_array_index (config->nics, i);

      hv_machine_config_add_nic (copy, nic->mode, nic->network)->mac = g_strdup (nic->mac);
    }
  if (config->key_file != NULL)
    copy->key_file = g_key_file_ref (config->key_file);
  return copy;
}

void
hv_machine_config_free (HvMachineConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->name);
  g_free (config->uuid);
  g_free (config->os_id);
  g_free (config->os_name);
  g_free (config->kernel);
  g_free (config->initrd);
  g_free (config->cmdline);
  g_ptr_array_unref (config->disks);
  g_ptr_array_unref (config->nics);
  g_clear_pointer (&config->key_file, g_key_file_unref);
  g_free (config);
}

/* ---- MAC addresses ---- */

char *
hv_mac_generate (void)
{
  guint32 tail = g_random_int ();

  /* 52:54:00 has the locally administered bit set and the group bit clear. */
  return g_strdup_printf ("52:54:00:%02x:%02x:%02x", (tail >> 16) & 0xff, (tail >> 8) & 0xff,
                          tail & 0xff);
}

gboolean
hv_mac_is_valid (const char *mac)
{
  if (mac == NULL || strlen (mac) != 17)
    return FALSE;
  for (guint i = 0; i < 17; i++)
    {
      gboolean separator = i % 3 == 2;

      if (separator ? mac[i] != ':' : !g_ascii_isxdigit (mac[i]))
        return FALSE;
    }
  /* A multicast address cannot be a card's own. */
  return (g_ascii_xdigit_value (mac[1]) & 1) == 0;
}

/* ---- Validation ---- */

static gboolean
validate_disk (const HvDiskConfig *disk, guint index, GError **error)
{
  if (disk->path == NULL && disk->size_bytes == 0)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("Disk %u has neither a file nor a size for a new image"), index);
      return FALSE;
    }
  if (disk->path != NULL && disk->path[0] == '\0')
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, _ ("Disk %u has an empty file name"),
                   index);
      return FALSE;
    }
  if (disk->cdrom && disk->size_bytes > 0)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("Disk %u is a CD-ROM: it needs an existing image, not a size"), index);
      return FALSE;
    }
  return TRUE;
}

static gboolean
validate_nic (const HvNicConfig *nic, guint index, GError **error)
{
  gboolean wants_network = nic->mode == HV_NIC_MODE_ISOLATED || nic->mode == HV_NIC_MODE_BRIDGE;
  gboolean takes_network = wants_network || nic->mode == HV_NIC_MODE_NAT;

  if (nic->mac != NULL && !hv_mac_is_valid (nic->mac))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("Network card %u: “%s” is not a unicast MAC address such as "
                      "52:54:00:12:34:56"),
                   index, nic->mac);
      return FALSE;
    }
  if (wants_network && nic->network == NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   nic->mode == HV_NIC_MODE_BRIDGE
                       ? _ ("Network card %u: bridge mode needs the name of a host bridge")
                       : _ ("Network card %u: isolated mode needs the name of a network"),
                   index);
      return FALSE;
    }
  if (!takes_network && nic->network != NULL)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("Network card %u: mode “%s” takes no network name"), index,
                   hv_nic_mode_to_string (nic->mode));
      return FALSE;
    }
  return nic->network == NULL || hv_name_is_valid (nic->network, error);
}

static gboolean
validate_macs_unique (const HvMachineConfig *config, GError **error)
{
  for (guint i = 0; i < config->nics->len; i++)
    for (guint j = 0; j < i; j++)
      {
        const HvNicConfig *a = g_ptr_array_index (config->nics, i);
        const HvNicConfig *b = g_ptr_array_index (config->nics, j);

        if (a->mac != NULL && b->mac != NULL && g_ascii_strcasecmp (a->mac, b->mac) == 0)
          {
            g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                         _ ("Network cards %u and %u have the same MAC address %s"), j, i, a->mac);
            return FALSE;
          }
      }
  return TRUE;
}

gboolean
hv_machine_config_validate (const HvMachineConfig *config, GError **error)
{
  g_return_val_if_fail (config != NULL, FALSE);

  if (!hv_name_is_valid (config->name, error))
    return FALSE;
  if (config->uuid != NULL && !g_uuid_string_is_valid (config->uuid))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, _ ("Invalid UUID “%s”"),
                   config->uuid);
      return FALSE;
    }
  if (config->cpus < 1 || config->cpus > HV_MAX_CPUS)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("Invalid number of CPUs %u: give 1 to %u"), config->cpus, HV_MAX_CPUS);
      return FALSE;
    }
  if (config->memory_mib < HV_MIN_MEMORY)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("Too little memory: give at least %u MiB"), HV_MIN_MEMORY);
      return FALSE;
    }
  if (config->disks->len > HV_MAX_DEVICES || config->nics->len > HV_MAX_DEVICES)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("Too many disks or network cards: at most %u of each"), HV_MAX_DEVICES);
      return FALSE;
    }
  for (guint i = 0; i < config->disks->len; i++)
    if (!validate_disk (g_ptr_array_index (config->disks, i), i, error))
      return FALSE;
  for (guint i = 0; i < config->nics->len; i++)
    if (!validate_nic (g_ptr_array_index (config->nics, i), i, error))
      return FALSE;
  return validate_macs_unique (config, error);
}

/* ---- Reading ---- */

static gboolean
read_machine_group (const HvKeyReader *reader, HvMachineConfig *config, GError **error)
{
  g_autofree char *memory = NULL;
  g_autoptr (GError) size_error = NULL;

  if (!_hv_key_reader_string (reader, "machine", "name", TRUE, &config->name, error) ||
      !_hv_key_reader_string (reader, "machine", "uuid", TRUE, &config->uuid, error) ||
      !_hv_key_reader_uint (reader, "machine", "cpus", 1, HV_MAX_CPUS, &config->cpus, error) ||
      !_hv_key_reader_string (reader, "machine", "memory", FALSE, &memory, error) ||
      !_hv_key_reader_string (reader, "machine", "os-id", FALSE, &config->os_id, error) ||
      !_hv_key_reader_string (reader, "machine", "os-name", FALSE, &config->os_name, error) ||
      !_hv_key_reader_boolean (reader, "machine", "autostart", &config->autostart, error))
    return FALSE;
  if (!hv_name_is_valid (config->name, &size_error))
    {
      _hv_key_reader_error (reader, "machine", "name", error, "%s", size_error->message);
      return FALSE;
    }
  if (!g_uuid_string_is_valid (config->uuid))
    {
      _hv_key_reader_error (reader, "machine", "uuid", error, _ ("“%s” is not a UUID"),
                            config->uuid);
      return FALSE;
    }
  if (memory != NULL && !hv_parse_size_mib (memory, &config->memory_mib, &size_error))
    {
      _hv_key_reader_error (reader, "machine", "memory", error, "%s", size_error->message);
      return FALSE;
    }
  return TRUE;
}

static char *
resolve_path (const char *path, const char *directory)
{
  if (path == NULL || g_path_is_absolute (path) || directory == NULL)
    return g_strdup (path);
  return g_build_filename (directory, path, NULL);
}

static gboolean
read_disk_group (const HvKeyReader *reader, const char *group, const char *directory,
                 HvMachineConfig *config, GError **error)
{
  HvDiskConfig *disk = hv_machine_config_add_disk (config, NULL, 0, FALSE);
  g_autofree char *path = NULL;

  if (!_hv_key_reader_string (reader, group, "path", TRUE, &path, error) ||
      !_hv_key_reader_boolean (reader, group, "readonly", &disk->readonly, error) ||
      !_hv_key_reader_boolean (reader, group, "cdrom", &disk->cdrom, error) ||
      !_hv_key_reader_string (reader, group, "serial", FALSE, &disk->serial, error))
    return FALSE;
  if (path[0] == '\0')
    {
      _hv_key_reader_error (reader, group, "path", error, _ ("the disk’s path is empty"));
      return FALSE;
    }
  disk->path = resolve_path (path, directory);
  return TRUE;
}

static gboolean
read_nic_group (const HvKeyReader *reader, const char *group, HvMachineConfig *config,
                GError **error)
{
  HvNicConfig *nic = hv_machine_config_add_nic (config, HV_NIC_MODE_NAT, NULL);
  g_autofree char *mode = NULL;
  g_autofree char *bridge = NULL;
  g_autoptr (GError) local_error = NULL;

  if (!_hv_key_reader_string (reader, group, "mode", TRUE, &mode, error) ||
      !_hv_key_reader_string (reader, group, "network", FALSE, &nic->network, error) ||
      !_hv_key_reader_string (reader, group, "bridge", FALSE, &bridge, error) ||
      !_hv_key_reader_string (reader, group, "mac", FALSE, &nic->mac, error))
    return FALSE;
  if (!hv_nic_mode_from_string (mode, &nic->mode))
    {
      _hv_key_reader_error (reader, group, "mode", error,
                            _ ("unknown network mode “%s”: use nat, isolated, user, bridge or "
                               "none"),
                            mode);
      return FALSE;
    }
  if (nic->mode == HV_NIC_MODE_BRIDGE && nic->network == NULL)
    nic->network = g_steal_pointer (&bridge);
  if (!validate_nic (nic, config->nics->len - 1, &local_error))
    {
      _hv_key_reader_error (reader, group, NULL, error, "%s", local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* Reads [PREFIX0], [PREFIX1]... and refuses a numbered group after a gap. */
static gboolean
read_numbered_groups (const HvKeyReader *reader, const char *prefix, const char *directory,
                      HvMachineConfig *config, GError **error)
{
  g_auto (GStrv) groups = g_key_file_get_groups (reader->key_file, NULL);
  guint count = 0;

  for (;; count++)
    {
      g_autofree char *group = g_strdup_printf ("%s%u", prefix, count);
      gboolean ok;

      if (!g_key_file_has_group (reader->key_file, group))
        break;
      ok = g_str_equal (prefix, "disk") ? read_disk_group (reader, group, directory, config, error)
                                        : read_nic_group (reader, group, config, error);
      if (!ok)
        return FALSE;
    }
  for (guint i = 0; groups[i] != NULL; i++)
    {
      const char *rest = g_str_has_prefix (groups[i], prefix) ? groups[i] + strlen (prefix) : "";
      guint64 index;

      if (g_ascii_string_to_unsigned (rest, 10, 0, G_MAXUINT, &index, NULL) && index >= count)
        {
          _hv_key_reader_error (reader, groups[i], NULL, error,
                                _ ("[%s] comes without [%s%u]: number the groups from 0"),
                                groups[i], prefix, count);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
read_display (const HvKeyReader *reader, HvMachineConfig *config, GError **error)
{
  g_autofree char *type = NULL;

  if (!_hv_key_reader_string (reader, "display", "type", FALSE, &type, error))
    return FALSE;
  if (type == NULL || g_str_equal (type, "none"))
    config->display = HV_DISPLAY_NONE;
  else if (g_str_equal (type, "spice"))
    config->display = HV_DISPLAY_SPICE;
  else
    {
      _hv_key_reader_error (reader, "display", "type", error,
                            _ ("unknown display type “%s”: use spice or none"), type);
      return FALSE;
    }
  return TRUE;
}

HvMachineConfig *
hv_machine_config_load_data (const char *data, const char *filename, const char *directory,
                             GError **error)
{
  g_autoptr (HvMachineConfig) config = hv_machine_config_new (NULL);
  g_auto (HvKeyReader) reader = { 0 };

  g_return_val_if_fail (data != NULL, NULL);
  g_return_val_if_fail (filename != NULL, NULL);

  if (!_hv_key_reader_init (&reader, data, filename, error) ||
      !read_machine_group (&reader, config, error) ||
      !_hv_key_reader_string (&reader, "boot", "kernel", FALSE, &config->kernel, error) ||
      !_hv_key_reader_string (&reader, "boot", "initrd", FALSE, &config->initrd, error) ||
      !_hv_key_reader_string (&reader, "boot", "cmdline", FALSE, &config->cmdline, error) ||
      !read_numbered_groups (&reader, "disk", directory, config, error) ||
      !read_numbered_groups (&reader, "nic", directory, config, error) ||
      !read_display (&reader, config, error))
    return NULL;
  config->key_file = g_key_file_ref (reader.key_file);
  return g_steal_pointer (&config);
}

HvMachineConfig *
hv_machine_config_load_file (const char *filename, GError **error)
{
  g_autofree char *data = NULL;
  g_autofree char *directory = NULL;

  g_return_val_if_fail (filename != NULL, NULL);

  data = _hv_read_file (filename, error);
  if (data == NULL)
    return NULL;
  directory = g_path_get_dirname (filename);
  return hv_machine_config_load_data (data, filename, directory, error);
}

/* ---- Writing ---- */

/* The groups Hangar owns whole; keys it does not know elsewhere are kept. */
static GKeyFile *
start_key_file (const HvMachineConfig *config)
{
  GKeyFile *key_file = g_key_file_new ();
  g_autofree char *old = NULL;
  g_auto (GStrv) groups = NULL;

  if (config->key_file == NULL)
    return key_file;
  old = g_key_file_to_data (config->key_file, NULL, NULL);
  g_key_file_load_from_data (key_file, old, -1, G_KEY_FILE_KEEP_COMMENTS, NULL);
  groups = g_key_file_get_groups (key_file, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    if (g_str_has_prefix (groups[i], "disk") || g_str_has_prefix (groups[i], "nic"))
      g_key_file_remove_group (key_file, groups[i], NULL);
  return key_file;
}

static void
set_or_remove (GKeyFile *key_file, const char *group, const char *key, const char *value)
{
  if (value != NULL)
    g_key_file_set_string (key_file, group, key, value);
  else
    g_key_file_remove_key (key_file, group, key, NULL);
}

static char *
relative_path (const char *path, const char *directory)
{
  g_autofree char *prefix = directory != NULL ? g_strconcat (directory, "/", NULL) : NULL;

  if (prefix != NULL && g_str_has_prefix (path, prefix) && path[strlen (prefix)] != '\0')
    return g_strdup (path + strlen (prefix));
  return g_strdup (path);
}

static void
write_disk (GKeyFile *key_file, const HvDiskConfig *disk, guint index, const char *directory)
{
  g_autofree char *group = g_strdup_printf ("disk%u", index);
  g_autofree char *path = relative_path (disk->path, directory);

  g_key_file_set_string (key_file, group, "path", path);
  g_key_file_set_boolean (key_file, group, "readonly", disk->readonly);
  g_key_file_set_boolean (key_file, group, "cdrom", disk->cdrom);
  set_or_remove (key_file, group, "serial", disk->serial);
}

static void
write_nic (GKeyFile *key_file, const HvNicConfig *nic, guint index)
{
  g_autofree char *group = g_strdup_printf ("nic%u", index);

  g_key_file_set_string (key_file, group, "mode", hv_nic_mode_to_string (nic->mode));
  set_or_remove (key_file, group, nic->mode == HV_NIC_MODE_BRIDGE ? "bridge" : "network",
                 nic->network);
  set_or_remove (key_file, group, "mac", nic->mac);
}

char *
hv_machine_config_to_data (const HvMachineConfig *config, const char *directory)
{
  g_autoptr (GKeyFile) key_file = start_key_file (config);
  g_autofree char *memory = hv_format_size_mib (config->memory_mib);

  g_return_val_if_fail (config != NULL, NULL);

  g_key_file_set_string (key_file, "machine", "name", config->name);
  set_or_remove (key_file, "machine", "uuid", config->uuid);
  g_key_file_set_integer (key_file, "machine", "cpus", config->cpus);
  g_key_file_set_string (key_file, "machine", "memory", memory);
  set_or_remove (key_file, "machine", "os-id", config->os_id);
  set_or_remove (key_file, "machine", "os-name", config->os_name);
  g_key_file_set_boolean (key_file, "machine", "autostart", config->autostart);
  set_or_remove (key_file, "boot", "kernel", config->kernel);
  set_or_remove (key_file, "boot", "initrd", config->initrd);
  set_or_remove (key_file, "boot", "cmdline", config->cmdline);
  for (guint i = 0; i < config->disks->len; i++)
    write_disk (key_file, g_ptr_array_index (config->disks, i), i, directory);
  for (guint i = 0; i < config->nics->len; i++)
    write_nic (key_file, g_ptr_array_index (config->nics, i), i);
  g_key_file_set_string (key_file, "display", "type",
                         config->display == HV_DISPLAY_SPICE ? "spice" : "none");
  return g_key_file_to_data (key_file, NULL, NULL);
}

gboolean
hv_machine_config_save_file (const HvMachineConfig *config, const char *filename, GError **error)
{
  g_autofree char *directory = g_path_get_dirname (filename);
  g_autofree char *data = NULL;

  g_return_val_if_fail (config != NULL, FALSE);
  g_return_val_if_fail (filename != NULL, FALSE);

  if (!hv_machine_config_validate (config, error))
    return FALSE;
  data = hv_machine_config_to_data (config, directory);
  return _hv_write_file (filename, data, error);
}
