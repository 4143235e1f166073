/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>
#include <unistd.h>

#include "hangar-embedded-private.h"

/* Events come in bursts (a directory, then its machine.conf): scan once. */
#define RESCAN_DELAY_MS 150

struct _HangarEmbeddedConnection
{
  HangarConnection parent_instance;

  HvStore *store;
  GHashTable *machines; /* name -> HangarEmbeddedMachine; the list holds the reference */
  GListStore *labs;     /* of HangarLab, sorted by name */
  gboolean is_open;
  GCancellable *cancellable; /* of the scans; cancelled at close */

  GFileMonitor *machines_monitor;
  GFileMonitor *runtime_monitor;
  GFileMonitor *labs_monitor;
  GHashTable *directory_monitors; /* machine directory name -> GFileMonitor */
  guint rescan_source;
  gboolean scanning;
  gboolean rescan_again;

  guint stats_interval_ms;
  guint stats_source;
};

G_DEFINE_FINAL_TYPE (HangarEmbeddedConnection, hangar_embedded_connection, HANGAR_TYPE_CONNECTION)

/* ---- Scanning (worker threads) ---- */

void
_hangar_embedded_scan_free (HangarEmbeddedScan *scan)
{
  hv_machine_config_free (scan->config);
  g_clear_pointer (&scan->guest, hv_guest_info_unref);
  g_free (scan);
}

static HvGuestInfo *
find_guest (GPtrArray *guests, const char *name)
{
  for (guint i = 0; i < guests->len; i++)
    {
      HvGuestInfo *guest = g_ptr_array_index (guests, i);
      if (g_strcmp0 (hv_guest_info_get_name (guest), name) == 0)
        return hv_guest_info_ref (guest);
    }
  return NULL;
}

GPtrArray *
_hangar_embedded_scan (HvStore *store, GError **error)
{
  g_autoptr (GPtrArray) scans =
      g_ptr_array_new_with_free_func ((GDestroyNotify) _hangar_embedded_scan_free);
  g_autoptr (GPtrArray) guests = NULL;
  g_auto (GStrv) names = hv_store_list_machines (store, error);

  if (names == NULL)
    return NULL;
  guests = hv_runtime_list_guests (hv_store_get_runtime (store), NULL, error);
  if (guests == NULL)
    return NULL;
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr (GError) local_error = NULL;
      HvMachineConfig *config = hv_store_load_machine (store, names[i], &local_error);
      HangarEmbeddedScan *scan;

      /* One broken file must not hide the other machines. */
      if (config == NULL)
        {
          g_warning ("%s", local_error->message);
          continue;
        }
      scan = g_new0 (HangarEmbeddedScan, 1);
      scan->config = config;
      scan->guest = find_guest (guests, names[i]);
      g_ptr_array_add (scans, scan);
    }
  return g_steal_pointer (&scans);
}

HangarEmbeddedScan *
_hangar_embedded_scan_one (HvStore *store, const char *name, GError **error)
{
  HvMachineConfig *config = hv_store_load_machine (store, name, error);
  HangarEmbeddedScan *scan;

  if (config == NULL)
    return NULL;
  scan = g_new0 (HangarEmbeddedScan, 1);
  scan->config = config;
  scan->guest = hv_runtime_lookup_guest (hv_store_get_runtime (store), name, NULL, NULL);
  return scan;
}

/* A scan, every directory under machines/, with machine.conf or not yet,
 * and the labs. */
typedef struct
{
  GPtrArray *scans;
  GStrv directories;
  GPtrArray *labs; /* of HvLabConfig */
} ScanResult;

static void
scan_result_free (ScanResult *result)
{
  g_clear_pointer (&result->scans, g_ptr_array_unref);
  g_strfreev (result->directories);
  g_clear_pointer (&result->labs, g_ptr_array_unref);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ScanResult, scan_result_free)

static GStrv
list_directories (const char *path)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, entry, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        g_strv_builder_add (builder, entry);
    }
  return g_strv_builder_end (builder);
}

