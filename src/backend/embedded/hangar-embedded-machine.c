/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "hangar-embedded-private.h"

/* How long force-off waits for hv-vmm to answer quit, and then to go,
 * before it kills the process. */
#define QUIT_TIMEOUT_MS 3000

struct _HangarEmbeddedMachine
{
  HangarMachine parent_instance;

  HangarEmbeddedConnection *connection; /* weak: the connection owns its machines */
  HvMachineConfig *config;
  HvGuestInfo *guest;   /* the running guest, or NULL */
  HvClient *client;     /* its control connection, once made */
  GCancellable *attach; /* while the client connects */
  gboolean crashed;     /* SHUTDOWN said internal-error */
  GQueue waiting;       /* of Command: asked for while the client connects */
};

/* A control command waiting for the client. */
typedef struct
{
  char *command;
  GTask *task;
} Command;

G_DEFINE_FINAL_TYPE (HangarEmbeddedMachine, hangar_embedded_machine, HANGAR_TYPE_MACHINE)

/* ---- Following the running guest ---- */

static void
set_stopped (HangarEmbeddedMachine *self)
{
  g_clear_pointer (&self->guest, hv_guest_info_unref);
  _hangar_machine_set_state (HANGAR_MACHINE (self), self->crashed ? HANGAR_MACHINE_STATE_CRASHED
                                                                  : HANGAR_MACHINE_STATE_STOPPED);
}

static void execute_done (GObject *source, GAsyncResult *result, gpointer user_data);

/* Runs the commands that waited for the client, or fails them without one. */
static void
run_waiting (HangarEmbeddedMachine *self)
{
  Command *command;

  while ((command = g_queue_pop_head (&self->waiting)) != NULL)
    {
      if (self->client != NULL)
        hv_client_execute (self->client, command->command, NULL,
                           g_task_get_cancellable (command->task), execute_done, command->task);
      else
        {
          g_task_return_new_error (command->task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                                   _ ("“%s” stopped before the command could be sent."),
                                   hangar_machine_get_name (HANGAR_MACHINE (self)));
          g_object_unref (command->task);
        }
      g_free (command->command);
      g_free (command);
    }
}

void
_hangar_embedded_machine_detach (HangarEmbeddedMachine *self)
{
  g_cancellable_cancel (self->attach);
  g_clear_object (&self->attach);
  if (self->client != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->client, self);
      hv_client_close (self->client);
      g_clear_object (&self->client);
    }
  run_waiting (self);
}

static void
on_event (HvClient *client, const char *name, JsonObject *data, gint64 timestamp_us,
          HangarEmbeddedMachine *self)
{
  HangarMachine *machine = HANGAR_MACHINE (self);

  if (g_str_equal (name, "STOP"))
    _hangar_machine_set_state (machine, HANGAR_MACHINE_STATE_PAUSED);
  else if (g_str_equal (name, "RESUME") || g_str_equal (name, "RESET"))
    _hangar_machine_set_state (machine, HANGAR_MACHINE_STATE_RUNNING);
  else if (g_str_equal (name, "SHUTDOWN"))
    {
      /* hv-vmm exits next; ::closed makes the machine stopped. */
      const char *reason = json_object_get_string_member_with_default (data, "reason", "");
      self->crashed = g_str_equal (reason, "internal-error");
      _hangar_machine_set_state (machine, HANGAR_MACHINE_STATE_SHUTTING_DOWN);
    }
}

static void
on_closed (HvClient *client, const GError *reason, HangarEmbeddedMachine *self)
{
  _hangar_embedded_machine_detach (self);
  set_stopped (self);
}

static void
query_status_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (HangarEmbeddedMachine) self = user_data;
  g_autoptr (JsonObject) status = hv_client_execute_finish (HV_CLIENT (source), result, NULL);
  const char *text;

  if (status == NULL || self->client != HV_CLIENT (source))
    return;
  text = json_object_get_string_member_with_default (status, "status", "running");
  _hangar_machine_set_state (HANGAR_MACHINE (self), g_str_equal (text, "paused")
                                                        ? HANGAR_MACHINE_STATE_PAUSED
                                                        : HANGAR_MACHINE_STATE_RUNNING);
}

