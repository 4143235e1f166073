/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "hangar-machine-spec.h"

G_DEFINE_BOXED_TYPE (HangarMachineSpec, hangar_machine_spec, hangar_machine_spec_copy,
                     hangar_machine_spec_free)

static void
disk_spec_free (gpointer data)
{
  HangarDiskSpec *disk = data;

  g_free (disk->path);
  g_free (disk);
}

static void
nic_spec_free (gpointer data)
{
  HangarNicSpec *nic = data;

  g_free (nic->source);
  g_free (nic->mac);
  g_free (nic);
}

HangarMachineSpec *
hangar_machine_spec_new (void)
{
  HangarMachineSpec *spec = g_new0 (HangarMachineSpec, 1);

  spec->cpus = 1;
  spec->memory_mib = 1024;
  spec->graphics = TRUE;
  spec->disks = g_ptr_array_new_with_free_func (disk_spec_free);
  spec->nics = g_ptr_array_new_with_free_func (nic_spec_free);
  return spec;
}

HangarMachineSpec *
hangar_machine_spec_copy (const HangarMachineSpec *spec)
{
  HangarMachineSpec *copy;

  g_return_val_if_fail (spec != NULL, NULL);

  copy = hangar_machine_spec_new ();
  copy->name = g_strdup (spec->name);
  copy->os_id = g_strdup (spec->os_id);
  copy->os_name = g_strdup (spec->os_name);
  copy->cpus = spec->cpus;
  copy->memory_mib = spec->memory_mib;
  copy->kernel = g_strdup (spec->kernel);
  copy->initrd = g_strdup (spec->initrd);
  copy->cmdline = g_strdup (spec->cmdline);
  copy->graphics = spec->graphics;
  copy->autostart = spec->autostart;

  for (guint i = 0; i < spec->disks->len; i++)
    {
      const HangarDiskSpec *disk = g_ptr_array_index (spec->disks, i);
      hangar_machine_spec_add_disk (copy, disk->path, disk->size_bytes, disk->readonly,
                                    disk->cdrom);
      ((HangarDiskSpec *) g_ptr_array_index (copy->disks, i))->create = disk->create;
    }
  for (guint i = 0; i < spec->nics->len; i++)
    {
      const HangarNicSpec *nic = g_ptr_array_index (spec->nics, i);
      hangar_machine_spec_add_nic (copy, nic->mode, nic->source, nic->mac);
    }
  return copy;
}

void
hangar_machine_spec_free (HangarMachineSpec *spec)
{
  if (spec == NULL)
    return;

  g_free (spec->name);
  g_free (spec->os_id);
  g_free (spec->os_name);
  g_free (spec->kernel);
  g_free (spec->initrd);
  g_free (spec->cmdline);
  g_ptr_array_unref (spec->disks);
  g_ptr_array_unref (spec->nics);
  g_free (spec);
}

void
hangar_machine_spec_add_disk (HangarMachineSpec *spec, const char *path, guint64 size_bytes,
                              gboolean readonly, gboolean cdrom)
{
  HangarDiskSpec *disk = g_new0 (HangarDiskSpec, 1);

  disk->path = g_strdup (path);
  disk->size_bytes = size_bytes;
  disk->readonly = readonly;
  disk->cdrom = cdrom;
  g_ptr_array_add (spec->disks, disk);
}

void
hangar_machine_spec_add_new_disk (HangarMachineSpec *spec, const char *path, guint64 size_bytes)
{
  hangar_machine_spec_add_disk (spec, path, size_bytes, FALSE, FALSE);
  ((HangarDiskSpec *) g_ptr_array_index (spec->disks, spec->disks->len - 1))->create = TRUE;
}

void
hangar_machine_spec_add_nic (HangarMachineSpec *spec, HangarNetworkMode mode, const char *source,
                             const char *mac)
{
  HangarNicSpec *nic = g_new0 (HangarNicSpec, 1);

  nic->mode = mode;
  nic->source = g_strdup (source);
  nic->mac = g_strdup (mac);
  g_ptr_array_add (spec->nics, nic);
}

static const char *const network_mode_names[] = {
  [HANGAR_NETWORK_NONE] = "none",     [HANGAR_NETWORK_NAT] = "nat",
  [HANGAR_NETWORK_BRIDGE] = "bridge", [HANGAR_NETWORK_ISOLATED] = "isolated",
  [HANGAR_NETWORK_USER] = "user",
};

const char *
hangar_network_mode_to_string (HangarNetworkMode mode)
{
  g_return_val_if_fail (mode < G_N_ELEMENTS (network_mode_names), NULL);

  return network_mode_names[mode];
}