/* One broken lab file must not hide the other labs, nor the machines. */
static GPtrArray *
scan_labs (HvStore *store)
{
  GPtrArray *labs = g_ptr_array_new_with_free_func ((GDestroyNotify) hv_lab_config_free);
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) names = hv_lab_list (store, &error);

  if (names == NULL)
    g_warning ("%s", error->message);
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      g_autoptr (GError) local_error = NULL;
      HvLabConfig *config = hv_lab_load (store, names[i], &local_error);

      if (config == NULL)
        g_warning ("%s", local_error->message);
      else
        g_ptr_array_add (labs, config);
    }
  return labs;
}

/* Blocking: what the store and the runtime hold now. */
static ScanResult *
scan_everything (HvStore *store, GError **error)
{
  g_autoptr (ScanResult) result = g_new0 (ScanResult, 1);

  result->scans = _hangar_embedded_scan (store, error);
  if (result->scans == NULL)
    return NULL;
  result->directories = list_directories (hv_store_get_machines_directory (store));
  result->labs = scan_labs (store);
  return g_steal_pointer (&result);
}

static void
scan_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  ScanResult *result = scan_everything (task_data, &error);

  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) scan_result_free);
}

static void
run_scan (HangarEmbeddedConnection *self, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, self->cancellable, callback, user_data);

  g_task_set_task_data (task, g_object_ref (self->store), g_object_unref);
  g_task_run_in_thread (task, scan_thread);
}

/* ---- Applying scans (main thread) ---- */

HangarMachine *
_hangar_embedded_connection_apply (HangarEmbeddedConnection *self, HangarEmbeddedScan *scan)
{
  HangarEmbeddedMachine *machine = g_hash_table_lookup (self->machines, scan->config->name);

  if (machine != NULL)
    {
      _hangar_embedded_machine_apply (machine, scan);
      return HANGAR_MACHINE (machine);
    }
  machine = _hangar_embedded_machine_new (self, scan);
  g_hash_table_insert (self->machines, g_strdup (scan->config->name), machine);
  _hangar_connection_add_machine (HANGAR_CONNECTION (self), HANGAR_MACHINE (machine));
  g_object_unref (machine);
  return HANGAR_MACHINE (machine);
}

void
_hangar_embedded_connection_forget (HangarEmbeddedConnection *self, const char *name)
{
  HangarEmbeddedMachine *machine = g_hash_table_lookup (self->machines, name);

  if (machine == NULL)
    return;
  g_object_ref (machine);
  g_hash_table_remove (self->machines, name);
  _hangar_embedded_machine_detach (machine);
  _hangar_connection_remove_machine (HANGAR_CONNECTION (self), HANGAR_MACHINE (machine));
  g_object_unref (machine);
}

static void
apply_scans (HangarEmbeddedConnection *self, GPtrArray *scans)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GPtrArray) gone = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer name;

  for (guint i = 0; i < scans->len; i++)
    {
      HangarEmbeddedScan *scan = g_ptr_array_index (scans, i);
      _hangar_embedded_connection_apply (self, scan);
      g_hash_table_add (seen, scan->config->name);
    }
  g_hash_table_iter_init (&iter, self->machines);
  while (g_hash_table_iter_next (&iter, &name, NULL))
    if (!g_hash_table_contains (seen, name))
      g_ptr_array_add (gone, g_strdup (name));
  for (guint i = 0; i < gone->len; i++)
    _hangar_embedded_connection_forget (self, g_ptr_array_index (gone, i));
}

static GFileMonitor *watch (HangarEmbeddedConnection *self, const char *path);

/* machine.conf is written inside the machine's directory, which a monitor
 * on machines/ does not see: each directory gets one of its own. */
static void
watch_machine_directories (HangarEmbeddedConnection *self, GStrv directories)
{
  g_autoptr (GHashTable) monitors =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_object_unref);

  for (guint i = 0; directories[i] != NULL; i++)
    {
      GFileMonitor *monitor = NULL;
      g_autofree char *old_name = NULL;
      g_autofree char *path = NULL;

      g_hash_table_steal_extended (self->directory_monitors, directories[i], (gpointer *) &old_name,
                                   (gpointer *) &monitor);
      if (monitor == NULL)
        {
          path = g_build_filename (hv_store_get_machines_directory (self->store), directories[i],
                                   NULL);
          monitor = watch (self, path);
        }
      if (monitor != NULL)
        g_hash_table_insert (monitors, g_strdup (directories[i]), monitor);
    }
  /* What is left belonged to directories that are gone. */
  g_hash_table_remove_all (self->directory_monitors);
  g_hash_table_unref (self->directory_monitors);
  self->directory_monitors = g_steal_pointer (&monitors);
}

