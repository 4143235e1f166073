/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "hangar-embedded-private.h"
#include "hangar-lab.h"

/* DHCP leases change when a member boots: often enough to see that soon. */
#define ADDRESS_INTERVAL_MS 3000

struct _HangarLab
{
  GObject parent_instance;

  HangarEmbeddedConnection *connection; /* weak: the connection owns its labs */
  HvLabConfig *config;
  GListStore *members;
  GHashTable *addresses; /* member name -> IPv4 address */

  guint address_holders;
  guint address_source;
  gboolean querying_addresses;
  GCancellable *cancellable; /* of address queries; cancelled when detached */
};

G_DEFINE_FINAL_TYPE (HangarLab, hangar_lab, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_NAME,
  PROP_TEMPLATE_NAME,
  PROP_COUNT,
  PROP_NETWORK_MODE,
  PROP_MEMBERS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  ADDRESSES_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- Progress, from a worker thread to the main thread ---- */

struct _HangarLabProgressRelay
{
  gatomicrefcount ref_count;
  GMainContext *context;
  HangarLabProgress progress;
  gpointer user_data;
  int finished; /* atomic: once set, the reports still queued are dropped */
};

typedef struct
{
  HangarLabProgressRelay *relay;
  double fraction;
  char *member;
} ProgressReport;

HangarLabProgressRelay *
_hangar_lab_progress_relay_new (HangarLabProgress progress, gpointer user_data)
{
  HangarLabProgressRelay *relay = g_new0 (HangarLabProgressRelay, 1);

  g_atomic_ref_count_init (&relay->ref_count);
  relay->context = g_main_context_ref_thread_default ();
  relay->progress = progress;
  relay->user_data = user_data;
  return relay;
}

static void
relay_unref (HangarLabProgressRelay *relay)
{
  if (!g_atomic_ref_count_dec (&relay->ref_count))
    return;
  g_main_context_unref (relay->context);
  g_free (relay);
}

static void
report_free (ProgressReport *report)
{
  relay_unref (report->relay);
  g_free (report->member);
  g_free (report);
}

static gboolean
deliver_report (gpointer data)
{
  ProgressReport *report = data;

  if (!g_atomic_int_get (&report->relay->finished) && report->relay->progress != NULL)
    report->relay->progress (report->fraction, report->member, report->relay->user_data);
  return G_SOURCE_REMOVE;
}

void
_hangar_lab_progress_relay_report (double fraction, const char *member, gpointer user_data)
{
  HangarLabProgressRelay *relay = user_data;
  ProgressReport *report = g_new0 (ProgressReport, 1);
  g_autoptr (GSource) source = NULL;

  g_atomic_ref_count_inc (&relay->ref_count);
  report->relay = relay;
  report->fraction = fraction;
  report->member = g_strdup (member);
  /* Not g_main_context_invoke (): it runs the callback right here when no
   * thread owns the context at that moment. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, deliver_report, report, (GDestroyNotify) report_free);
  g_source_attach (source, relay->context);
}

void
_hangar_lab_progress_relay_finish (HangarLabProgressRelay *relay)
{
  /* The job that owns the relay may be freed in its worker thread. */
  g_atomic_int_set (&relay->finished, TRUE);
  relay_unref (relay);
}

/* ---- Members ---- */

static gboolean
is_member_of (const HvLabConfig *config, const char *name)
{
  for (guint i = 0; i < config->count; i++)
    {
      g_autofree char *member = hv_lab_config_member_name (config, i);

      if (g_strcmp0 (member, name) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
members_are (HangarLab *self, GPtrArray *machines)
{
  if (g_list_model_get_n_items (G_LIST_MODEL (self->members)) != machines->len)
    return FALSE;
  for (guint i = 0; i < machines->len; i++)
    {
      g_autoptr (HangarMachine) member = g_list_model_get_item (G_LIST_MODEL (self->members), i);

      if (member != g_ptr_array_index (machines, i))
        return FALSE;
    }
  return TRUE;
}

/* The members are the connection's machines of the member names: they come
 * and go with the connection's scans. */
static void
update_members (HangarLab *self)
{
  g_autoptr (GPtrArray) machines = g_ptr_array_new ();
  HangarConnection *connection = HANGAR_CONNECTION (self->connection);

  for (guint i = 0; connection != NULL && i < self->config->count; i++)
    {
      g_autofree char *name = hv_lab_config_member_name (self->config, i);
      HangarMachine *machine = hangar_connection_find_machine (connection, name);

      if (machine != NULL)
        g_ptr_array_add (machines, machine);
    }
  /* A rebuilt model would make every tile watching it start again. */
  if (members_are (self, machines))
    return;
  g_list_store_splice (self->members, 0, g_list_model_get_n_items (G_LIST_MODEL (self->members)),
                       machines->pdata, machines->len);
}

gboolean
hangar_lab_is_member_name (HangarLab *self, const char *name)
{
  g_return_val_if_fail (HANGAR_IS_LAB (self), FALSE);

  return is_member_of (self->config, name);
}

/* ---- Addresses ---- */

/* The card MEMBER has on the lab's network, in lower case; NULL if none. */
static char *
member_mac (HangarLab *self, HangarMachine *member)
{
  const HangarMachineSpec *spec = hangar_machine_get_spec (member);

  for (guint i = 0; i < spec->nics->len; i++)
    {
      HangarNicSpec *nic = g_ptr_array_index (spec->nics, i);

      if (nic->mac != NULL && g_strcmp0 (nic->source, self->config->name) == 0)
        return g_ascii_strdown (nic->mac, -1);
    }
  return NULL;
}

static GHashTable *
addresses_by_mac (GPtrArray *leases)
{
  GHashTable *by_mac = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < leases->len; i++)
    {
      HvNetworkLease *lease = g_ptr_array_index (leases, i);

      if (lease->mac != NULL && lease->address != NULL)
        g_hash_table_replace (by_mac, g_ascii_strdown (lease->mac, -1), g_strdup (lease->address));
    }
  return by_mac;
}

static gboolean
same_addresses (GHashTable *a, GHashTable *b)
{
  GHashTableIter iter;
  gpointer name, address;

  if (g_hash_table_size (a) != g_hash_table_size (b))
    return FALSE;
  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &name, &address))
    if (g_strcmp0 (address, g_hash_table_lookup (b, name)) != 0)
      return FALSE;
  return TRUE;
}

void
_hangar_lab_apply_leases (HangarLab *self, GPtrArray *leases)
{
  g_autoptr (GHashTable) by_mac = addresses_by_mac (leases);
  g_autoptr (GHashTable) addresses =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->members)); i++)
    {
      g_autoptr (HangarMachine) member = g_list_model_get_item (G_LIST_MODEL (self->members), i);
      g_autofree char *mac = member_mac (self, member);
      const char *address = mac != NULL ? g_hash_table_lookup (by_mac, mac) : NULL;

      /* A stopped member's lease outlives it: its address is not in use. */
      if (address != NULL && hangar_machine_get_state (member) != HANGAR_MACHINE_STATE_STOPPED)
        g_hash_table_insert (addresses, g_strdup (hangar_machine_get_name (member)),
                             g_strdup (address));
    }
  if (same_addresses (addresses, self->addresses))
    return;
  g_hash_table_unref (self->addresses);
  self->addresses = g_steal_pointer (&addresses);
  g_signal_emit (self, signals[ADDRESSES_CHANGED], 0);
}

