/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(HV_INSIDE) && !defined(HV_COMPILATION)
#error "Only <hv/hv.h> can be included directly."
#endif

#include <glib-object.h>

G_BEGIN_DECLS

#define HV_TYPE_LAUNCH_OPTIONS (hv_launch_options_get_type ())

/* How to start a guest: what hv_runtime_launch () passes to hv-vmm.
 * Strings are owned by the struct (g_free()d with it). */
typedef struct
{
  char *name;         /* NULL: "vm-" and the start of the UUID */
  char *kernel;       /* required: bzImage or ELF vmlinux with a PVH note */
  char *initrd;       /* NULL: none */
  char *cmdline;      /* NULL: empty */
  guint64 memory_mib; /* default 512 */
  guint cpus;         /* default 1 */
  gboolean no_reboot; /* a guest reset ends the guest */
  char *console_log;  /* NULL: none; hv-vmm appends the console output to it */
  char *vmm_log;      /* NULL: /dev/null; hv-vmm's stdout and stderr */
  char *display;      /* NULL: none; else hv-vmm's --display, such as "spice" */
  /* NULL or NULL-terminated: hv-vmm's --disk specs,
   * "path=FILE[,readonly=on][,serial=S]"; a relative FILE is taken from the
   * current directory. */
  char **disks;
  /* NULL or NULL-terminated: hv-vmm's --nic specs, "mac=MAC,backend=SPEC"
   * (hv-vmm.md). */
  char **nics;
} HvLaunchOptions;

GType hv_launch_options_get_type (void) G_GNUC_CONST;

HvLaunchOptions *hv_launch_options_new (void);
HvLaunchOptions *hv_launch_options_copy (const HvLaunchOptions *options);
void hv_launch_options_free (HvLaunchOptions *options);

/* Checks a guest name: 1 to 64 letters, digits, '.', '_' or '-', not
 * starting with '.' or '-'. */
gboolean hv_name_is_valid (const char *name, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HvLaunchOptions, hv_launch_options_free)

G_END_DECLS
