/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(HV_INSIDE) && !defined(HV_COMPILATION)
#error "Only <hv/hv.h> can be included directly."
#endif

#include <glib-object.h>

G_BEGIN_DECLS

/* How a network card reaches the outside (machine-conf.md, [nicN] mode). */
typedef enum
{
  HV_NIC_MODE_NONE,
  HV_NIC_MODE_NAT,
  HV_NIC_MODE_ISOLATED,
  HV_NIC_MODE_USER,
  HV_NIC_MODE_BRIDGE,
} HvNicMode;

typedef enum
{
  HV_DISPLAY_NONE,
  HV_DISPLAY_SPICE,
} HvDisplayType;

typedef struct
{
  char *path; /* absolute once loaded or created; NULL in a new config: diskN.img */
  gboolean readonly;
  gboolean cdrom;
  char *serial;       /* NULL: none */
  guint64 size_bytes; /* only for hv_store_create_machine (): make a new image this big */
} HvDiskConfig;

typedef struct
{
  HvNicMode mode;
  char *network; /* nat, isolated: a network's name (NULL for nat: the default one);
                    bridge: the host bridge */
  char *mac;     /* NULL in a new config: the store assigns one */
} HvNicConfig;

#define HV_TYPE_MACHINE_CONFIG (hv_machine_config_get_type ())

/* One machine as its machine.conf describes it (hv-core/docs/machine-conf.md).
 * Strings and arrays are owned by the struct. */
typedef struct
{
  char *name;
  char *uuid; /* NULL in a new config: the store assigns one, kept for ever */
  guint cpus;
  guint64 memory_mib;
  char *os_id;
  char *os_name;
  gboolean autostart;

  char *kernel;
  char *initrd;
  char *cmdline;

  GPtrArray *disks; /* of HvDiskConfig */
  GPtrArray *nics;  /* of HvNicConfig */
  HvDisplayType display;

  /* The file as it was read: keys Hangar does not know are written back. */
  GKeyFile *key_file;
} HvMachineConfig;

GType hv_machine_config_get_type (void) G_GNUC_CONST;

HvMachineConfig *hv_machine_config_new (const char *name);
HvMachineConfig *hv_machine_config_copy (const HvMachineConfig *config);
void hv_machine_config_free (HvMachineConfig *config);

HvDiskConfig *hv_machine_config_add_disk (HvMachineConfig *config, const char *path,
                                          guint64 size_bytes, gboolean readonly);
HvNicConfig *hv_machine_config_add_nic (HvMachineConfig *config, HvNicMode mode,
                                        const char *network);

const char *hv_nic_mode_to_string (HvNicMode mode);
gboolean hv_nic_mode_from_string (const char *text, HvNicMode *mode);

/* Checks what a machine.conf cannot hold: the name, cpus, memory, MACs... */
gboolean hv_machine_config_validate (const HvMachineConfig *config, GError **error);

/* Reads machine.conf text. DIRECTORY (the machine's) resolves relative disk
 * paths; FILENAME names the file in errors, which give its line. */
HvMachineConfig *hv_machine_config_load_data (const char *data, const char *filename,
                                              const char *directory, GError **error);
HvMachineConfig *hv_machine_config_load_file (const char *filename, GError **error);
/* The machine.conf text; disk paths inside DIRECTORY are written relative. */
char *hv_machine_config_to_data (const HvMachineConfig *config, const char *directory);
/* Writes FILENAME atomically (a temporary file renamed over it), mode 0600. */
gboolean hv_machine_config_save_file (const HvMachineConfig *config, const char *filename,
                                      GError **error);

/* "52:54:00:xx:xx:xx" with a random tail: locally administered, unicast. */
char *hv_mac_generate (void);
gboolean hv_mac_is_valid (const char *mac);

void hv_disk_config_free (HvDiskConfig *disk);
void hv_nic_config_free (HvNicConfig *nic);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HvMachineConfig, hv_machine_config_free)

G_END_DECLS
