/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "hangar-module.h"
#include "hangar-os-detect.h"

G_DEFINE_BOXED_TYPE (HangarOsInfo, hangar_os_info, hangar_os_info_copy, hangar_os_info_free)

HangarOsInfo *
hangar_os_info_copy (const HangarOsInfo *info)
{
  HangarOsInfo *copy = g_new0 (HangarOsInfo, 1);

  *copy = *info;
  copy->id = g_strdup (info->id);
  copy->short_id = g_strdup (info->short_id);
  copy->name = g_strdup (info->name);
  copy->version = g_strdup (info->version);
  copy->vendor = g_strdup (info->vendor);
  copy->logo = g_strdup (info->logo);
  return copy;
}

void
hangar_os_info_free (HangarOsInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->id);
  g_free (info->short_id);
  g_free (info->name);
  g_free (info->version);
  g_free (info->vendor);
  g_free (info->logo);
  g_free (info);
}

void
hangar_install_inspection_free (HangarInstallInspection *inspection)
{
  if (inspection == NULL)
    return;
  g_free (inspection->location);
  hangar_os_info_free (inspection->os);
  g_free (inspection->volume_id);
  hangar_install_kernel_free (inspection->kernel);
  g_free (inspection->kernel_error);
  g_free (inspection);
}

/* What reads libosinfo's database is the hangar-osinfo module
 * (hangar-osinfo.c): libosinfo brings twenty libraries that the window does
 * not need. Its functions complete GTasks, which the finish functions here
 * take. */
typedef void (*ListAsync) (GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data);
typedef void (*InspectAsync) (const char *location, HangarInstallKind kind,
                              GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data);

void
hangar_install_inspect_async (const char *location, HangarInstallKind kind,
                              GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data)
{
  GError *error = NULL;
  InspectAsync inspect_async =
      hangar_module_symbol (HANGAR_MODULE_OSINFO, "hangar_osinfo_inspect_async", &error);

  if (inspect_async == NULL)
    g_task_report_error (NULL, callback, user_data, hangar_install_inspect_async, error);
  else
    inspect_async (location, kind, cancellable, callback, user_data);
}

HangarInstallInspection *
hangar_install_inspect_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
hangar_os_list_async (GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GError *error = NULL;
  ListAsync list_async =
      hangar_module_symbol (HANGAR_MODULE_OSINFO, "hangar_osinfo_list_async", &error);

  if (list_async == NULL)
    g_task_report_error (NULL, callback, user_data, hangar_os_list_async, error);
  else
    list_async (cancellable, callback, user_data);
}

GPtrArray *
hangar_os_list_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