static int
compare_labs (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return g_strcmp0 (hangar_lab_get_name ((HangarLab *) a), hangar_lab_get_name ((HangarLab *) b));
}

static void
forget_lab (HangarEmbeddedConnection *self, guint position)
{
  g_autoptr (HangarLab) lab = g_list_model_get_item (G_LIST_MODEL (self->labs), position);

  _hangar_lab_detach (lab);
  g_list_store_remove (self->labs, position);
}

static void
add_or_update_lab (HangarEmbeddedConnection *self, const HvLabConfig *config)
{
  HangarLab *lab = hangar_embedded_connection_find_lab (self, config->name);
  g_autoptr (HangarLab) created = NULL;

  if (lab != NULL)
    {
      _hangar_lab_apply (lab, config);
      return;
    }
  created = _hangar_lab_new (self, config);
  g_list_store_insert_sorted (self->labs, created, compare_labs, NULL);
}

/* After the machines: a lab's members are the machines of its member names. */
static void
apply_labs (HangarEmbeddedConnection *self, GPtrArray *configs)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < configs->len; i++)
    {
      HvLabConfig *config = g_ptr_array_index (configs, i);

      g_hash_table_add (seen, config->name);
      add_or_update_lab (self, config);
    }
  for (guint i = g_list_model_get_n_items (G_LIST_MODEL (self->labs)); i > 0; i--)
    {
      g_autoptr (HangarLab) lab = g_list_model_get_item (G_LIST_MODEL (self->labs), i - 1);

      if (!g_hash_table_contains (seen, hangar_lab_get_name (lab)))
        forget_lab (self, i - 1);
    }
}

static void
apply_result (HangarEmbeddedConnection *self, ScanResult *result)
{
  apply_scans (self, result->scans);
  watch_machine_directories (self, result->directories);
  apply_labs (self, result->labs);
}

static gboolean rescan_now (gpointer user_data);

static void
rescan_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HangarEmbeddedConnection *self = HANGAR_EMBEDDED_CONNECTION (source);
  g_autoptr (ScanResult) scan = NULL;
  g_autoptr (GError) error = NULL;

  scan = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->scanning = FALSE;
  if (scan != NULL && self->is_open)
    apply_result (self, scan);
  else if (error != NULL)
    g_warning ("%s", error->message);
  if (self->rescan_again && self->is_open)
    {
      self->rescan_again = FALSE;
      _hangar_embedded_connection_queue_rescan (self);
    }
}

static gboolean
rescan_now (gpointer user_data)
{
  HangarEmbeddedConnection *self = user_data;

  self->rescan_source = 0;
  if (self->scanning)
    {
      /* What changed during a scan may have been missed by it. */
      self->rescan_again = TRUE;
      return G_SOURCE_REMOVE;
    }
  self->scanning = TRUE;
  run_scan (self, rescan_done, NULL);
  return G_SOURCE_REMOVE;
}

void
_hangar_embedded_connection_queue_rescan (HangarEmbeddedConnection *self)
{
  if (!self->is_open)
    return;
  g_clear_handle_id (&self->rescan_source, g_source_remove);
  self->rescan_source = g_timeout_add (RESCAN_DELAY_MS, rescan_now, self);
}

static void
on_directory_changed (GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event,
                      gpointer user_data)
{
  _hangar_embedded_connection_queue_rescan (user_data);
}

/* Machines that hvctl defines, and guests that hvctl starts, show up here
 * too. A directory that does not exist yet is watched until it does. */
static GFileMonitor *
watch (HangarEmbeddedConnection *self, const char *path)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GError) error = NULL;
  GFileMonitor *monitor = g_file_monitor_directory (file, G_FILE_MONITOR_WATCH_MOVES, NULL, &error);

  if (monitor == NULL)
    {
      g_warning ("Cannot watch %s for changes: %s", path, error->message);
      return NULL;
    }
  g_signal_connect_object (monitor, "changed", G_CALLBACK (on_directory_changed), self, 0);
  return monitor;
}