static void
client_ready (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (HangarEmbeddedMachine) self = user_data;
  g_autoptr (GError) error = NULL;
  HvClient *client = hv_client_new_finish (result, &error);

  if (client == NULL)
    {
      /* Gone between the scan and now; a cancelled attach is someone else's. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_object (&self->attach);
          set_stopped (self);
          run_waiting (self);
        }
      return;
    }
  g_clear_object (&self->attach);
  self->client = client;
  g_signal_connect (client, "event", G_CALLBACK (on_event), self);
  g_signal_connect (client, "closed", G_CALLBACK (on_closed), self);
  /* Events before the connection are missed: ask what they led to. */
  hv_client_execute (client, "query-status", NULL, NULL, query_status_done, g_object_ref (self));
  run_waiting (self);
}

void
_hangar_embedded_machine_attach (HangarEmbeddedMachine *self, HvGuestInfo *guest)
{
  if (self->guest != NULL &&
      g_strcmp0 (hv_guest_info_get_uuid (self->guest), hv_guest_info_get_uuid (guest)) == 0 &&
      (self->client != NULL || self->attach != NULL))
    return;
  _hangar_embedded_machine_detach (self);
  g_clear_pointer (&self->guest, hv_guest_info_unref);
  self->guest = hv_guest_info_ref (guest);
  self->crashed = FALSE;
  _hangar_machine_set_state (HANGAR_MACHINE (self), HANGAR_MACHINE_STATE_RUNNING);
  self->attach = g_cancellable_new ();
  hv_client_new (hv_guest_info_get_control_path (guest), self->attach, client_ready,
                 g_object_ref (self));
}

GPid
_hangar_embedded_machine_get_pid (HangarEmbeddedMachine *self)
{
  return self->guest != NULL ? hv_guest_info_get_pid (self->guest) : 0;
}

void
_hangar_embedded_machine_apply (HangarEmbeddedMachine *self, HangarEmbeddedScan *scan)
{
  HangarMachine *machine = HANGAR_MACHINE (self);
  g_autoptr (HangarMachineSpec) spec = _hangar_embedded_spec_from_config (scan->config);

  g_clear_pointer (&self->config, hv_machine_config_free);
  self->config = hv_machine_config_copy (scan->config);
  _hangar_machine_set_spec (machine, spec);
  _hangar_machine_set_autostart (machine, scan->config->autostart);
  if (scan->guest != NULL)
    _hangar_embedded_machine_attach (self, scan->guest);
  else if (self->client == NULL && self->attach == NULL)
    set_stopped (self);
  /* Otherwise the scan began before the guest started: the client knows better. */
}

/* ---- Jobs in worker threads ---- */

typedef struct
{
  HvStore *store;
  char *name;
  gboolean flag; /* with_disks, autostart */
  char *new_name;
  HangarMachineSpec *spec;
  HvGuestInfo *guest;
  gboolean forget; /* the machine is gone, or renamed: drop it from the list */
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->store);
  g_free (job->name);
  g_free (job->new_name);
  g_clear_pointer (&job->spec, hangar_machine_spec_free);
  g_clear_pointer (&job->guest, hv_guest_info_unref);
  g_free (job);
}

static Job *
job_new (HangarEmbeddedMachine *self)
{
  Job *job = g_new0 (Job, 1);

  job->store = g_object_ref (hangar_embedded_connection_get_store (self->connection));
  job->name = g_strdup (hangar_machine_get_name (HANGAR_MACHINE (self)));
  return job;
}

/* A job for SELF; NULL, after reporting it to CALLBACK, once SELF has left
 * its connection. */
static Job *
job_new_or_report (HangarEmbeddedMachine *self, GAsyncReadyCallback callback, gpointer user_data,
                   gpointer source_tag)
{
  if (self->connection != NULL)
    return job_new (self);
  g_task_report_new_error (self, callback, user_data, source_tag, G_IO_ERROR,
                           G_IO_ERROR_NOT_CONNECTED,
                           _ ("“%s” is no longer part of an open connection."),
                           hangar_machine_get_name (HANGAR_MACHINE (self)));
  return NULL;
}

static void
return_scan (GTask *task, HvStore *store, const char *name)
{
  GError *error = NULL;
  HangarEmbeddedScan *scan = _hangar_embedded_scan_one (store, name, &error);

  if (scan == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, scan, (GDestroyNotify) _hangar_embedded_scan_free);
}

/* The worker's result, a HangarEmbeddedScan or NULL, is applied to the
 * connection before the caller's callback runs. */