gboolean
hangar_network_mode_from_string (const char *text, HangarNetworkMode *mode)
{
  for (guint i = 0; i < G_N_ELEMENTS (network_mode_names); i++)
    {
      if (g_strcmp0 (text, network_mode_names[i]) == 0)
        {
          *mode = i;
          return TRUE;
        }
    }
  return FALSE;
}

/* One line each, as the course material that Hangar's users learn from
 * explains the modes. */
const char *
hangar_network_mode_describe (HangarNetworkMode mode)
{
  switch (mode)
    {
      case HANGAR_NETWORK_NONE:
        return _ ("No network");
      case HANGAR_NETWORK_NAT:
        return _ ("NAT: behind a virtual router, on a small private network of its own");
      case HANGAR_NETWORK_BRIDGE:
        return _ ("Bridge: on the host’s own network, like another computer there");
      case HANGAR_NETWORK_ISOLATED:
        return _ ("Isolated: a lab network joining guests, without a way out");
      case HANGAR_NETWORK_USER:
        return _ ("User: a private NAT for this guest alone");
      default:
        g_return_val_if_reached (NULL);
    }
}

/* Names become directory and file names and libvirt domain names: keep them
 * to letters, digits and a few separators, not starting with one. */
gboolean
hangar_machine_name_is_valid (const char *name, GError **error)
{
  if (name == NULL || *name == '\0')
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _ ("The machine needs a name."));
      return FALSE;
    }
  if (strlen (name) > 64)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("The name “%s” is too long: use at most 64 characters."), name);
      return FALSE;
    }
  if (!g_ascii_isalnum (name[0]))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("The name “%s” must start with a letter or a digit."), name);
      return FALSE;
    }
  for (const char *p = name; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _ ("The name “%s” may only hold letters, digits, “-”, “_” and “.”."), name);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
mac_is_valid (const char *mac)
{
  for (guint i = 0; i < 17; i++)
    {
      gboolean separator = i % 3 == 2;

      if (mac[i] == '\0' || (separator ? mac[i] != ':' : !g_ascii_isxdigit (mac[i])))
        return FALSE;
    }
  return mac[17] == '\0';
}

static gboolean
validate_nic (const HangarNicSpec *nic, GError **error)
{
  if ((nic->mode == HANGAR_NETWORK_BRIDGE || nic->mode == HANGAR_NETWORK_ISOLATED) &&
      (nic->source == NULL || *nic->source == '\0'))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   nic->mode == HANGAR_NETWORK_BRIDGE
                       ? _ ("Choose the host bridge that the network card joins.")
                       : _ ("Choose the lab network that the network card joins."));
      return FALSE;
    }
  if (nic->mac != NULL && !mac_is_valid (nic->mac))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("“%s” is not a MAC address: write six pairs of hexadecimal digits, "
                      "as in 52:54:00:12:34:56."),
                   nic->mac);
      return FALSE;
    }
  return TRUE;
}

static char *
format_size (guint64 bytes)
{
  return g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);
}

static gboolean
validate_resources (const HangarMachineSpec *spec, const HangarSpecLimits *limits, GError **error)
{
  guint host_cpus = limits->host_cpus;

  if (spec->cpus < 1 || (host_cpus > 0 && spec->cpus > host_cpus))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("A machine can have from 1 to %u processors here: the host has %u."),
                   host_cpus, host_cpus);
      return FALSE;
    }
  if (spec->memory_mib < 64)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("Give the machine at least 64 MiB of memory."));
      return FALSE;
    }
  if (limits->host_memory_mib > 0 && spec->memory_mib > limits->host_memory_mib)
    {
      g_autofree char *wanted = g_strdup_printf ("%" G_GUINT64_FORMAT " MiB", spec->memory_mib);
      g_autofree char *host =
          g_strdup_printf ("%" G_GUINT64_FORMAT " MiB", limits->host_memory_mib);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("The machine cannot have more memory (%s) than the host has (%s)."), wanted,
                   host);
      return FALSE;
    }
  return TRUE;
}

static gboolean
validate_name (const HangarMachineSpec *spec, const HangarSpecLimits *limits, GError **error)
{
  if (!hangar_machine_name_is_valid (spec->name, error))
    return FALSE;
  if (limits->taken_names != NULL && g_strv_contains (limits->taken_names, spec->name))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _ ("A machine named “%s” exists already: choose another name."), spec->name);
      return FALSE;
    }
  return TRUE;
}

typedef enum
{
  FILE_DISK,
  FILE_DISC,
  FILE_KERNEL,
  FILE_INITRD,
} FileKind;