/* ---- Resource use ---- */

typedef struct
{
  GPid pid;
  guint64 ticks; /* utime + stime, in clock ticks */
  guint64 rss_pages;
} ProcessSample;

/* /proc/PID/stat: the command may hold spaces and parentheses, so the
 * fields are counted from the last ')'. */
static gboolean
read_process (GPid pid, ProcessSample *sample)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  g_auto (GStrv) fields = NULL;
  const char *end;

  if (!g_file_get_contents (path, &text, NULL, NULL) || (end = strrchr (text, ')')) == NULL)
    return FALSE;
  fields = g_strsplit (end + 2, " ", -1);
  /* After the command: state(0) ... utime(11) stime(12) ... rss(21). */
  if (g_strv_length (fields) < 22)
    return FALSE;
  sample->pid = pid;
  sample->ticks = g_ascii_strtoull (fields[11], NULL, 10) + g_ascii_strtoull (fields[12], NULL, 10);
  sample->rss_pages = g_ascii_strtoull (fields[21], NULL, 10);
  return TRUE;
}

static void
stats_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GArray *pids = task_data;
  GArray *samples = g_array_new (FALSE, TRUE, sizeof (ProcessSample));

  for (guint i = 0; i < pids->len; i++)
    {
      ProcessSample sample = { 0 };
      if (read_process (g_array_index (pids, GPid, i), &sample))
        g_array_append_val (samples, sample);
    }
  g_task_return_pointer (task, samples, (GDestroyNotify) g_array_unref);
}

typedef struct
{
  guint64 ticks;
  gint64 time_us;
} LastSample;

static void
push_sample (HangarMachine *machine, const ProcessSample *sample, gint64 now_us)
{
  LastSample *last = g_object_get_data (G_OBJECT (machine), "hangar-last-sample");
  double values[HANGAR_N_METRICS] = { 0 };
  guint cpus = MAX (hangar_machine_get_spec (machine)->cpus, 1);
  double ticks_per_second = sysconf (_SC_CLK_TCK);

  if (last != NULL && now_us > last->time_us && sample->ticks >= last->ticks)
    values[HANGAR_METRIC_CPU] = CLAMP ((sample->ticks - last->ticks) / ticks_per_second /
                                           ((now_us - last->time_us) / 1e6) / cpus * 100,
                                       0, 100);
  values[HANGAR_METRIC_MEMORY] = sample->rss_pages * (double) sysconf (_SC_PAGESIZE) / (1 << 20);
  if (last == NULL)
    {
      last = g_new0 (LastSample, 1);
      g_object_set_data_full (G_OBJECT (machine), "hangar-last-sample", last, g_free);
    }
  last->ticks = sample->ticks;
  last->time_us = now_us;
  _hangar_machine_push_metrics (machine, values);
}

static HangarMachine *
machine_with_pid (HangarEmbeddedConnection *self, GPid pid)
{
  GHashTableIter iter;
  gpointer machine;

  g_hash_table_iter_init (&iter, self->machines);
  while (g_hash_table_iter_next (&iter, NULL, &machine))
    if (_hangar_embedded_machine_get_pid (machine) == pid)
      return machine;
  return NULL;
}

static void
stats_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HangarEmbeddedConnection *self = HANGAR_EMBEDDED_CONNECTION (source);
  g_autoptr (GArray) samples = g_task_propagate_pointer (G_TASK (result), NULL);
  gint64 now_us = g_get_monotonic_time ();

  for (guint i = 0; samples != NULL && self->is_open && i < samples->len; i++)
    {
      const ProcessSample *sample = &g_array_index (samples, ProcessSample, i);
      HangarMachine *machine = machine_with_pid (self, sample->pid);

      if (machine != NULL)
        push_sample (machine, sample, now_us);
    }
}

