/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <osinfo/osinfo.h>

#include "hangar-osinfo.h"

#define MIB (1024 * 1024)

static gpointer
load_db (gpointer unused)
{
  g_autoptr (OsinfoLoader) loader = osinfo_loader_new ();
  g_autoptr (GError) error = NULL;
  OsinfoDb *db;

  osinfo_loader_process_default_path (loader, &error);
  if (error != NULL)
    g_warning ("libosinfo's database is incomplete: %s", error->message);
  db = osinfo_loader_get_db (loader);
  return g_object_ref (db);
}

/* The database is read once, by whichever thread needs it first. */
static OsinfoDb *
db (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, load_db, NULL);
  return once.retval;
}

/* The resources for x86-64 (or for every architecture) in LIST. */
static OsinfoResources *
resources_for_x86_64 (OsinfoResourcesList *list)
{
  OsinfoResources *any = NULL;
  int n = list != NULL ? osinfo_list_get_length (OSINFO_LIST (list)) : 0;

  for (int i = 0; i < n; i++)
    {
      OsinfoResources *resources = OSINFO_RESOURCES (osinfo_list_get_nth (OSINFO_LIST (list), i));
      const char *arch = osinfo_resources_get_architecture (resources);

      if (g_strcmp0 (arch, "x86_64") == 0)
        return resources;
      if (g_strcmp0 (arch, "all") == 0)
        any = resources;
    }
  return any;
}

static void
apply_resources (HangarOsInfo *info, OsinfoResourcesList *list)
{
  OsinfoResources *resources = resources_for_x86_64 (list);
  int cpus;
  gint64 ram, storage;

  if (resources == NULL)
    return;
  cpus = osinfo_resources_get_n_cpus (resources);
  ram = osinfo_resources_get_ram (resources);
  storage = osinfo_resources_get_storage (resources);
  if (info->cpus == 0 && cpus > 0)
    info->cpus = cpus;
  if (info->memory_mib == 0 && ram > 0)
    info->memory_mib = ram / MIB;
  if (info->storage_bytes == 0 && storage > 0)
    info->storage_bytes = storage;
}

static HangarOsInfo *
info_from_os (OsinfoOs *os)
{
  OsinfoProduct *product = OSINFO_PRODUCT (os);
  HangarOsInfo *info = g_new0 (HangarOsInfo, 1);
  g_autoptr (OsinfoResourcesList) recommended = osinfo_os_get_recommended_resources (os);
  g_autoptr (OsinfoResourcesList) minimum = osinfo_os_get_minimum_resources (os);

  info->id = g_strdup (osinfo_entity_get_id (OSINFO_ENTITY (os)));
  info->short_id = g_strdup (osinfo_product_get_short_id (product));
  info->name = g_strdup (osinfo_product_get_name (product));
  info->version = g_strdup (osinfo_product_get_version (product));
  info->vendor = g_strdup (osinfo_product_get_vendor (product));
  info->logo = g_strdup (osinfo_product_get_logo (product));
  if (info->name == NULL)
    info->name = g_strdup (info->short_id != NULL ? info->short_id : info->id);
  /* What is recommended, and where the database says nothing, the minimum. */
  apply_resources (info, recommended);
  apply_resources (info, minimum);
  return info;
}

HangarOsInfo *
hangar_osinfo_lookup (const char *id)
{
  OsinfoDb *database = db ();
  g_autoptr (OsinfoOsList) all = NULL;
  OsinfoOs *os;

  g_return_val_if_fail (id != NULL, NULL);

  os = osinfo_db_get_os (database, id);
  if (os != NULL)
    return info_from_os (os);
  all = osinfo_db_get_os_list (database);
  for (int i = 0; i < osinfo_list_get_length (OSINFO_LIST (all)); i++)
    {
      OsinfoOs *candidate = OSINFO_OS (osinfo_list_get_nth (OSINFO_LIST (all), i));

      if (g_strcmp0 (osinfo_product_get_short_id (OSINFO_PRODUCT (candidate)), id) == 0)
        return info_from_os (candidate);
    }
  return NULL;
}

