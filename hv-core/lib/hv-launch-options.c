/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "hv-error.h"
#include "hv-launch-options.h"

#define HV_NAME_MAX 64

G_DEFINE_BOXED_TYPE (HvLaunchOptions, hv_launch_options, hv_launch_options_copy,
                     hv_launch_options_free)

HvLaunchOptions *
hv_launch_options_new (void)
{
  HvLaunchOptions *options = g_new0 (HvLaunchOptions, 1);

  options->memory_mib = 512;
  options->cpus = 1;
  return options;
}

HvLaunchOptions *
hv_launch_options_copy (const HvLaunchOptions *options)
{
  HvLaunchOptions *copy = g_memdup2 (options, sizeof *options);

  copy->name = g_strdup (options->name);
  copy->kernel = g_strdup (options->kernel);
  copy->initrd = g_strdup (options->initrd);
  copy->cmdline = g_strdup (options->cmdline);
  copy->console_log = g_strdup (options->console_log);
  copy->vmm_log = g_strdup (options->vmm_log);
  copy->display = g_strdup (options->display);
  copy->disks = g_strdupv (options->disks);
  copy->nics = g_strdupv (options->nics);
  return copy;
}

void
hv_launch_options_free (HvLaunchOptions *options)
{
  if (options == NULL)
    return;
  g_free (options->name);
  g_free (options->kernel);
  g_free (options->initrd);
  g_free (options->cmdline);
  g_free (options->console_log);
  g_free (options->vmm_log);
  g_free (options->display);
  g_strfreev (options->disks);
  g_strfreev (options->nics);
  g_free (options);
}

/* Names end up in file names, command lines and tables: keep them plain. */
gboolean
hv_name_is_valid (const char *name, GError **error)
{
  gsize len = name != NULL ? strlen (name) : 0;

  if (len == 0 || len > HV_NAME_MAX || name[0] == '.' || name[0] == '-')
    goto invalid;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isalnum (name[i]) && strchr ("._-", name[i]) == NULL)
      goto invalid;
  return TRUE;

invalid:
  g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
               _ ("Invalid guest name “%s”: use 1 to %d letters, digits, “.”, “_” or “-”, "
                  "not starting with “.” or “-”"),
               name != NULL ? name : "", HV_NAME_MAX);
  return FALSE;
}