static gboolean
sample_stats (gpointer user_data)
{
  HangarEmbeddedConnection *self = user_data;
  g_autoptr (GTask) task = NULL;
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (GPid));
  GHashTableIter iter;
  gpointer machine;

  g_hash_table_iter_init (&iter, self->machines);
  while (g_hash_table_iter_next (&iter, NULL, &machine))
    {
      GPid pid = _hangar_embedded_machine_get_pid (machine);
      if (pid > 0)
        g_array_append_val (pids, pid);
    }
  task = g_task_new (self, self->cancellable, stats_done, NULL);
  g_task_set_task_data (task, pids, (GDestroyNotify) g_array_unref);
  g_task_run_in_thread (task, stats_thread);
  return G_SOURCE_CONTINUE;
}

static void
restart_stats (HangarEmbeddedConnection *self)
{
  g_clear_handle_id (&self->stats_source, g_source_remove);
  if (self->is_open && self->stats_interval_ms > 0)
    self->stats_source = g_timeout_add (self->stats_interval_ms, sample_stats, self);
}

void
hangar_embedded_connection_set_stats_interval (HangarEmbeddedConnection *self, guint interval_ms)
{
  g_return_if_fail (HANGAR_IS_EMBEDDED_CONNECTION (self));

  self->stats_interval_ms = interval_ms;
  restart_stats (self);
}

/* ---- Opening ---- */

static GFileMonitor *
watch_labs (HangarEmbeddedConnection *self)
{
  g_autofree char *directory = hv_lab_get_directory (self->store);

  return watch (self, directory);
}

static void
open_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HangarEmbeddedConnection *self = HANGAR_EMBEDDED_CONNECTION (source);
  g_autoptr (GTask) outer = user_data;
  g_autoptr (ScanResult) scan = NULL;
  GError *error = NULL;

  scan = g_task_propagate_pointer (G_TASK (result), &error);
  if (scan == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _hangar_connection_set_state (HANGAR_CONNECTION (self), HANGAR_CONNECTION_STATE_FAILED,
                                      error->message);
      g_task_return_error (outer, error);
      return;
    }
  self->is_open = TRUE;
  self->machines_monitor = watch (self, hv_store_get_machines_directory (self->store));
  self->runtime_monitor =
      watch (self, hv_runtime_get_directory (hv_store_get_runtime (self->store)));
  self->labs_monitor = watch_labs (self);
  apply_result (self, scan);
  _hangar_connection_set_state (HANGAR_CONNECTION (self), HANGAR_CONNECTION_STATE_CONNECTED, NULL);
  restart_stats (self);
  g_task_return_boolean (outer, TRUE);
}

static void
hangar_embedded_connection_open_async (HangarConnection *connection, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data)
{
  HangarEmbeddedConnection *self = HANGAR_EMBEDDED_CONNECTION (connection);
  GTask *outer = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (outer, hangar_embedded_connection_open_async);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  run_scan (self, open_done, outer);
}

static gboolean
hangar_embedded_connection_open_finish (HangarConnection *connection, GAsyncResult *result,
                                        GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
detach_all (HangarEmbeddedConnection *self)
{
  GHashTableIter iter;
  gpointer machine;

  g_hash_table_iter_init (&iter, self->machines);
  while (g_hash_table_iter_next (&iter, NULL, &machine))
    _hangar_embedded_machine_detach (machine);
}

/* The guests go on running: closing only stops watching them. */
static void
hangar_embedded_connection_close (HangarConnection *connection)
{
  HangarEmbeddedConnection *self = HANGAR_EMBEDDED_CONNECTION (connection);

  self->is_open = FALSE;
  self->scanning = FALSE;
  self->rescan_again = FALSE;
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->rescan_source, g_source_remove);
  g_clear_handle_id (&self->stats_source, g_source_remove);
  g_clear_object (&self->machines_monitor);
  g_clear_object (&self->runtime_monitor);
  g_clear_object (&self->labs_monitor);
  g_hash_table_remove_all (self->directory_monitors);
  while (g_list_model_get_n_items (G_LIST_MODEL (self->labs)) > 0)
    forget_lab (self, 0);
  detach_all (self);
  g_hash_table_remove_all (self->machines);
}

/* ---- Creating machines ---- */