/* ---- Inspection ---- */

/* libosinfo reads locations as URIs. */
static char *
location_uri (const char *location)
{
  g_autofree char *scheme = g_uri_parse_scheme (location);

  if (scheme != NULL)
    return g_strdup (location);
  return g_filename_to_uri (location, NULL, NULL);
}

/* Where the kernel is, in a worker thread: libosinfo's hints (in
 * INSPECTION's kernel, when it found any) are tried first. */
static void
find_kernel_on_iso (HangarInstallInspection *inspection, const char *hint_kernel,
                    const char *hint_initrd)
{
  g_autoptr (HangarIsoImage) image = NULL;
  g_autoptr (GError) error = NULL;

  image = hangar_iso_image_open (inspection->location, &error);
  if (image != NULL)
    {
      inspection->volume_id = g_strdup (hangar_iso_image_get_volume_id (image));
      inspection->kernel =
          hangar_install_kernel_find_on_iso (image, hint_kernel, hint_initrd, &error);
    }
  if (inspection->kernel == NULL)
    inspection->kernel_error = g_strdup (error->message);
}

static void
find_kernel_in_tree (HangarInstallInspection *inspection, const char *hint_kernel,
                     const char *hint_initrd)
{
  g_autofree char *uri = location_uri (inspection->location);
  g_autoptr (GFile) file = g_file_new_for_uri (uri);
  g_autofree char *directory = g_file_get_path (file);
  g_autoptr (GError) error = NULL;

  if (directory != NULL)
    inspection->kernel =
        hangar_install_kernel_find_in_tree (directory, uri, hint_kernel, hint_initrd, &error);
  else if (hint_kernel != NULL)
    {
      /* A remote tree: libosinfo says where its kernel is; it is fetched when
       * the machine is made. */
      inspection->kernel = g_new0 (HangarInstallKernel, 1);
      inspection->kernel->kernel = g_strdup (hint_kernel);
      inspection->kernel->initrd = g_strdup (hint_initrd);
      inspection->kernel->cmdline = g_strdup_printf ("inst.repo=%s", uri);
    }
  else
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 _ ("The install tree at %s has no .treeinfo that says where its kernel is."), uri);
  if (inspection->kernel == NULL)
    inspection->kernel_error = g_strdup (error->message);
}

typedef struct
{
  HangarInstallInspection *inspection;
  char *hint_kernel;
  char *hint_initrd;
} InspectData;

static void
inspect_data_free (InspectData *data)
{
  hangar_install_inspection_free (data->inspection);
  g_free (data->hint_kernel);
  g_free (data->hint_initrd);
  g_free (data);
}

static void
kernel_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  InspectData *data = task_data;

  if (data->inspection->kind == HANGAR_INSTALL_ISO)
    find_kernel_on_iso (data->inspection, data->hint_kernel, data->hint_initrd);
  else
    find_kernel_in_tree (data->inspection, data->hint_kernel, data->hint_initrd);
  if (!g_task_return_error_if_cancelled (task))
    g_task_return_pointer (task, g_steal_pointer (&data->inspection),
                           (GDestroyNotify) hangar_install_inspection_free);
}

static void
find_kernel (GTask *task)
{
  g_task_run_in_thread (task, kernel_thread);
}

static void
media_created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  InspectData *data = g_task_get_task_data (task);
  g_autoptr (OsinfoMedia) media = osinfo_media_create_from_location_finish (result, NULL);

  /* A disc libosinfo cannot read (not bootable, say) is still inspected for
   * a kernel; only cancellation stops here. */
  if (g_task_return_error_if_cancelled (task))
    return;
  if (media != NULL && osinfo_db_identify_media (db (), media))
    {
      data->inspection->os = info_from_os (osinfo_media_get_os (media));
      data->hint_kernel = g_strdup (osinfo_media_get_kernel_path (media));
      data->hint_initrd = g_strdup (osinfo_media_get_initrd_path (media));
    }
  find_kernel (task);
}