typedef struct
{
  HvRuntime *runtime;
  char *network;
} LeaseQuery;

static void
lease_query_free (LeaseQuery *query)
{
  g_object_unref (query->runtime);
  g_free (query->network);
  g_free (query);
}

static void
query_leases_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LeaseQuery *query = task_data;
  GError *error = NULL;
  GPtrArray *leases = hv_network_query_leases (query->runtime, query->network, cancellable, &error);

  if (leases == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, leases, (GDestroyNotify) g_ptr_array_unref);
}

static void
query_leases_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HangarLab *self = HANGAR_LAB (source);
  g_autoptr (GPtrArray) leases = NULL;
  g_autoptr (GError) error = NULL;

  leases = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->querying_addresses = FALSE;
  /* A network that does not run has no leases: no member has an address. */
  if (leases == NULL)
    leases = g_ptr_array_new ();
  _hangar_lab_apply_leases (self, leases);
}

static gboolean
query_addresses (gpointer user_data)
{
  HangarLab *self = user_data;
  g_autoptr (GTask) task = NULL;
  LeaseQuery *query;

  if (self->querying_addresses || self->connection == NULL)
    return G_SOURCE_CONTINUE;
  self->querying_addresses = TRUE;
  query = g_new0 (LeaseQuery, 1);
  query->runtime =
      g_object_ref (hv_store_get_runtime (hangar_embedded_connection_get_store (self->connection)));
  query->network = g_strdup (self->config->name);
  task = g_task_new (self, self->cancellable, query_leases_done, NULL);
  g_task_set_task_data (task, query, (GDestroyNotify) lease_query_free);
  g_task_run_in_thread (task, query_leases_thread);
  return G_SOURCE_CONTINUE;
}