static void
job_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HangarEmbeddedMachine *self = HANGAR_EMBEDDED_MACHINE (source);
  g_autoptr (GTask) outer = user_data;
  HangarEmbeddedScan *scan;
  Job *job = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  scan = g_task_propagate_pointer (G_TASK (result), &error);
  if (error != NULL)
    {
      g_task_return_error (outer, error);
      return;
    }
  if (self->connection != NULL && job->forget)
    _hangar_embedded_connection_forget (self->connection, job->name);
  if (scan != NULL && self->connection != NULL)
    {
      HangarMachine *machine = _hangar_embedded_connection_apply (self->connection, scan);
      g_task_return_pointer (outer, g_object_ref (machine), g_object_unref);
    }
  else
    g_task_return_pointer (outer, NULL, NULL);
  g_clear_pointer (&scan, _hangar_embedded_scan_free);
}

static void
run_job (HangarEmbeddedMachine *self, Job *job, GTaskThreadFunc func, GCancellable *cancellable,
         GAsyncReadyCallback callback, gpointer user_data, gpointer source_tag)
{
  GTask *outer = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GTask) inner = g_task_new (self, cancellable, job_done, outer);

  g_task_set_source_tag (outer, source_tag);
  g_task_set_task_data (inner, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (inner, func);
}

static gboolean
finish_job (GAsyncResult *result, GError **error)
{
  g_autoptr (GObject) machine = NULL;
  GError *local_error = NULL;

  machine = g_task_propagate_pointer (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
refuse_unconnected (HangarEmbeddedMachine *self, GTask *task)
{
  if (self->connection != NULL)
    return FALSE;
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                           _ ("“%s” is no longer part of an open connection."),
                           hangar_machine_get_name (HANGAR_MACHINE (self)));
  return TRUE;
}

/* ---- Lifecycle ---- */

static void
launch_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  HangarEmbeddedMachine *self = g_task_get_source_object (task);
  g_autoptr (HvGuestInfo) guest = NULL;
  GError *error = NULL;

  guest = hv_runtime_launch_finish (HV_RUNTIME (source), result, &error);
  if (guest == NULL)
    {
      g_prefix_error (&error, _ ("Could not start “%s”: "),
                      hangar_machine_get_name (HANGAR_MACHINE (self)));
      g_task_return_error (task, error);
      return;
    }
  _hangar_embedded_machine_attach (self, guest);
  g_task_return_pointer (task, NULL, NULL);
}

static void hangar_embedded_machine_run_action_async (HangarMachine *machine,
                                                      HangarMachineAction action,
                                                      GCancellable *cancellable,
                                                      GAsyncReadyCallback callback,
                                                      gpointer user_data);

/* Network cards on a nat or isolated network need that network's hv-net,
 * started if it does not run: blocking work, done in a worker thread. */
typedef struct
{
  HvStore *store;
  HvMachineConfig *config;
  HvLaunchOptions *options;
} NetworksJob;

static void
networks_job_free (NetworksJob *job)
{
  g_object_unref (job->store);
  hv_machine_config_free (job->config);
  hv_launch_options_free (job->options);
  g_free (job);
}

static void
connect_networks_thread (GTask *task, gpointer source, gpointer task_data,
                         GCancellable *cancellable)
{
  NetworksJob *job = task_data;
  GError *error = NULL;

  if (hv_store_connect_networks (job->store, job->config, job->options, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
connect_networks_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HangarEmbeddedMachine *self = HANGAR_EMBEDDED_MACHINE (source);
  GTask *outer = user_data;
  NetworksJob *job = g_task_get_task_data (G_TASK (result));
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error) || self->connection == NULL)
    {
      if (error == NULL)
        error = g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _ ("“%s” is no longer part of an open connection."),
                             hangar_machine_get_name (HANGAR_MACHINE (self)));
      g_task_return_error (outer, error);
      g_object_unref (outer);
      return;
    }
  hv_runtime_launch_async (hv_store_get_runtime (job->store), job->options,
                           g_task_get_cancellable (outer), launch_done, outer);
}

