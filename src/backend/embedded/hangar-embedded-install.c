/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>

#include "hangar-embedded-install.h"

typedef struct
{
  HangarIsoProgress progress;
  gpointer user_data;
} ProgressRelay;

static void
relay_file_progress (goffset done, goffset total, gpointer user_data)
{
  ProgressRelay *relay = user_data;

  if (relay->progress != NULL)
    relay->progress (done, total, relay->user_data);
}

/* A tree's file: used where it is when it is on this computer, else fetched. */
static char *
fetch_tree_file (const char *tree_uri, const char *path, const char *dest,
                 GCancellable *cancellable, ProgressRelay *relay, GError **error)
{
  g_autofree char *base =
      g_str_has_suffix (tree_uri, "/") ? g_strdup (tree_uri) : g_strconcat (tree_uri, "/", NULL);
  g_autofree char *uri = g_strconcat (base, path, NULL);
  g_autoptr (GFile) source = g_file_new_for_uri (uri);
  g_autoptr (GFile) target = NULL;

  if (g_file_is_native (source))
    return g_file_get_path (source);
  target = g_file_new_for_path (dest);
  if (!g_file_copy (source, target, G_FILE_COPY_OVERWRITE, cancellable, relay_file_progress, relay,
                    error))
    {
      g_prefix_error (error, _ ("Could not fetch %s: "), uri);
      return NULL;
    }
  return g_strdup (dest);
}

static gboolean
prepare_from_tree (HangarMachineSpec *spec, const HangarInstallInspection *inspection,
                   const char *boot_dir, GCancellable *cancellable, ProgressRelay *relay,
                   GError **error)
{
  g_autofree char *tree_uri = NULL;
  g_autofree char *kernel_dest = g_build_filename (boot_dir, "vmlinuz", NULL);
  g_autofree char *initrd_dest = g_build_filename (boot_dir, "initrd", NULL);
  g_autofree char *scheme = g_uri_parse_scheme (inspection->location);

  tree_uri = scheme != NULL ? g_strdup (inspection->location)
                            : g_filename_to_uri (inspection->location, NULL, error);
  if (tree_uri == NULL)
    return FALSE;
  if (g_mkdir_with_parents (boot_dir, 0755) < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Could not create the folder %s: %s"), boot_dir, g_strerror (saved));
      return FALSE;
    }
  spec->kernel = fetch_tree_file (tree_uri, inspection->kernel->kernel, kernel_dest, cancellable,
                                  relay, error);
  if (spec->kernel == NULL)
    return FALSE;
  if (inspection->kernel->initrd != NULL)
    {
      spec->initrd = fetch_tree_file (tree_uri, inspection->kernel->initrd, initrd_dest,
                                      cancellable, relay, error);
      if (spec->initrd == NULL)
        return FALSE;
    }
  return TRUE;
}

static gboolean
has_disk (const HangarMachineSpec *spec, const char *path)
{
  for (guint i = 0; i < spec->disks->len; i++)
    {
      if (g_strcmp0 (((HangarDiskSpec *) g_ptr_array_index (spec->disks, i))->path, path) == 0)
        return TRUE;
    }
  return FALSE;
}

gboolean
hangar_embedded_install_prepare (HangarMachineSpec *spec, const HangarInstallInspection *inspection,
                                 const char *boot_dir, GCancellable *cancellable,
                                 HangarIsoProgress progress, gpointer user_data, GError **error)
{
  ProgressRelay relay = { progress, user_data };
  g_autoptr (HangarIsoImage) image = NULL;

  g_return_val_if_fail (spec != NULL && inspection != NULL && boot_dir != NULL, FALSE);

  if (inspection->kernel == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           inspection->kernel_error != NULL
                               ? inspection->kernel_error
                               : _ ("No Linux kernel was found for this installer."));
      return FALSE;
    }
  g_clear_pointer (&spec->kernel, g_free);
  g_clear_pointer (&spec->initrd, g_free);
  g_clear_pointer (&spec->cmdline, g_free);
  spec->cmdline = g_strdup (inspection->kernel->cmdline);

  if (inspection->kind == HANGAR_INSTALL_TREE)
    return prepare_from_tree (spec, inspection, boot_dir, cancellable, &relay, error);

  image = hangar_iso_image_open (inspection->location, error);
  if (image == NULL ||
      !hangar_install_kernel_extract (image, inspection->kernel, boot_dir, &spec->kernel,
                                      &spec->initrd, cancellable, progress, user_data, error))
    return FALSE;
  /* The installer reads its packages from the disc. */
  if (!has_disk (spec, inspection->location))
    hangar_machine_spec_add_disk (spec, inspection->location, 0, TRUE, TRUE);
  return TRUE;
}

typedef struct
{
  HangarMachineSpec *spec;
  HangarInstallInspection *inspection;
  char *boot_dir;
  HangarIsoProgress progress;
  gpointer progress_data;
} PrepareData;

static void
prepare_data_free (PrepareData *data)
{
  hangar_machine_spec_free (data->spec);
  hangar_install_inspection_free (data->inspection);
  g_free (data->boot_dir);
  g_free (data);
}

static HangarInstallInspection *
copy_inspection (const HangarInstallInspection *inspection)
{
  HangarInstallInspection *copy = g_new0 (HangarInstallInspection, 1);

  copy->kind = inspection->kind;
  copy->location = g_strdup (inspection->location);
  copy->os = inspection->os != NULL ? hangar_os_info_copy (inspection->os) : NULL;
  copy->volume_id = g_strdup (inspection->volume_id);
  copy->kernel_error = g_strdup (inspection->kernel_error);
  if (inspection->kernel != NULL)
    {
      copy->kernel = g_new0 (HangarInstallKernel, 1);
      *copy->kernel = *inspection->kernel;
      copy->kernel->kernel = g_strdup (inspection->kernel->kernel);
      copy->kernel->initrd = g_strdup (inspection->kernel->initrd);
      copy->kernel->cmdline = g_strdup (inspection->kernel->cmdline);
    }
  return copy;
}

static void
prepare_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  PrepareData *data = task_data;
  GError *error = NULL;

  if (!hangar_embedded_install_prepare (data->spec, data->inspection, data->boot_dir, cancellable,
                                        data->progress, data->progress_data, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, hangar_machine_spec_copy (data->spec),
                           (GDestroyNotify) hangar_machine_spec_free);
}

void
hangar_embedded_install_prepare_async (const HangarMachineSpec *spec,
                                       const HangarInstallInspection *inspection,
                                       const char *boot_dir, GCancellable *cancellable,
                                       HangarIsoProgress progress, gpointer progress_data,
                                       GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  PrepareData *data = g_new0 (PrepareData, 1);

  g_task_set_source_tag (task, hangar_embedded_install_prepare_async);
  data->spec = hangar_machine_spec_copy (spec);
  data->inspection = copy_inspection (inspection);
  data->boot_dir = g_strdup (boot_dir);
  data->progress = progress;
  data->progress_data = progress_data;
  g_task_set_task_data (task, data, (GDestroyNotify) prepare_data_free);
  g_task_run_in_thread (task, prepare_thread);
}

HangarMachineSpec *
hangar_embedded_install_prepare_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