void
hangar_lab_hold_addresses (HangarLab *self)
{
  g_return_if_fail (HANGAR_IS_LAB (self));

  if (self->address_holders++ > 0)
    return;
  query_addresses (self);
  self->address_source = g_timeout_add (ADDRESS_INTERVAL_MS, query_addresses, self);
}

void
hangar_lab_release_addresses (HangarLab *self)
{
  g_return_if_fail (HANGAR_IS_LAB (self));
  g_return_if_fail (self->address_holders > 0);

  if (--self->address_holders == 0)
    g_clear_handle_id (&self->address_source, g_source_remove);
}

const char *
hangar_lab_get_member_address (HangarLab *self, HangarMachine *member)
{
  g_return_val_if_fail (HANGAR_IS_LAB (self), NULL);
  g_return_val_if_fail (HANGAR_IS_MACHINE (member), NULL);

  return g_hash_table_lookup (self->addresses, hangar_machine_get_name (member));
}

/* ---- Jobs in worker threads ---- */

typedef gboolean (*LabCall) (HvStore *store, const char *name, gpointer job, GCancellable *,
                             GError **error);

typedef struct
{
  HvStore *store;
  char *name;
  LabCall call;
  gboolean with_disks;
  char *filename;
  HangarLabProgressRelay *relay; /* NULL: no progress to report */
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->store);
  g_free (job->name);
  g_free (job->filename);
  g_clear_pointer (&job->relay, _hangar_lab_progress_relay_finish);
  g_free (job);
}

/* Gives JOB the lab's store and name; FALSE, with the error returned on
 * TASK, once the lab has left its connection. */
static gboolean
job_attach (HangarLab *self, Job *job, GTask *task)
{
  if (self->connection == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _ ("The lab “%s” is no longer part of an open connection."),
                               self->config->name);
      return FALSE;
    }
  job->store = g_object_ref (hangar_embedded_connection_get_store (self->connection));
  job->name = g_strdup (self->config->name);
  return TRUE;
}