static void
connect_networks_async (HangarEmbeddedMachine *self, HvStore *store, HvLaunchOptions *options,
                        GTask *outer)
{
  g_autoptr (GTask) task =
      g_task_new (self, g_task_get_cancellable (outer), connect_networks_done, outer);
  NetworksJob *job = g_new0 (NetworksJob, 1);

  job->store = g_object_ref (store);
  job->config = hv_machine_config_copy (self->config);
  job->options = hv_launch_options_copy (options);
  g_task_set_task_data (task, job, (GDestroyNotify) networks_job_free);
  g_task_run_in_thread (task, connect_networks_thread);
}

static void
start (HangarEmbeddedMachine *self, GTask *task)
{
  HvStore *store = hangar_embedded_connection_get_store (self->connection);
  g_autoptr (HvLaunchOptions) options = NULL;

  if (self->config->kernel == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _ ("“%s” has no kernel to boot. This Computer boots Linux kernels "
                                  "only, for now: choose one in the machine’s settings."),
                               self->config->name);
      g_object_unref (task);
      return;
    }
  options = hv_store_launch_options (self->config);
  connect_networks_async (self, store, options, task);
}

static void
execute_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (JsonObject) reply = NULL;
  GError *error = NULL;

  reply = hv_client_execute_finish (HV_CLIENT (source), result, &error);
  if (reply == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, NULL, NULL);
}

static void
execute (HangarEmbeddedMachine *self, const char *command, GTask *task)
{
  /* Just started, or found running: the command goes once connected. */
  if (self->client == NULL && self->attach != NULL)
    {
      Command *waiting = g_new0 (Command, 1);

      waiting->command = g_strdup (command);
      waiting->task = task;
      g_queue_push_tail (&self->waiting, waiting);
      return;
    }
  if (self->client == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _ ("“%s” is not running, or Hangar is still connecting to it."),
                               hangar_machine_get_name (HANGAR_MACHINE (self)));
      g_object_unref (task);
      return;
    }
  hv_client_execute (self->client, command, NULL, g_task_get_cancellable (task), execute_done,
                     task);
}

static void
force_off_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;

  if (hv_runtime_force_off (hv_store_get_runtime (job->store), job->guest, QUIT_TIMEOUT_MS, &error))
    return_scan (task, job->store, job->name);
  else
    g_task_return_error (task, error);
}

static void
force_off (HangarEmbeddedMachine *self, GCancellable *cancellable, GAsyncReadyCallback callback,
           gpointer user_data)
{
  Job *job;

  if (self->guest == NULL || self->connection == NULL)
    {
      g_task_report_new_error (self, callback, user_data, hangar_embedded_machine_run_action_async,
                               G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, _ ("“%s” is not running."),
                               hangar_machine_get_name (HANGAR_MACHINE (self)));
      return;
    }
  job = job_new (self);
  job->guest = hv_guest_info_ref (self->guest);
  run_job (self, job, force_off_thread, cancellable, callback, user_data,
           hangar_embedded_machine_run_action_async);
}

static void
hangar_embedded_machine_run_action_async (HangarMachine *machine, HangarMachineAction action,
                                          GCancellable *cancellable, GAsyncReadyCallback callback,
                                          gpointer user_data)
{
  HangarEmbeddedMachine *self = HANGAR_EMBEDDED_MACHINE (machine);
  GTask *task;

  if (action == HANGAR_MACHINE_ACTION_FORCE_OFF)
    {
      force_off (self, cancellable, callback, user_data);
      return;
    }
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hangar_embedded_machine_run_action_async);
  if (refuse_unconnected (self, task))
    {
      g_object_unref (task);
      return;
    }
  switch (action)
    {
      case HANGAR_MACHINE_ACTION_START:
        start (self, task);
        break;
      case HANGAR_MACHINE_ACTION_PAUSE:
        execute (self, "pause", task);
        break;
      case HANGAR_MACHINE_ACTION_RESUME:
        execute (self, "resume", task);
        break;
      case HANGAR_MACHINE_ACTION_SHUTDOWN:
        execute (self, "powerdown", task);
        break;
      case HANGAR_MACHINE_ACTION_REBOOT:
        execute (self, "reset", task);
        break;
      case HANGAR_MACHINE_ACTION_FORCE_OFF:
      case HANGAR_MACHINE_ACTION_DELETE:
      case HANGAR_MACHINE_ACTION_CLONE:
      case HANGAR_MACHINE_ACTION_EDIT:
      default:
        g_assert_not_reached ();
    }
}