static void
create_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  HvMachineConfig *config = task_data;
  HvStore *store = hangar_embedded_connection_get_store (source);
  GError *error = NULL;
  HangarEmbeddedScan *scan;

  if (!hv_store_create_machine (store, config, cancellable, &error) ||
      (scan = _hangar_embedded_scan_one (store, config->name, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, scan, (GDestroyNotify) _hangar_embedded_scan_free);
}

static void
create_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HangarEmbeddedConnection *self = HANGAR_EMBEDDED_CONNECTION (source);
  g_autoptr (GTask) outer = user_data;
  HangarEmbeddedScan *scan;
  GError *error = NULL;

  scan = g_task_propagate_pointer (G_TASK (result), &error);
  if (scan == NULL)
    {
      g_task_return_error (outer, error);
      return;
    }
  g_task_return_pointer (outer, g_object_ref (_hangar_embedded_connection_apply (self, scan)),
                         g_object_unref);
  _hangar_embedded_scan_free (scan);
}

static void
hangar_embedded_connection_create_machine_async (HangarConnection *connection,
                                                 const HangarMachineSpec *spec,
                                                 GCancellable *cancellable,
                                                 GAsyncReadyCallback callback, gpointer user_data)
{
  HangarEmbeddedConnection *self = HANGAR_EMBEDDED_CONNECTION (connection);
  GTask *outer = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GTask) inner = NULL;
  GError *error = NULL;

  g_task_set_source_tag (outer, hangar_embedded_connection_create_machine_async);
  if (!hangar_machine_name_is_valid (spec->name, &error))
    {
      g_task_return_error (outer, error);
      g_object_unref (outer);
      return;
    }
  inner = g_task_new (self, cancellable, create_done, outer);
  g_task_set_task_data (inner, _hangar_embedded_config_from_spec (spec, NULL),
                        (GDestroyNotify) hv_machine_config_free);
  g_task_run_in_thread (inner, create_thread);
}

static HangarMachine *
hangar_embedded_connection_create_machine_finish (HangarConnection *connection,
                                                  GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Labs ---- */

GListModel *
hangar_embedded_connection_get_labs (HangarEmbeddedConnection *self)
{
  g_return_val_if_fail (HANGAR_IS_EMBEDDED_CONNECTION (self), NULL);

  return G_LIST_MODEL (self->labs);
}

HangarLab *
hangar_embedded_connection_find_lab (HangarEmbeddedConnection *self, const char *name)
{
  g_return_val_if_fail (HANGAR_IS_EMBEDDED_CONNECTION (self), NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->labs)); i++)
    {
      g_autoptr (HangarLab) lab = g_list_model_get_item (G_LIST_MODEL (self->labs), i);

      if (g_strcmp0 (hangar_lab_get_name (lab), name) == 0)
        return lab;
    }
  return NULL;
}

HangarLab *
hangar_embedded_connection_find_lab_of (HangarEmbeddedConnection *self, HangarMachine *machine)
{
  g_return_val_if_fail (HANGAR_IS_EMBEDDED_CONNECTION (self), NULL);
  g_return_val_if_fail (HANGAR_IS_MACHINE (machine), NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->labs)); i++)
    {
      g_autoptr (HangarLab) lab = g_list_model_get_item (G_LIST_MODEL (self->labs), i);

      if (hangar_lab_is_member_name (lab, hangar_machine_get_name (machine)))
        return lab;
    }
  return NULL;
}

/* Creating and importing share one job: make the lab, then read the
 * store again so that the lab and its members are there at once. */
typedef struct
{
  HvStore *store;
  HvLabConfig *config; /* create */
  char *filename;      /* import */
  char *new_name;      /* import: NULL keeps the file's */
  HvLabConfig *made;   /* the lab made, once made */
  ScanResult *scan;    /* the store after it; NULL if it could not be read */
  GError *scan_error;  /* why not */
  HangarLabProgressRelay *relay;
} LabJob;

static void
lab_job_free (LabJob *job)
{
  g_object_unref (job->store);
  g_clear_pointer (&job->config, hv_lab_config_free);
  g_free (job->filename);
  g_free (job->new_name);
  g_clear_pointer (&job->made, hv_lab_config_free);
  g_clear_pointer (&job->scan, scan_result_free);
  g_clear_error (&job->scan_error);
  _hangar_lab_progress_relay_finish (job->relay);
  g_free (job);
}