static void
set_missing_error (FileKind kind, const char *path, GError **error)
{
  switch (kind)
    {
      case FILE_DISK:
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     _ ("The disk %s does not exist: check the path, or choose it again."), path);
        break;
      case FILE_DISC:
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     _ ("The disc image %s does not exist: check the path, or choose it again."),
                     path);
        break;
      case FILE_KERNEL:
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     _ ("The kernel %s does not exist: check the path, or choose it again."), path);
        break;
      case FILE_INITRD:
      default:
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                     _ ("The initrd %s does not exist: check the path, or choose it again."), path);
        break;
    }
}

/* A file the machine reads must be there, and readable by the user. */
static gboolean
check_readable (const char *path, FileKind kind, GError **error)
{
  if (g_access (path, F_OK) != 0)
    {
      set_missing_error (kind, path, error);
      return FALSE;
    }
  if (g_access (path, R_OK) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                   _ ("You may not read %s. Ask its owner, or change its permissions (chmod), "
                      "then try again."),
                   path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
validate_new_disk (const HangarDiskSpec *disk, const HangarSpecLimits *limits, GError **error)
{
  if (disk->size_bytes == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("Give the new disk a size of at least 1 GiB."));
      return FALSE;
    }
  if (limits->local_files && g_file_test (disk->path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _ ("A file %s exists already: Hangar will not overwrite it. Choose another "
                      "name for the machine, or use that file as an existing disk."),
                   disk->path);
      return FALSE;
    }
  return TRUE;
}

static gboolean
validate_disks (const HangarMachineSpec *spec, const HangarSpecLimits *limits, GError **error)
{
  guint64 new_bytes = 0;

  for (guint i = 0; i < spec->disks->len; i++)
    {
      const HangarDiskSpec *disk = g_ptr_array_index (spec->disks, i);

      if (disk->path == NULL || *disk->path == '\0')
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _ ("Every disk needs a file or a device."));
          return FALSE;
        }
      if (disk->create)
        {
          if (!validate_new_disk (disk, limits, error))
            return FALSE;
          new_bytes += disk->size_bytes;
        }
      else if (limits->local_files &&
               !check_readable (disk->path, disk->cdrom ? FILE_DISC : FILE_DISK, error))
        return FALSE;
    }
  if (limits->free_bytes > 0 && new_bytes > limits->free_bytes)
    {
      g_autofree char *wanted = format_size (new_bytes);
      g_autofree char *free_space = format_size (limits->free_bytes);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   _ ("The new disk (%s) is larger than the free space where it is created "
                      "(%s): make it smaller, or free some space."),
                   wanted, free_space);
      return FALSE;
    }
  return TRUE;
}

static gboolean
validate_boot (const HangarMachineSpec *spec, const HangarSpecLimits *limits, GError **error)
{
  if (spec->kernel == NULL && (spec->initrd != NULL || spec->cmdline != NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("An initrd or a kernel command line needs a kernel: choose the kernel "
                      "too."));
      return FALSE;
    }
  if (!limits->local_files)
    return TRUE;
  if (spec->kernel != NULL && !check_readable (spec->kernel, FILE_KERNEL, error))
    return FALSE;
  if (spec->initrd != NULL && !check_readable (spec->initrd, FILE_INITRD, error))
    return FALSE;
  return TRUE;
}

static gboolean
validate_nics (const HangarMachineSpec *spec, const HangarSpecLimits *limits, GError **error)
{
  for (guint i = 0; i < spec->nics->len; i++)
    {
      const HangarNicSpec *nic = g_ptr_array_index (spec->nics, i);

      if (!validate_nic (nic, error))
        return FALSE;
      if (nic->mode == HANGAR_NETWORK_BRIDGE && limits->bridges != NULL &&
          !g_strv_contains (limits->bridges, nic->source))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       _ ("The host has no bridge named “%s”. Create it first (with "
                          "NetworkManager or /etc/network/interfaces), or choose NAT."),
                       nic->source);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
hangar_machine_spec_validate_full (const HangarMachineSpec *spec, const HangarSpecLimits *limits,
                                   GError **error)
{
  g_return_val_if_fail (spec != NULL, FALSE);
  g_return_val_if_fail (limits != NULL, FALSE);

  return validate_name (spec, limits, error) && validate_resources (spec, limits, error) &&
         validate_boot (spec, limits, error) && validate_disks (spec, limits, error) &&
         validate_nics (spec, limits, error);
}

gboolean
hangar_machine_spec_validate (const HangarMachineSpec *spec, guint host_cpus,
                              guint64 host_memory_mib, GError **error)
{
  HangarSpecLimits limits = { .host_cpus = host_cpus, .host_memory_mib = host_memory_mib };

  return hangar_machine_spec_validate_full (spec, &limits, error);
}