static gboolean
hangar_embedded_machine_run_action_finish (HangarMachine *machine, GAsyncResult *result,
                                           GError **error)
{
  return finish_job (result, error);
}

/* ---- Delete ---- */

static void
delete_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;

  if (hv_store_delete_machine (job->store, job->name, job->flag, &error))
    g_task_return_pointer (task, NULL, NULL);
  else
    g_task_return_error (task, error);
}

static void
hangar_embedded_machine_delete_async (HangarMachine *machine, gboolean with_disks,
                                      GCancellable *cancellable, GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  HangarEmbeddedMachine *self = HANGAR_EMBEDDED_MACHINE (machine);
  Job *job;

  job = job_new_or_report (self, callback, user_data, hangar_embedded_machine_delete_async);
  if (job == NULL)
    return;
  job->flag = with_disks;
  job->forget = TRUE;
  run_job (self, job, delete_thread, cancellable, callback, user_data,
           hangar_embedded_machine_delete_async);
}

static gboolean
hangar_embedded_machine_delete_finish (HangarMachine *machine, GAsyncResult *result, GError **error)
{
  return finish_job (result, error);
}

/* ---- Clone ---- */

/* Writable disks are copied, keeping holes, into the clone's directory;
 * read-only ones and CD-ROMs are shared. COPIES gets the new files. */
static gboolean
copy_disks (HvMachineConfig *clone, const char *directory, GPtrArray *copies,
            GCancellable *cancellable, GError **error)
{
  for (guint i = 0; i < clone->disks->len; i++)
    {
      HvDiskConfig *disk = g_ptr_array_index (clone->disks, i);
      g_autofree char *base = g_path_get_basename (disk->path);
      g_autofree char *file = g_strdup_printf ("%u-%s", i, base);
      g_autofree char *copy = g_build_filename (directory, i == 0 ? base : file, NULL);

      if (disk->readonly || disk->cdrom)
        continue;
      if (!hv_disk_copy (disk->path, copy, cancellable, NULL, NULL, error))
        return FALSE;
      g_ptr_array_add (copies, g_strdup (copy));
      g_free (disk->path);
      disk->path = g_steal_pointer (&copy);
    }
  return TRUE;
}

static HvMachineConfig *
clone_config (const HvMachineConfig *original, const char *new_name)
{
  HvMachineConfig *clone = hv_machine_config_copy (original);

  g_free (clone->name);
  clone->name = g_strdup (new_name);
  /* The store gives the clone its own UUID and MACs. */
  g_clear_pointer (&clone->uuid, g_free);
  for (guint i = 0; i < clone->nics->len; i++)
    g_clear_pointer (&((HvNicConfig *) g_ptr_array_index (clone->nics, i))->mac, g_free);
  return clone;
}

static gboolean
make_clone (Job *job, GPtrArray *copies, const char *directory, GCancellable *cancellable,
            GError **error)
{
  g_autoptr (HvMachineConfig) original = hv_store_load_machine (job->store, job->name, error);
  g_autoptr (HvMachineConfig) clone = NULL;

  if (original == NULL || !hv_name_is_valid (job->new_name, error))
    return FALSE;
  if (g_file_test (directory, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _ ("A machine named “%s” exists already: choose another name."), job->new_name);
      return FALSE;
    }
  if (g_mkdir_with_parents (directory, 0700) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), _ ("Could not create %s: %s"),
                   directory, g_strerror (errno));
      return FALSE;
    }
  clone = clone_config (original, job->new_name);
  return copy_disks (clone, directory, copies, cancellable, error) &&
         hv_store_create_machine (job->store, clone, cancellable, error);
}

static void
clone_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr (GPtrArray) copies = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *directory = hv_store_get_machine_directory (job->store, job->new_name);
  gboolean existed = g_file_test (directory, G_FILE_TEST_EXISTS);
  GError *error = NULL;

  if (make_clone (job, copies, directory, cancellable, &error))
    {
      return_scan (task, job->store, job->new_name);
      return;
    }
  /* Leave nothing half-made behind. */
  for (guint i = 0; i < copies->len; i++)
    g_unlink (g_ptr_array_index (copies, i));
  if (!existed)
    g_rmdir (directory);
  g_task_return_error (task, error);
}

