/* SPDX-License-Identifier: GPL-3.0-or-later */
/* HangarMachineSpec, the wizard's terms, to and from hv-core's
 * HvMachineConfig, machine.conf's. */
#include "config.h"

#include "hangar-embedded-private.h"

static HangarNetworkMode
network_mode_from_hv (HvNicMode mode)
{
  switch (mode)
    {
      case HV_NIC_MODE_NAT:
        return HANGAR_NETWORK_NAT;
      case HV_NIC_MODE_ISOLATED:
        return HANGAR_NETWORK_ISOLATED;
      case HV_NIC_MODE_USER:
        return HANGAR_NETWORK_USER;
      case HV_NIC_MODE_BRIDGE:
        return HANGAR_NETWORK_BRIDGE;
      case HV_NIC_MODE_NONE:
      default:
        return HANGAR_NETWORK_NONE;
    }
}

static HvNicMode
network_mode_to_hv (HangarNetworkMode mode)
{
  switch (mode)
    {
      case HANGAR_NETWORK_NAT:
        return HV_NIC_MODE_NAT;
      case HANGAR_NETWORK_ISOLATED:
        return HV_NIC_MODE_ISOLATED;
      case HANGAR_NETWORK_USER:
        return HV_NIC_MODE_USER;
      case HANGAR_NETWORK_BRIDGE:
        return HV_NIC_MODE_BRIDGE;
      case HANGAR_NETWORK_NONE:
      default:
        return HV_NIC_MODE_NONE;
    }
}

HangarMachineSpec *
_hangar_embedded_spec_from_config (const HvMachineConfig *config)
{
  HangarMachineSpec *spec = hangar_machine_spec_new ();

  spec->name = g_strdup (config->name);
  spec->os_id = g_strdup (config->os_id);
  spec->os_name = g_strdup (config->os_name);
  spec->cpus = config->cpus;
  spec->memory_mib = config->memory_mib;
  spec->kernel = g_strdup (config->kernel);
  spec->initrd = g_strdup (config->initrd);
  spec->cmdline = g_strdup (config->cmdline);
  spec->graphics = config->display == HV_DISPLAY_SPICE;
  spec->autostart = config->autostart;
  for (guint i = 0; i < config->disks->len; i++)
    {
      const HvDiskConfig *disk = g_ptr_array_index (config->disks, i);
      hangar_machine_spec_add_disk (spec, disk->path, 0, disk->readonly, disk->cdrom);
    }
  for (guint i = 0; i < config->nics->len; i++)
    {
      const HvNicConfig *nic = g_ptr_array_index (config->nics, i);
      hangar_machine_spec_add_nic (spec, network_mode_from_hv (nic->mode), nic->network, nic->mac);
    }
  return spec;
}

/* A disk the spec names that is not there yet, with a size, is made new. */
static void
add_disk (HvMachineConfig *config, const HangarDiskSpec *disk)
{
  gboolean exists = g_path_is_absolute (disk->path) && g_file_test (disk->path, G_FILE_TEST_EXISTS);
  HvDiskConfig *new_disk = hv_machine_config_add_disk (
      config, disk->path, exists ? 0 : disk->size_bytes, disk->readonly || disk->cdrom);

  new_disk->cdrom = disk->cdrom;
}

/* The MAC BASE's card at INDEX had, when it is on the same kind of network. */
static const char *
kept_mac (const HvMachineConfig *base, guint index, HvNicMode mode)
{
  const HvNicConfig *old;

  if (base == NULL || index >= base->nics->len)
    return NULL;
  old = g_ptr_array_index (base->nics, index);
  return old->mode == mode ? old->mac : NULL;
}

HvMachineConfig *
_hangar_embedded_config_from_spec (const HangarMachineSpec *spec, const HvMachineConfig *base)
{
  HvMachineConfig *config = hv_machine_config_new (spec->name);

  if (base != NULL)
    {
      config->uuid = g_strdup (base->uuid);
      config->key_file = base->key_file != NULL ? g_key_file_ref (base->key_file) : NULL;
    }
  config->os_id = g_strdup (spec->os_id);
  config->os_name = g_strdup (spec->os_name);
  config->cpus = spec->cpus;
  config->memory_mib = spec->memory_mib;
  config->kernel = g_strdup (spec->kernel);
  config->initrd = g_strdup (spec->initrd);
  config->cmdline = g_strdup (spec->cmdline);
  config->autostart = spec->autostart;
  config->display = spec->graphics ? HV_DISPLAY_SPICE : HV_DISPLAY_NONE;
  for (guint i = 0; i < spec->disks->len; i++)
    add_disk (config, g_ptr_array_index (spec->disks, i));
  for (guint i = 0; i < spec->nics->len; i++)
    {
      const HangarNicSpec *nic = g_ptr_array_index (spec->nics, i);
      HvNicMode mode = network_mode_to_hv (nic->mode);
      const char *mac = nic->mac != NULL ? nic->mac : kept_mac (base, i, mode);

      /* "No network" is no card, as in the libvirt back end's domain XML. */
      if (nic->mode == HANGAR_NETWORK_NONE)
        continue;

      hv_machine_config_add_nic (config, mode, nic->source)->mac = g_strdup (mac);
    }
  return config;
}