static HvLabConfig *
make_lab (LabJob *job, GCancellable *cancellable, GError **error)
{
  if (job->config == NULL)
    return hv_lab_import (job->store, job->filename, job->new_name, cancellable,
                          _hangar_lab_progress_relay_report, job->relay, error);
  if (!hv_lab_create (job->store, job->config, cancellable, _hangar_lab_progress_relay_report,
                      job->relay, error))
    return NULL;
  return hv_lab_config_copy (job->config);
}

/* Once the lab exists, the job has succeeded, whatever comes after: a
 * cancellation then is too late to undo it, and a scan that fails only
 * delays its members' showing up. */
static void
make_lab_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LabJob *job = task_data;
  GError *error = NULL;

  job->made = make_lab (job, cancellable, &error);
  if (job->made == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  job->scan = scan_everything (job->store, &job->scan_error);
  g_task_return_boolean (task, TRUE);
}

/* Without a scan, the lab is shown from its definition, and its members
 * join it with the next scan. */
static void
show_made_lab (HangarEmbeddedConnection *self, LabJob *job)
{
  if (job->scan != NULL)
    {
      apply_result (self, job->scan);
      return;
    }
  g_warning ("%s", job->scan_error->message);
  add_or_update_lab (self, job->made);
  _hangar_embedded_connection_queue_rescan (self);
}

static void
make_lab_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HangarEmbeddedConnection *self = HANGAR_EMBEDDED_CONNECTION (source);
  g_autoptr (GTask) outer = user_data;
  LabJob *job = g_task_get_task_data (G_TASK (result));
  HangarLab *lab;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (outer, error);
      return;
    }
  if (self->is_open)
    show_made_lab (self, job);
  lab = hangar_embedded_connection_find_lab (self, job->made->name);
  if (lab == NULL)
    g_task_return_new_error (outer, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                             _ ("The lab “%s” was made, but This Computer is no longer open."),
                             job->made->name);
  else
    g_task_return_pointer (outer, g_object_ref (lab), g_object_unref);
}

/* The result is the job's own: a cancellation that came too late to stop
 * the lab being made must not report it as not made. */
static void
run_lab_job (HangarEmbeddedConnection *self, LabJob *job, GCancellable *cancellable,
             GAsyncReadyCallback callback, gpointer user_data, gpointer source_tag)
{
  GTask *outer = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GTask) inner = g_task_new (self, cancellable, make_lab_done, outer);

  g_task_set_source_tag (outer, source_tag);
  g_task_set_check_cancellable (outer, FALSE);
  g_task_set_check_cancellable (inner, FALSE);
  job->store = g_object_ref (self->store);
  g_task_set_task_data (inner, job, (GDestroyNotify) lab_job_free);
  g_task_run_in_thread (inner, make_lab_thread);
}

void
hangar_embedded_connection_create_lab_async (HangarEmbeddedConnection *self,
                                             const HvLabConfig *config, HangarLabProgress progress,
                                             gpointer progress_data, GCancellable *cancellable,
                                             GAsyncReadyCallback callback, gpointer user_data)
{
  LabJob *job;

  g_return_if_fail (HANGAR_IS_EMBEDDED_CONNECTION (self));
  g_return_if_fail (config != NULL);

  job = g_new0 (LabJob, 1);
  job->config = hv_lab_config_copy (config);
  job->relay = _hangar_lab_progress_relay_new (progress, progress_data);
  run_lab_job (self, job, cancellable, callback, user_data,
               hangar_embedded_connection_create_lab_async);
}

void
hangar_embedded_connection_import_lab_async (HangarEmbeddedConnection *self, GFile *file,
                                             const char *new_name, HangarLabProgress progress,
                                             gpointer progress_data, GCancellable *cancellable,
                                             GAsyncReadyCallback callback, gpointer user_data)
{
  LabJob *job;

  g_return_if_fail (HANGAR_IS_EMBEDDED_CONNECTION (self));
  g_return_if_fail (G_IS_FILE (file));

  job = g_new0 (LabJob, 1);
  job->filename = g_file_get_path (file);
  job->new_name = g_strdup (new_name);
  job->relay = _hangar_lab_progress_relay_new (progress, progress_data);
  if (job->filename == NULL)
    {
      g_task_report_new_error (self, callback, user_data,
                               hangar_embedded_connection_import_lab_async, G_IO_ERROR,
                               G_IO_ERROR_NOT_SUPPORTED,
                               _ ("Labs can be imported from a folder of this computer only."));
      job->store = g_object_ref (self->store);
      lab_job_free (job);
      return;
    }
  run_lab_job (self, job, cancellable, callback, user_data,
               hangar_embedded_connection_import_lab_async);
}