static void
hangar_embedded_machine_clone_async (HangarMachine *machine, const char *new_name,
                                     GCancellable *cancellable, GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  HangarEmbeddedMachine *self = HANGAR_EMBEDDED_MACHINE (machine);
  Job *job;

  job = job_new_or_report (self, callback, user_data, hangar_embedded_machine_clone_async);
  if (job == NULL)
    return;
  job->new_name = g_strdup (new_name);
  run_job (self, job, clone_thread, cancellable, callback, user_data,
           hangar_embedded_machine_clone_async);
}

static HangarMachine *
hangar_embedded_machine_clone_finish (HangarMachine *machine, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- Settings ---- */

static void
update_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr (HvMachineConfig) base = NULL;
  g_autoptr (HvMachineConfig) config = NULL;
  GError *error = NULL;

  base = hv_store_load_machine (job->store, job->name, &error);
  if (base == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (job->spec != NULL)
    config = _hangar_embedded_config_from_spec (job->spec, base);
  else
    {
      config = hv_machine_config_copy (base);
      config->autostart = job->flag;
    }
  /* A new name renames the machine's directory first. */
  if (!g_str_equal (config->name, job->name) &&
      !hv_store_rename_machine (job->store, job->name, config->name, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (!hv_store_update_machine (job->store, config, &error))
    g_task_return_error (task, error);
  else
    return_scan (task, job->store, config->name);
}

static void
hangar_embedded_machine_update_async (HangarMachine *machine, const HangarMachineSpec *spec,
                                      GCancellable *cancellable, GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  HangarEmbeddedMachine *self = HANGAR_EMBEDDED_MACHINE (machine);
  Job *job;

  job = job_new_or_report (self, callback, user_data, hangar_embedded_machine_update_async);
  if (job == NULL)
    return;
  job->spec = hangar_machine_spec_copy (spec);
  job->forget = g_strcmp0 (spec->name, job->name) != 0;
  run_job (self, job, update_thread, cancellable, callback, user_data,
           hangar_embedded_machine_update_async);
}

static gboolean
hangar_embedded_machine_update_finish (HangarMachine *machine, GAsyncResult *result, GError **error)
{
  return finish_job (result, error);
}

static void
hangar_embedded_machine_set_autostart_async (HangarMachine *machine, gboolean autostart,
                                             GCancellable *cancellable,
                                             GAsyncReadyCallback callback, gpointer user_data)
{
  HangarEmbeddedMachine *self = HANGAR_EMBEDDED_MACHINE (machine);
  Job *job;

  job = job_new_or_report (self, callback, user_data, hangar_embedded_machine_set_autostart_async);
  if (job == NULL)
    return;
  job->flag = autostart;
  run_job (self, job, update_thread, cancellable, callback, user_data,
           hangar_embedded_machine_set_autostart_async);
}

static gboolean
hangar_embedded_machine_set_autostart_finish (HangarMachine *machine, GAsyncResult *result,
                                              GError **error)
{
  return finish_job (result, error);
}

/* ---- GObject ---- */

static void
hangar_embedded_machine_dispose (GObject *object)
{
  _hangar_embedded_machine_detach (HANGAR_EMBEDDED_MACHINE (object));
  G_OBJECT_CLASS (hangar_embedded_machine_parent_class)->dispose (object);
}

static void
hangar_embedded_machine_finalize (GObject *object)
{
  HangarEmbeddedMachine *self = HANGAR_EMBEDDED_MACHINE (object);

  g_clear_weak_pointer (&self->connection);
  g_clear_pointer (&self->config, hv_machine_config_free);
  g_clear_pointer (&self->guest, hv_guest_info_unref);
  G_OBJECT_CLASS (hangar_embedded_machine_parent_class)->finalize (object);
}

/* ---- Consoles: the guest's own sockets ---- */

static gboolean
check_running (HangarEmbeddedMachine *self, GTask *task)
{
  if (self->guest != NULL)
    return TRUE;
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, _ ("“%s” is not running."),
                           hangar_machine_get_name (HANGAR_MACHINE (self)));
  return FALSE;
}

static void
hangar_embedded_machine_open_graphics_async (HangarMachine *machine, GCancellable *cancellable,
                                             GAsyncReadyCallback callback, gpointer user_data)
{
  HangarEmbeddedMachine *self = HANGAR_EMBEDDED_MACHINE (machine);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  if (!check_running (self, task))
    return;
  if (self->config->display != HV_DISPLAY_SPICE)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _ ("“%s” has no screen: give it a SPICE display in its settings."),
                               hangar_machine_get_name (machine));
      return;
    }
  g_task_return_pointer (
      task, g_build_filename (hv_guest_info_get_runtime_dir (self->guest), "spice.sock", NULL),
      g_free);
}