static void
job_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;

  if (job->call (job->store, job->name, job, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Members started, stopped or gone show up at the next scan: ask for it now. */
static void
job_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HangarLab *self = HANGAR_LAB (source);
  g_autoptr (GTask) outer = user_data;
  GError *error = NULL;

  if (self->connection != NULL)
    _hangar_embedded_connection_queue_rescan (self->connection);
  if (g_task_propagate_boolean (G_TASK (result), &error))
    g_task_return_boolean (outer, TRUE);
  else
    g_task_return_error (outer, error);
}

/* The result is the call's own: one cancelled after it had done its work
 * has done it, and must say so. */
static void
run_job (HangarLab *self, LabCall call, Job *job, GCancellable *cancellable,
         GAsyncReadyCallback callback, gpointer user_data, gpointer source_tag)
{
  GTask *outer = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GTask) inner = NULL;

  g_task_set_source_tag (outer, source_tag);
  g_task_set_check_cancellable (outer, FALSE);
  if (!job_attach (self, job, outer))
    {
      job_free (job);
      g_object_unref (outer);
      return;
    }
  job->call = call;
  inner = g_task_new (self, cancellable, job_done, outer);
  g_task_set_check_cancellable (inner, FALSE);
  g_task_set_task_data (inner, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (inner, job_thread);
}

gboolean
hangar_lab_action_finish (HangarLab *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
call_start (HvStore *store, const char *name, gpointer job, GCancellable *cancellable,
            GError **error)
{
  return hv_lab_start (store, name, cancellable, error);
}

void
hangar_lab_start_all_async (HangarLab *self, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (HANGAR_IS_LAB (self));

  run_job (self, call_start, g_new0 (Job, 1), cancellable, callback, user_data,
           hangar_lab_start_all_async);
}

static gboolean
call_shutdown (HvStore *store, const char *name, gpointer job, GCancellable *cancellable,
               GError **error)
{
  return hv_lab_shutdown (store, name, error);
}

void
hangar_lab_shutdown_all_async (HangarLab *self, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (HANGAR_IS_LAB (self));

  run_job (self, call_shutdown, g_new0 (Job, 1), cancellable, callback, user_data,
           hangar_lab_shutdown_all_async);
}

static gboolean
call_force_off (HvStore *store, const char *name, gpointer job, GCancellable *cancellable,
                GError **error)
{
  return hv_lab_force_off (store, name, error);
}

void
hangar_lab_force_off_all_async (HangarLab *self, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (HANGAR_IS_LAB (self));

  run_job (self, call_force_off, g_new0 (Job, 1), cancellable, callback, user_data,
           hangar_lab_force_off_all_async);
}

static gboolean
call_reset (HvStore *store, const char *name, gpointer data, GCancellable *cancellable,
            GError **error)
{
  Job *job = data;

  return hv_lab_reset (store, name, cancellable, _hangar_lab_progress_relay_report, job->relay,
                       error);
}

void
hangar_lab_reset_async (HangarLab *self, HangarLabProgress progress, gpointer progress_data,
                        GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  Job *job = g_new0 (Job, 1);

  g_return_if_fail (HANGAR_IS_LAB (self));

  job->relay = _hangar_lab_progress_relay_new (progress, progress_data);
  run_job (self, call_reset, job, cancellable, callback, user_data, hangar_lab_reset_async);
}

static gboolean
call_delete (HvStore *store, const char *name, gpointer data, GCancellable *cancellable,
             GError **error)
{
  Job *job = data;

  return hv_lab_delete (store, name, job->with_disks, error);
}

void
hangar_lab_delete_async (HangarLab *self, gboolean with_disks, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  Job *job = g_new0 (Job, 1);

  g_return_if_fail (HANGAR_IS_LAB (self));

  job->with_disks = with_disks;
  run_job (self, call_delete, job, cancellable, callback, user_data, hangar_lab_delete_async);
}

static gboolean
call_export (HvStore *store, const char *name, gpointer data, GCancellable *cancellable,
             GError **error)
{
  Job *job = data;

  return hv_lab_export (store, name, job->filename, error);
}

void
hangar_lab_export_async (HangarLab *self, GFile *file, GCancellable *cancellable,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  Job *job;

  g_return_if_fail (HANGAR_IS_LAB (self));
  g_return_if_fail (G_IS_FILE (file));

  job = g_new0 (Job, 1);
  job->filename = g_file_get_path (file);
  if (job->filename == NULL)
    {
      g_free (job);
      g_task_report_new_error (self, callback, user_data, hangar_lab_export_async, G_IO_ERROR,
                               G_IO_ERROR_NOT_SUPPORTED,
                               _ ("Labs can be exported to a folder of this computer only."));
      return;
    }
  run_job (self, call_export, job, cancellable, callback, user_data, hangar_lab_export_async);
}

/* ---- Resources ---- */

static void
resources_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  HvLabResources *resources = g_new0 (HvLabResources, 1);
  GError *error = NULL;

  if (hv_lab_get_resources (job->store, job->name, resources, &error))
    g_task_return_pointer (task, resources, g_free);
  else
    {
      g_free (resources);
      g_task_return_error (task, error);
    }
}

void
hangar_lab_query_resources_async (HangarLab *self, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  g_return_if_fail (HANGAR_IS_LAB (self));

  g_task_set_source_tag (task, hangar_lab_query_resources_async);
  if (!job_attach (self, job, task))
    {
      job_free (job);
      return;
    }
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, resources_thread);
}

gboolean
hangar_lab_query_resources_finish (HangarLab *self, GAsyncResult *result, HvLabResources *resources,
                                   GError **error)
{
  g_autofree HvLabResources *found = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  found = g_task_propagate_pointer (G_TASK (result), error);
  if (found == NULL)
    return FALSE;
  *resources = *found;
  return TRUE;
}

/* ---- Following the connection ---- */

void
_hangar_lab_apply (HangarLab *self, const HvLabConfig *config)
{
  g_autoptr (HvLabConfig) old = g_steal_pointer (&self->config);

  self->config = hv_lab_config_copy (config);
  update_members (self);
  if (old == NULL)
    return;
  if (g_strcmp0 (old->template_name, config->template_name) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEMPLATE_NAME]);
  if (old->count != config->count)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNT]);
  if (old->network_mode != config->network_mode)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NETWORK_MODE]);
}