HangarLab *
hangar_embedded_connection_create_lab_finish (HangarEmbeddedConnection *self, GAsyncResult *result,
                                              GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- GObject ---- */

static void
autostart_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  /* The machine stays stopped, and its page says why when it is started by hand. */
  if (!hangar_machine_run_action_finish (HANGAR_MACHINE (source), result, &error))
    g_warning ("%s", error->message);
}

void
hangar_embedded_connection_start_autostart (HangarEmbeddedConnection *self)
{
  GListModel *machines;

  g_return_if_fail (HANGAR_IS_EMBEDDED_CONNECTION (self));

  machines = hangar_connection_get_machines (HANGAR_CONNECTION (self));
  for (guint i = 0; i < g_list_model_get_n_items (machines); i++)
    {
      g_autoptr (HangarMachine) machine = g_list_model_get_item (machines, i);

      if (hangar_machine_get_autostart (machine) &&
          hangar_machine_can (machine, HANGAR_MACHINE_ACTION_START))
        hangar_machine_run_action_async (machine, HANGAR_MACHINE_ACTION_START, NULL, autostart_done,
                                         NULL);
    }
}

static void
hangar_embedded_connection_dispose (GObject *object)
{
  hangar_embedded_connection_close (HANGAR_CONNECTION (object));
  G_OBJECT_CLASS (hangar_embedded_connection_parent_class)->dispose (object);
}

static void
hangar_embedded_connection_finalize (GObject *object)
{
  HangarEmbeddedConnection *self = HANGAR_EMBEDDED_CONNECTION (object);

  g_clear_object (&self->store);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->machines, g_hash_table_unref);
  g_clear_object (&self->labs);
  g_clear_pointer (&self->directory_monitors, g_hash_table_unref);
  G_OBJECT_CLASS (hangar_embedded_connection_parent_class)->finalize (object);
}

static void
hangar_embedded_connection_class_init (HangarEmbeddedConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  HangarConnectionClass *connection_class = HANGAR_CONNECTION_CLASS (klass);

  object_class->dispose = hangar_embedded_connection_dispose;
  object_class->finalize = hangar_embedded_connection_finalize;

  connection_class->open_async = hangar_embedded_connection_open_async;
  connection_class->open_finish = hangar_embedded_connection_open_finish;
  connection_class->close = hangar_embedded_connection_close;
  connection_class->create_machine_async = hangar_embedded_connection_create_machine_async;
  connection_class->create_machine_finish = hangar_embedded_connection_create_machine_finish;
}

static void
hangar_embedded_connection_init (HangarEmbeddedConnection *self)
{
  self->stats_interval_ms = 1000;
  self->cancellable = g_cancellable_new ();
  self->machines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->labs = g_list_store_new (HANGAR_TYPE_LAB);
  self->directory_monitors =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_object_unref);
}

HangarConnection *
hangar_embedded_connection_new_for_store (HvStore *store)
{
  HangarEmbeddedConnection *self;

  g_return_val_if_fail (HV_IS_STORE (store), NULL);

  self = g_object_new (HANGAR_TYPE_EMBEDDED_CONNECTION, "uri", "hangar:///session", "title",
                       _ ("This Computer"), NULL);
  self->store = g_object_ref (store);
  return HANGAR_CONNECTION (self);
}

HangarConnection *
hangar_embedded_connection_new (void)
{
  g_autoptr (HvStore) store = hv_store_new ();

  return hangar_embedded_connection_new_for_store (store);
}

HvStore *
hangar_embedded_connection_get_store (HangarEmbeddedConnection *self)
{
  g_return_val_if_fail (HANGAR_IS_EMBEDDED_CONNECTION (self), NULL);
  return self->store;
}