/* The display is a unix socket: the path, never a descriptor. */
static int
hangar_embedded_machine_open_graphics_finish (HangarMachine *machine, GAsyncResult *result,
                                              char **unix_path, GError **error)
{
  *unix_path = g_task_propagate_pointer (G_TASK (result), error);
  return -1;
}

static void
hangar_embedded_machine_open_serial_async (HangarMachine *machine, GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data)
{
  HangarEmbeddedMachine *self = HANGAR_EMBEDDED_MACHINE (machine);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  GSocketConnection *console;
  GError *error = NULL;

  if (!check_running (self, task))
    return;
  /* A local unix socket: connecting does not block. */
  console = hv_guest_info_connect_console (self->guest, cancellable, &error);
  if (console == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, console, g_object_unref);
}

static GIOStream *
hangar_embedded_machine_open_serial_finish (HangarMachine *machine, GAsyncResult *result,
                                            GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
screendump_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (JsonObject) reply = NULL;
  GError *error = NULL;

  reply = hv_client_execute_finish (HV_CLIENT (source), result, &error);
  if (reply == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* No waiting for a client still connecting: a thumbnail just tries again. */
void
hangar_embedded_machine_screendump_async (HangarEmbeddedMachine *self, const char *filename,
                                          GCancellable *cancellable, GAsyncReadyCallback callback,
                                          gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (JsonObject) arguments = NULL;

  g_return_if_fail (HANGAR_IS_EMBEDDED_MACHINE (self));
  g_return_if_fail (g_path_is_absolute (filename));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hangar_embedded_machine_screendump_async);
  if (self->client == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _ ("“%s” is not running, or Hangar is still connecting to it."),
                               hangar_machine_get_name (HANGAR_MACHINE (self)));
      return;
    }
  arguments = json_object_new ();
  json_object_set_string_member (arguments, "filename", filename);
  hv_client_execute (self->client, "screendump", arguments, cancellable, screendump_done,
                     g_steal_pointer (&task));
}

gboolean
hangar_embedded_machine_screendump_finish (HangarEmbeddedMachine *self, GAsyncResult *result,
                                           GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
hangar_embedded_machine_class_init (HangarEmbeddedMachineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  HangarMachineClass *machine_class = HANGAR_MACHINE_CLASS (klass);

  object_class->dispose = hangar_embedded_machine_dispose;
  object_class->finalize = hangar_embedded_machine_finalize;

  machine_class->run_action_async = hangar_embedded_machine_run_action_async;
  machine_class->run_action_finish = hangar_embedded_machine_run_action_finish;
  machine_class->delete_async = hangar_embedded_machine_delete_async;
  machine_class->delete_finish = hangar_embedded_machine_delete_finish;
  machine_class->clone_async = hangar_embedded_machine_clone_async;
  machine_class->clone_finish = hangar_embedded_machine_clone_finish;
  machine_class->update_async = hangar_embedded_machine_update_async;
  machine_class->update_finish = hangar_embedded_machine_update_finish;
  machine_class->set_autostart_async = hangar_embedded_machine_set_autostart_async;
  machine_class->set_autostart_finish = hangar_embedded_machine_set_autostart_finish;
  machine_class->open_graphics_async = hangar_embedded_machine_open_graphics_async;
  machine_class->open_graphics_finish = hangar_embedded_machine_open_graphics_finish;
  machine_class->open_serial_async = hangar_embedded_machine_open_serial_async;
  machine_class->open_serial_finish = hangar_embedded_machine_open_serial_finish;
}

static void
hangar_embedded_machine_init (HangarEmbeddedMachine *self)
{
}

HangarEmbeddedMachine *
_hangar_embedded_machine_new (HangarEmbeddedConnection *connection, HangarEmbeddedScan *scan)
{
  HangarEmbeddedMachine *self = g_object_new (HANGAR_TYPE_EMBEDDED_MACHINE, "name",
                                              scan->config->name, "uuid", scan->config->uuid, NULL);

  g_set_weak_pointer (&self->connection, connection);
  _hangar_embedded_machine_apply (self, scan);
  return self;
}
