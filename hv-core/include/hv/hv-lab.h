/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(HV_INSIDE) && !defined(HV_COMPILATION)
#error "Only <hv/hv.h> can be included directly."
#endif

#include <gio/gio.h>

#include "hv-network-config.h"
#include "hv-store.h"

G_BEGIN_DECLS

/*
 * Labs (hv-core/docs/lab-conf.md): one template machine, COUNT member
 * machines cloned from it, named <prefix>01 ... <prefix>NN, and one network,
 * named after the lab, that joins them. A lab's definition is
 * <store directory>/labs/<name>.conf; its members and network are ordinary
 * machines and networks of the store.
 *
 * Like HvStore's, these calls block on file I/O and on hv-vmm: a program
 * with a main loop calls them from a thread.
 */

#define HV_LAB_MAX_MEMBERS 99

#define HV_TYPE_LAB_CONFIG (hv_lab_config_get_type ())

typedef struct
{
  char *name;
  char *template_name; /* a machine of the store */
  guint count;         /* 1 to HV_LAB_MAX_MEMBERS */
  char *prefix;        /* NULL in a new config: "<name>-pc" */
  HvNetworkMode network_mode;
  char *subnet; /* NULL in a new config: the store picks a free one */
} HvLabConfig;

GType hv_lab_config_get_type (void) G_GNUC_CONST;

HvLabConfig *hv_lab_config_new (const char *name, const char *template_name, guint count,
                                HvNetworkMode network_mode);
HvLabConfig *hv_lab_config_copy (const HvLabConfig *config);
void hv_lab_config_free (HvLabConfig *config);

/* Checks the name, count and prefix; fills in the prefix. */
gboolean hv_lab_config_validate (HvLabConfig *config, GError **error);
/* Member INDEX (from 0): "<prefix>01" for 0. */
char *hv_lab_config_member_name (const HvLabConfig *config, guint index);

/* FILENAME names the file in errors, which give its line. */
HvLabConfig *hv_lab_config_load_data (const char *data, const char *filename, GError **error);
HvLabConfig *hv_lab_config_load_file (const char *filename, GError **error);
char *hv_lab_config_to_data (const HvLabConfig *config);

/* FRACTION of the whole work done (0 to 1), and the member being made or
 * reset (NULL once done). Called in the calling thread. */
typedef void (*HvLabProgress) (double fraction, const char *member, gpointer user_data);

/* <store directory>/labs */
char *hv_lab_get_directory (HvStore *store);
/* The names of the defined labs, sorted. */
GStrv hv_lab_list (HvStore *store, GError **error);
HvLabConfig *hv_lab_load (HvStore *store, const char *name, GError **error);
/* The lab NAME is part of, if MACHINE is a member of one; else NULL. */
char *hv_lab_find_for_member (HvStore *store, const char *machine);

/* Makes the lab's network, its members (new UUIDs and MACs, their own
 * sparse copies of the template's writable disks, a card on the lab's
 * network, "systemd.hostname=<member>" on a directly booted kernel's
 * command line) and, last, its definition file; fills in CONFIG's prefix
 * and subnet. Refuses a name in use (lab, network or member). On failure
 * or cancellation, leaves nothing of it behind. */
gboolean hv_lab_create (HvStore *store, HvLabConfig *config, GCancellable *cancellable,
                        HvLabProgress progress, gpointer user_data, GError **error);
/* Gives every member fresh copies of the template's disks (each disk
 * replaced atomically). Refused while a member runs. Cancelled, it stops
 * and undoes nothing: the error (G_IO_ERROR_CANCELLED) says how many
 * members were reset. */
gboolean hv_lab_reset (HvStore *store, const char *name, GCancellable *cancellable,
                       HvLabProgress progress, gpointer user_data, GError **error);
/* Deletes the members, the network and the definition. WITH_DISKS: the
 * members' disk images too. Refused while a member runs. */
gboolean hv_lab_delete (HvStore *store, const char *name, gboolean with_disks, GError **error);

/* Starts every member that does not run (and the network). Goes on past a
 * member that fails; the error then names each one that did. */
gboolean hv_lab_start (HvStore *store, const char *name, GCancellable *cancellable, GError **error);
/* Presses every running member's power button (ACPI); does not wait. */
gboolean hv_lab_shutdown (HvStore *store, const char *name, GError **error);
/* Ends every running member at once. */
gboolean hv_lab_force_off (HvStore *store, const char *name, GError **error);

typedef struct
{
  guint64 memory_mib;      /* the members' memory, summed */
  guint cpus;              /* the members' vCPUs, summed */
  guint64 host_memory_mib; /* the host's memory */
  guint64 available_mib;   /* what the host can give now (MemAvailable), plus what
                              running members hold already */
  guint host_cpus;         /* the host's logical CPUs */
} HvLabResources;

/* What running the whole lab asks of this host. */
gboolean hv_lab_get_resources (HvStore *store, const char *name, HvLabResources *resources,
                               GError **error);
/* More memory than is available, or more vCPUs than the host has: the
 * guests then contend for the host's memory or CPUs. */
gboolean hv_lab_resources_memory_overcommitted (const HvLabResources *resources);
gboolean hv_lab_resources_cpus_overcommitted (const HvLabResources *resources);

/* Writes NAME's definition (template, count, prefix, network mode and
 * subnet) to FILENAME, for another workstation to import. */
gboolean hv_lab_export (HvStore *store, const char *name, const char *filename, GError **error);
/* Reads an exported definition and creates the lab from it (as
 * hv_lab_create), under NEW_NAME if not NULL. The template machine must
 * exist here under the same name. The file's subnet is kept when free
 * here; when another network overlaps it, a free one is picked. */
HvLabConfig *hv_lab_import (HvStore *store, const char *filename, const char *new_name,
                            GCancellable *cancellable, HvLabProgress progress, gpointer user_data,
                            GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HvLabConfig, hv_lab_config_free)

G_END_DECLS