void
_hangar_lab_detach (HangarLab *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->address_source, g_source_remove);
  if (self->connection != NULL)
    g_signal_handlers_disconnect_by_data (
        hangar_connection_get_machines (HANGAR_CONNECTION (self->connection)), self);
  g_clear_weak_pointer (&self->connection);
  g_list_store_remove_all (self->members);
}

HangarLab *
_hangar_lab_new (HangarEmbeddedConnection *connection, const HvLabConfig *config)
{
  HangarLab *self = g_object_new (HANGAR_TYPE_LAB, NULL);

  g_set_weak_pointer (&self->connection, connection);
  g_signal_connect_swapped (hangar_connection_get_machines (HANGAR_CONNECTION (connection)),
                            "items-changed", G_CALLBACK (update_members), self);
  _hangar_lab_apply (self, config);
  return self;
}

/* ---- GObject ---- */

const char *
hangar_lab_get_name (HangarLab *self)
{
  g_return_val_if_fail (HANGAR_IS_LAB (self), NULL);
  return self->config->name;
}

const char *
hangar_lab_get_template_name (HangarLab *self)
{
  g_return_val_if_fail (HANGAR_IS_LAB (self), NULL);
  return self->config->template_name;
}

guint
hangar_lab_get_count (HangarLab *self)
{
  g_return_val_if_fail (HANGAR_IS_LAB (self), 0);
  return self->config->count;
}

HvNetworkMode
hangar_lab_get_network_mode (HangarLab *self)
{
  g_return_val_if_fail (HANGAR_IS_LAB (self), HV_NETWORK_MODE_NAT);
  return self->config->network_mode;
}

const HvLabConfig *
hangar_lab_get_config (HangarLab *self)
{
  g_return_val_if_fail (HANGAR_IS_LAB (self), NULL);
  return self->config;
}

GListModel *
hangar_lab_get_members (HangarLab *self)
{
  g_return_val_if_fail (HANGAR_IS_LAB (self), NULL);
  return G_LIST_MODEL (self->members);
}

static void
hangar_lab_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  HangarLab *self = HANGAR_LAB (object);

  switch (prop_id)
    {
      case PROP_NAME:
        g_value_set_string (value, self->config->name);
        break;
      case PROP_TEMPLATE_NAME:
        g_value_set_string (value, self->config->template_name);
        break;
      case PROP_COUNT:
        g_value_set_uint (value, self->config->count);
        break;
      case PROP_NETWORK_MODE:
        g_value_set_enum (value, self->config->network_mode);
        break;
      case PROP_MEMBERS:
        g_value_set_object (value, self->members);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hangar_lab_dispose (GObject *object)
{
  _hangar_lab_detach (HANGAR_LAB (object));
  G_OBJECT_CLASS (hangar_lab_parent_class)->dispose (object);
}

static void
hangar_lab_finalize (GObject *object)
{
  HangarLab *self = HANGAR_LAB (object);

  g_clear_pointer (&self->config, hv_lab_config_free);
  g_clear_object (&self->members);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->addresses, g_hash_table_unref);
  G_OBJECT_CLASS (hangar_lab_parent_class)->finalize (object);
}

static void
hangar_lab_class_init (HangarLabClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = hangar_lab_get_property;
  object_class->dispose = hangar_lab_dispose;
  object_class->finalize = hangar_lab_finalize;

  properties[PROP_NAME] =
      g_param_spec_string ("name", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TEMPLATE_NAME] = g_param_spec_string ("template-name", NULL, NULL, NULL,
                                                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_COUNT] = g_param_spec_uint ("count", NULL, NULL, 0, HV_LAB_MAX_MEMBERS, 0,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NETWORK_MODE] =
      g_param_spec_enum ("network-mode", NULL, NULL, HV_TYPE_NETWORK_MODE, HV_NETWORK_MODE_NAT,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_MEMBERS] = g_param_spec_object ("members", NULL, NULL, G_TYPE_LIST_MODEL,
                                                  G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[ADDRESSES_CHANGED] =
      g_signal_new ("addresses-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                    NULL, NULL, G_TYPE_NONE, 0);
}

static void
hangar_lab_init (HangarLab *self)
{
  self->members = g_list_store_new (HANGAR_TYPE_MACHINE);
  self->addresses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->cancellable = g_cancellable_new ();
}