static void
tree_created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  InspectData *data = g_task_get_task_data (task);
  g_autoptr (OsinfoTree) tree = osinfo_tree_create_from_location_finish (result, NULL);

  if (g_task_return_error_if_cancelled (task))
    return;
  if (tree != NULL)
    {
      data->hint_kernel = g_strdup (osinfo_tree_get_kernel_path (tree));
      data->hint_initrd = g_strdup (osinfo_tree_get_initrd_path (tree));
      if (osinfo_db_identify_tree (db (), tree))
        {
          data->inspection->os = info_from_os (osinfo_tree_get_os (tree));
          if (data->hint_kernel == NULL)
            data->hint_kernel = g_strdup (osinfo_tree_get_kernel_path (tree));
          if (data->hint_initrd == NULL)
            data->hint_initrd = g_strdup (osinfo_tree_get_initrd_path (tree));
        }
    }
  find_kernel (task);
}

static void
load_db_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  db ();
  g_task_return_boolean (task, TRUE);
}

/* libosinfo's own asynchronous readers run on the caller's main context,
 * once the database is loaded (in a thread: it takes a while). */
static void
db_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  InspectData *data = g_task_get_task_data (task);
  g_autofree char *uri = location_uri (data->inspection->location);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  if (data->inspection->kind == HANGAR_INSTALL_ISO)
    osinfo_media_create_from_location_async (data->inspection->location, G_PRIORITY_DEFAULT,
                                             cancellable, media_created, task);
  else
    osinfo_tree_create_from_location_async (uri, G_PRIORITY_DEFAULT, cancellable, tree_created,
                                            task);
}

void
hangar_osinfo_inspect_async (const char *location, HangarInstallKind kind,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr (GTask) loader = NULL;
  InspectData *data = g_new0 (InspectData, 1);

  g_return_if_fail (location != NULL);

  g_task_set_source_tag (task, hangar_osinfo_inspect_async);
  data->inspection = g_new0 (HangarInstallInspection, 1);
  data->inspection->kind = kind;
  data->inspection->location = g_strdup (location);
  g_task_set_task_data (task, data, (GDestroyNotify) inspect_data_free);
  if (kind == HANGAR_INSTALL_ISO && !g_file_test (location, G_FILE_TEST_EXISTS))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _ ("%s does not exist: choose the disc image again."), location);
      g_object_unref (task);
      return;
    }
  loader = g_task_new (NULL, cancellable, db_loaded, task);
  g_task_run_in_thread (loader, load_db_thread);
}

/* ---- The list of every OS ---- */

static int
compare_os (gconstpointer a, gconstpointer b)
{
  const HangarOsInfo *x = *(HangarOsInfo **) a;
  const HangarOsInfo *y = *(HangarOsInfo **) b;
  int by_vendor = g_strcmp0 (x->vendor, y->vendor);
  g_autofree char *key_x = NULL;
  g_autofree char *key_y = NULL;

  if (by_vendor != 0)
    return by_vendor;
  /* Newest first: "Fedora Linux 37" before "Fedora Linux 9". */
  key_x = g_utf8_collate_key_for_filename (x->name, -1);
  key_y = g_utf8_collate_key_for_filename (y->name, -1);
  return strcmp (key_y, key_x);
}

static void
list_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  g_autoptr (OsinfoOsList) all = osinfo_db_get_os_list (db ());
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) hangar_os_info_free);

  for (int i = 0; i < osinfo_list_get_length (OSINFO_LIST (all)); i++)
    g_ptr_array_add (list, info_from_os (OSINFO_OS (osinfo_list_get_nth (OSINFO_LIST (all), i))));
  g_ptr_array_sort (list, compare_os);
  g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

void
hangar_osinfo_list_async (GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, hangar_osinfo_list_async);
  g_task_run_in_thread (task, list_thread);
}
