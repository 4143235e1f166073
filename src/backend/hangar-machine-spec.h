/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What a virtual machine is made of, in the terms users choose it in: the
 * new-machine wizard and the settings page fill one of these, it is checked in
 * one place, and each back end turns it into its own form (machine.conf, or
 * libvirt domain XML).
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  HANGAR_NETWORK_NONE,
  HANGAR_NETWORK_NAT,
  HANGAR_NETWORK_BRIDGE,
  HANGAR_NETWORK_ISOLATED,
  HANGAR_NETWORK_USER,
} HangarNetworkMode;

typedef struct
{
  char *path;         /* image file or block device */
  guint64 size_bytes; /* 0: unknown or the existing file's */
  gboolean readonly;
  gboolean cdrom;
  gboolean create; /* a new sparse image of size_bytes, made when the machine is */
} HangarDiskSpec;

typedef struct
{
  HangarNetworkMode mode;
  char *source; /* network name (nat, isolated) or host bridge (bridge) */
  char *mac;    /* NULL: the back end assigns one */
} HangarNicSpec;

#define HANGAR_TYPE_MACHINE_SPEC (hangar_machine_spec_get_type ())

typedef struct
{
  char *name;
  char *os_id;   /* libosinfo short id or URI, may be NULL */
  char *os_name; /* for people, may be NULL */
  guint cpus;
  guint64 memory_mib;

  /* Direct kernel boot; all NULL when the machine boots from its disks. */
  char *kernel;
  char *initrd;
  char *cmdline;

  GPtrArray *disks; /* of HangarDiskSpec */
  GPtrArray *nics;  /* of HangarNicSpec */

  gboolean graphics;
  gboolean autostart;
} HangarMachineSpec;

GType hangar_machine_spec_get_type (void) G_GNUC_CONST;
HangarMachineSpec *hangar_machine_spec_new (void);
HangarMachineSpec *hangar_machine_spec_copy (const HangarMachineSpec *spec);
void hangar_machine_spec_free (HangarMachineSpec *spec);

void hangar_machine_spec_add_disk (HangarMachineSpec *spec, const char *path, guint64 size_bytes,
                                   gboolean readonly, gboolean cdrom);
/* A new, empty image of SIZE_BYTES at PATH, created with the machine. */
void hangar_machine_spec_add_new_disk (HangarMachineSpec *spec, const char *path,
                                       guint64 size_bytes);
void hangar_machine_spec_add_nic (HangarMachineSpec *spec, HangarNetworkMode mode,
                                  const char *source, const char *mac);

const char *hangar_network_mode_to_string (HangarNetworkMode mode);
gboolean hangar_network_mode_from_string (const char *text, HangarNetworkMode *mode);
const char *hangar_network_mode_describe (HangarNetworkMode mode);

gboolean hangar_machine_name_is_valid (const char *name, GError **error);

/* What a spec is checked against; zeros and NULLs mean "not known": that
 * check is left out. */
typedef struct
{
  guint host_cpus;
  guint64 host_memory_mib;
  const char *const *taken_names; /* the machines that exist already */
  guint64 free_bytes;             /* free space where new disks are created */
  gboolean local_files;           /* disks, kernel and initrd are files on this computer */
  const char *const *bridges;     /* the host's network bridges */
} HangarSpecLimits;

/* The one place that checks a spec: name, processors and memory against what
 * the host has (0: no limit known), disks and network cards. */
gboolean hangar_machine_spec_validate (const HangarMachineSpec *spec, guint host_cpus,
                                       guint64 host_memory_mib, GError **error);
/* The same checks, and those LIMITS make possible: a name in use, disks larger
 * than the free space, missing or unreadable files, a bridge the host lacks. */
gboolean hangar_machine_spec_validate_full (const HangarMachineSpec *spec,
                                            const HangarSpecLimits *limits, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HangarMachineSpec, hangar_machine_spec_free)

G_END_DECLS
