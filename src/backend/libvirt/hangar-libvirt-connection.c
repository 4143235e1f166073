/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libvirt-glib/libvirt-glib.h>
#include <unistd.h>
#include <libvirt/virterror.h>

#include "hangar-host.h"
#include "hangar-libvirt-private.h"
#include "hangar-libvirt-uri.h"
#include "hangar-libvirt-xml.h"

struct _HangarLibvirtConnection
{
  HangarConnection parent_instance;

  virConnectPtr handle;
  int lifecycle_callback;
  GHashTable *machines_by_uuid; /* uuid -> HangarLibvirtMachine (borrowed from the list) */

  guint stats_interval_ms;
  guint stats_source;
  gboolean stats_pending;
  GHashTable *last_totals; /* uuid -> StatsTotals */
};

G_DEFINE_FINAL_TYPE (HangarLibvirtConnection, hangar_libvirt_connection, HANGAR_TYPE_CONNECTION)

typedef struct
{
  gint64 time_us; /* when sampled, monotonic */
  guint64 cpu_ns;
  guint vcpus;
  double memory_mib;
  guint64 disk_read, disk_write, net_rx, net_tx;
} StatsTotals;

/* ---- Errors and domain reading (worker threads) ---- */

void
_hangar_libvirt_domain_info_free (HangarLibvirtDomainInfo *info)
{
  if (info == NULL)
    return;
  if (info->domain != NULL)
    virDomainFree (info->domain);
  g_free (info->uuid);
  hangar_machine_spec_free (info->spec);
  g_free (info);
}

static HangarMachineState
state_from_libvirt (int state)
{
  switch (state)
    {
      case VIR_DOMAIN_RUNNING:
      case VIR_DOMAIN_BLOCKED:
        return HANGAR_MACHINE_STATE_RUNNING;
      case VIR_DOMAIN_PAUSED:
      case VIR_DOMAIN_PMSUSPENDED:
        return HANGAR_MACHINE_STATE_PAUSED;
      case VIR_DOMAIN_SHUTDOWN:
        return HANGAR_MACHINE_STATE_SHUTTING_DOWN;
      case VIR_DOMAIN_CRASHED:
        return HANGAR_MACHINE_STATE_CRASHED;
      default:
        return HANGAR_MACHINE_STATE_STOPPED;
    }
}

/* libvirt networks without a <forward> element route nowhere: to the user,
 * that is an isolated network, not NAT. */
static void
refine_network_modes (virConnectPtr conn, HangarMachineSpec *spec)
{
  for (guint i = 0; i < spec->nics->len; i++)
    {
      HangarNicSpec *nic = g_ptr_array_index (spec->nics, i);
      virNetworkPtr network;
      char *xml;

      if (nic->mode != HANGAR_NETWORK_NAT || nic->source == NULL)
        continue;
      network = virNetworkLookupByName (conn, nic->source);
      if (network == NULL)
        continue;
      xml = virNetworkGetXMLDesc (network, 0);
      if (xml != NULL && strstr (xml, "<forward") == NULL)
        nic->mode = HANGAR_NETWORK_ISOLATED;
      free (xml);
      virNetworkFree (network);
    }
}

HangarLibvirtDomainInfo *
_hangar_libvirt_read_domain (virDomainPtr domain, GError **error)
{
  g_autoptr (HangarLibvirtDomainInfo) info = g_new0 (HangarLibvirtDomainInfo, 1);
  char uuid[VIR_UUID_STRING_BUFLEN];
  char *xml;
  int state, reason, autostart = 0;

  virDomainRef (domain);
  info->domain = domain;
  if (virDomainGetUUIDString (domain, uuid) < 0 ||
      virDomainGetState (domain, &state, &reason, 0) < 0)
    {
      _hangar_libvirt_set_error (error, _ ("Could not read the state of “%s”: %s"),
                                 virDomainGetName (domain));
      return NULL;
    }
  xml = virDomainGetXMLDesc (domain, 0);
  if (xml == NULL)
    {
      _hangar_libvirt_set_error (error, _ ("Could not read the settings of “%s”: %s"),
                                 virDomainGetName (domain));
      return NULL;
    }
  info->spec = hangar_libvirt_xml_to_spec (xml, error);
  free (xml);
  if (info->spec == NULL)
    return NULL;

  virDomainGetAutostart (domain, &autostart);
  refine_network_modes (virDomainGetConnect (domain), info->spec);
  info->uuid = g_strdup (uuid);
  info->state = state_from_libvirt (state);
  info->autostart = autostart != 0;
  return g_steal_pointer (&info);
}

/* ---- The connection's machines (main thread) ---- */

virConnectPtr
_hangar_libvirt_connection_get_handle (HangarLibvirtConnection *self)
{
  return self->handle;
}

gboolean
_hangar_libvirt_connection_is_local (HangarLibvirtConnection *self)
{
  return hangar_libvirt_uri_is_local (hangar_connection_get_uri (HANGAR_CONNECTION (self)));
}

HangarMachine *
_hangar_libvirt_connection_apply (HangarLibvirtConnection *self, HangarLibvirtDomainInfo *info)
{
  HangarLibvirtMachine *machine = g_hash_table_lookup (self->machines_by_uuid, info->uuid);

  if (machine != NULL)
    {
      _hangar_libvirt_machine_apply (machine, info);
      return HANGAR_MACHINE (machine);
    }

  machine = _hangar_libvirt_machine_new (self, info);
  g_hash_table_insert (self->machines_by_uuid, g_strdup (info->uuid), machine);
  _hangar_connection_add_machine (HANGAR_CONNECTION (self), HANGAR_MACHINE (machine));
  g_object_unref (machine);
  return HANGAR_MACHINE (machine);
}

void
_hangar_libvirt_connection_forget (HangarLibvirtConnection *self, const char *uuid)
{
  HangarLibvirtMachine *machine = g_hash_table_lookup (self->machines_by_uuid, uuid);

  if (machine == NULL)
    return;
  g_hash_table_remove (self->last_totals, uuid);
  /* The list holds the last reference: drop the index entry first. */
  g_object_ref (machine);
  g_hash_table_remove (self->machines_by_uuid, uuid);
  _hangar_connection_remove_machine (HANGAR_CONNECTION (self), HANGAR_MACHINE (machine));
  g_object_unref (machine);
}

/* ---- Events ---- */

static void
refresh_domain_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  virDomainPtr domain = task_data;
  GError *error = NULL;
  HangarLibvirtDomainInfo *info = _hangar_libvirt_read_domain (domain, &error);

  if (info == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, info, (GDestroyNotify) _hangar_libvirt_domain_info_free);
}

static void
refresh_domain_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HangarLibvirtConnection *self = HANGAR_LIBVIRT_CONNECTION (source);
  g_autoptr (HangarLibvirtDomainInfo) info = NULL;
  g_autoptr (GError) error = NULL;

  info = g_task_propagate_pointer (G_TASK (result), &error);
  /* A domain undefined meanwhile cannot be read: its UNDEFINED event removes it. */
  if (info != NULL && self->handle != NULL)
    _hangar_libvirt_connection_apply (self, info);
}

static void
refresh_domain (HangarLibvirtConnection *self, virDomainPtr domain)
{
  g_autoptr (GTask) task = g_task_new (self, NULL, refresh_domain_done, NULL);

  virDomainRef (domain);
  g_task_set_task_data (task, domain, (GDestroyNotify) virDomainFree);
  g_task_run_in_thread (task, refresh_domain_thread);
}

static int
on_lifecycle_event (virConnectPtr conn, virDomainPtr domain, int event, int detail, void *opaque)
{
  HangarLibvirtConnection *self = opaque;
  char uuid[VIR_UUID_STRING_BUFLEN];

  if (virDomainGetUUIDString (domain, uuid) < 0)
    return 0;

  if (event == VIR_DOMAIN_EVENT_UNDEFINED)
    _hangar_libvirt_connection_forget (self, uuid);
  else
    refresh_domain (self, domain);
  return 0;
}

/* ---- Resource use ---- */

static guint64
sum_params (virTypedParameterPtr params, int n, const char *prefix, const char *suffix)
{
  guint64 total = 0;

  for (int i = 0; i < n; i++)
    {
      if (g_str_has_prefix (params[i].field, prefix) &&
          g_str_has_suffix (params[i].field, suffix) && params[i].type == VIR_TYPED_PARAM_ULLONG)
        total += params[i].value.ul;
    }
  return total;
}

static void
read_stats_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  virConnectPtr handle = task_data;
  virDomainStatsRecordPtr *records = NULL;
  GHashTable *totals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  int n;

  n = virConnectGetAllDomainStats (handle,
                                   VIR_DOMAIN_STATS_CPU_TOTAL | VIR_DOMAIN_STATS_BALLOON |
                                       VIR_DOMAIN_STATS_VCPU | VIR_DOMAIN_STATS_INTERFACE |
                                       VIR_DOMAIN_STATS_BLOCK,
                                   &records, VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE);
  for (int i = 0; i < n; i++)
    {
      virDomainStatsRecordPtr record = records[i];
      StatsTotals *t = g_new0 (StatsTotals, 1);
      char uuid[VIR_UUID_STRING_BUFLEN];
      unsigned long long value;
      unsigned int vcpus;

      virDomainGetUUIDString (record->dom, uuid);
      t->time_us = g_get_monotonic_time ();
      if (virTypedParamsGetULLong (record->params, record->nparams, "cpu.time", &value) == 1)
        t->cpu_ns = value;
      if (virTypedParamsGetUInt (record->params, record->nparams, "vcpu.current", &vcpus) == 1)
        t->vcpus = vcpus;
      if (virTypedParamsGetULLong (record->params, record->nparams, "balloon.rss", &value) == 1 ||
          virTypedParamsGetULLong (record->params, record->nparams, "balloon.current", &value) == 1)
        t->memory_mib = value / 1024.0;
      /* Hypervisors without these statistics still report the basics. */
      if (t->cpu_ns == 0 || t->memory_mib == 0)
        {
          virDomainInfo info;
          if (virDomainGetInfo (record->dom, &info) == 0)
            {
              t->cpu_ns = t->cpu_ns != 0 ? t->cpu_ns : info.cpuTime;
              t->memory_mib = t->memory_mib != 0 ? t->memory_mib : info.memory / 1024.0;
              t->vcpus = t->vcpus != 0 ? t->vcpus : info.nrVirtCpu;
            }
        }
      t->disk_read = sum_params (record->params, record->nparams, "block.", ".rd.bytes");
      t->disk_write = sum_params (record->params, record->nparams, "block.", ".wr.bytes");
      t->net_rx = sum_params (record->params, record->nparams, "net.", ".rx.bytes");
      t->net_tx = sum_params (record->params, record->nparams, "net.", ".tx.bytes");
      g_hash_table_insert (totals, g_strdup (uuid), t);
    }
  if (records != NULL)
    virDomainStatsRecordListFree (records);
  g_task_return_pointer (task, totals, (GDestroyNotify) g_hash_table_unref);
}

static double
rate (guint64 now, guint64 before, double seconds)
{
  return now >= before && seconds > 0 ? (now - before) / seconds : 0;
}

static void
push_metrics (HangarLibvirtConnection *self, const char *uuid, StatsTotals *now)
{
  HangarMachine *machine = g_hash_table_lookup (self->machines_by_uuid, uuid);
  StatsTotals *before = g_hash_table_lookup (self->last_totals, uuid);
  double values[HANGAR_N_METRICS] = { 0 };
  double seconds;

  if (machine == NULL)
    return;
  if (before != NULL)
    {
      guint vcpus = now->vcpus != 0 ? now->vcpus : MAX (hangar_machine_get_spec (machine)->cpus, 1);

      seconds = (now->time_us - before->time_us) / 1e6;
      values[HANGAR_METRIC_CPU] =
          CLAMP (rate (now->cpu_ns, before->cpu_ns, seconds) / 1e9 / vcpus * 100, 0, 100);
      values[HANGAR_METRIC_DISK_READ] = rate (now->disk_read, before->disk_read, seconds);
      values[HANGAR_METRIC_DISK_WRITE] = rate (now->disk_write, before->disk_write, seconds);
      values[HANGAR_METRIC_NET_RECEIVE] = rate (now->net_rx, before->net_rx, seconds);
      values[HANGAR_METRIC_NET_TRANSMIT] = rate (now->net_tx, before->net_tx, seconds);
    }
  values[HANGAR_METRIC_MEMORY] = now->memory_mib;
  _hangar_machine_push_metrics (machine, values);
}

static void
read_stats_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HangarLibvirtConnection *self = HANGAR_LIBVIRT_CONNECTION (source);
  g_autoptr (GHashTable) totals = g_task_propagate_pointer (G_TASK (result), NULL);
  GHashTableIter iter;
  gpointer uuid, value;

  self->stats_pending = FALSE;
  if (totals == NULL || self->handle == NULL)
    return;

  g_hash_table_iter_init (&iter, totals);
  while (g_hash_table_iter_next (&iter, &uuid, &value))
    {
      push_metrics (self, uuid, value);
      g_hash_table_iter_steal (&iter);
      g_hash_table_insert (self->last_totals, uuid, value);
    }
}

static gboolean
sample_stats (gpointer user_data)
{
  HangarLibvirtConnection *self = user_data;
  g_autoptr (GTask) task = NULL;

  /* A slow host must not pile up requests. */
  if (self->stats_pending || self->handle == NULL)
    return G_SOURCE_CONTINUE;

  self->stats_pending = TRUE;
  task = g_task_new (self, NULL, read_stats_done, NULL);
  virConnectRef (self->handle);
  g_task_set_task_data (task, self->handle, (GDestroyNotify) virConnectClose);
  g_task_run_in_thread (task, read_stats_thread);
  return G_SOURCE_CONTINUE;
}

static void
restart_stats (HangarLibvirtConnection *self)
{
  g_clear_handle_id (&self->stats_source, g_source_remove);
  if (self->handle != NULL && self->stats_interval_ms > 0)
    self->stats_source = g_timeout_add (self->stats_interval_ms, sample_stats, self);
}

void
hangar_libvirt_connection_set_stats_interval (HangarLibvirtConnection *self, guint interval_ms)
{
  g_return_if_fail (HANGAR_IS_LIBVIRT_CONNECTION (self));

  self->stats_interval_ms = interval_ms;
  restart_stats (self);
}

/* ---- Opening ---- */

typedef struct
{
  char *uri;
  virConnectPtr handle;
  GPtrArray *domains; /* of HangarLibvirtDomainInfo */
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_free (data->uri);
  if (data->handle != NULL)
    virConnectClose (data->handle);
  g_clear_pointer (&data->domains, g_ptr_array_unref);
  g_free (data);
}

/* Hangar asks for no passwords on a terminal it does not have: SSH keys or an
 * agent authenticate remote connections, polkit local ones. */
static int
refuse_credentials (virConnectCredentialPtr cred, unsigned int ncred, void *cbdata)
{
  return -1;
}

static char *
describe_open_failure (const char *uri)
{
  virErrorPtr error = virGetLastError ();
  const char *reason = virGetLastErrorMessage ();

  if (error != NULL &&
      (error->code == VIR_ERR_AUTH_FAILED || error->code == VIR_ERR_AUTH_CANCELLED))
    return g_strdup_printf (_ ("Could not log in to %s: %s. For a remote host, set up SSH keys "
                               "(ssh-copy-id) so that no password is asked."),
                            uri, reason);
  if (error != NULL && error->code == VIR_ERR_SYSTEM_ERROR)
    return g_strdup_printf (_ ("Could not reach %s: %s. Check that the host is on and that "
                               "libvirt runs there."),
                            uri, reason);
  return g_strdup_printf (_ ("Could not connect to %s: %s"), uri, reason);
}

static void
open_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  OpenData *data = task_data;
  int credtypes[] = { VIR_CRED_AUTHNAME, VIR_CRED_PASSPHRASE };
  virConnectAuth auth = { credtypes, G_N_ELEMENTS (credtypes), refuse_credentials, NULL };
  virDomainPtr *domains = NULL;
  int n;

  data->handle = virConnectOpenAuth (data->uri, &auth, 0);
  if (data->handle == NULL)
    {
      g_autofree char *message = describe_open_failure (data->uri);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED, "%s", message);
      return;
    }

  n = virConnectListAllDomains (data->handle, &domains, 0);
  if (n < 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_FAILED,
                               _ ("Could not list the machines of %s: %s"), data->uri,
                               virGetLastErrorMessage ());
      return;
    }
  data->domains =
      g_ptr_array_new_with_free_func ((GDestroyNotify) _hangar_libvirt_domain_info_free);
  for (int i = 0; i < n; i++)
    {
      /* A domain undefined while we list is simply not there. */
      HangarLibvirtDomainInfo *info = _hangar_libvirt_read_domain (domains[i], NULL);
      if (info != NULL)
        g_ptr_array_add (data->domains, info);
      virDomainFree (domains[i]);
    }
  free (domains);
  g_task_return_boolean (task, TRUE);
}

static gboolean
report_connection_lost (gpointer user_data)
{
  HangarConnection *connection = user_data;
  g_autofree char *message = g_strdup_printf (
      _ ("The connection to %s was lost. Reconnect when the host is reachable again."),
      hangar_connection_get_uri (connection));

  hangar_connection_close (connection);
  _hangar_connection_set_state (connection, HANGAR_CONNECTION_STATE_FAILED, message);
  return G_SOURCE_REMOVE;
}

/* libvirt calls this from inside its own bookkeeping: close later. */
static void
on_connection_closed (virConnectPtr conn, int reason, void *opaque)
{
  if (reason != VIR_CONNECT_CLOSE_REASON_CLIENT)
    g_idle_add_full (G_PRIORITY_DEFAULT, report_connection_lost, g_object_ref (opaque),
                     g_object_unref);
}

static void
open_thread_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HangarLibvirtConnection *self = HANGAR_LIBVIRT_CONNECTION (source);
  g_autoptr (GTask) outer = user_data;
  GTask *inner = G_TASK (result);
  OpenData *data = g_task_get_task_data (inner);
  GError *error = NULL;

  if (!g_task_propagate_boolean (inner, &error))
    {
      _hangar_connection_set_state (HANGAR_CONNECTION (self), HANGAR_CONNECTION_STATE_FAILED,
                                    error->message);
      g_task_return_error (outer, error);
      return;
    }

  self->handle = g_steal_pointer (&data->handle);
  self->lifecycle_callback =
      virConnectDomainEventRegisterAny (self->handle, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                        VIR_DOMAIN_EVENT_CALLBACK (on_lifecycle_event), self, NULL);
  virConnectRegisterCloseCallback (self->handle, on_connection_closed, self, NULL);
  for (guint i = 0; i < data->domains->len; i++)
    _hangar_libvirt_connection_apply (self, g_ptr_array_index (data->domains, i));

  _hangar_connection_set_state (HANGAR_CONNECTION (self), HANGAR_CONNECTION_STATE_CONNECTED, NULL);
  restart_stats (self);
  g_task_return_boolean (outer, TRUE);
}

/* The thread starts once the main loop has nothing more urgent, its redraws
 * included: at start-up the window's first frame then no longer shares the
 * processor with libvirt opening the connection and reading its domains.
 * The connection says "connecting" meanwhile. */
static gboolean
start_open_thread (gpointer user_data)
{
  g_task_run_in_thread (G_TASK (user_data), open_thread);
  return G_SOURCE_REMOVE;
}

static void
hangar_libvirt_connection_open_async (HangarConnection *connection, GCancellable *cancellable,
                                      GAsyncReadyCallback callback, gpointer user_data)
{
  HangarLibvirtConnection *self = HANGAR_LIBVIRT_CONNECTION (connection);
  GTask *outer = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GTask) inner = g_task_new (self, cancellable, open_thread_done, outer);
  OpenData *data = g_new0 (OpenData, 1);

  g_task_set_source_tag (outer, hangar_libvirt_connection_open_async);
  data->uri = g_strdup (hangar_connection_get_uri (connection));
  g_task_set_task_data (inner, data, (GDestroyNotify) open_data_free);
  g_idle_add_full (G_PRIORITY_LOW, start_open_thread, g_object_ref (inner), g_object_unref);
}

static gboolean
hangar_libvirt_connection_open_finish (HangarConnection *connection, GAsyncResult *result,
                                       GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
hangar_libvirt_connection_close (HangarConnection *connection)
{
  HangarLibvirtConnection *self = HANGAR_LIBVIRT_CONNECTION (connection);

  g_clear_handle_id (&self->stats_source, g_source_remove);
  g_hash_table_remove_all (self->machines_by_uuid);
  g_hash_table_remove_all (self->last_totals);
  if (self->handle == NULL)
    return;

  if (self->lifecycle_callback >= 0)
    virConnectDomainEventDeregisterAny (self->handle, self->lifecycle_callback);
  self->lifecycle_callback = -1;
  virConnectUnregisterCloseCallback (self->handle, on_connection_closed);
  virConnectClose (self->handle);
  self->handle = NULL;
}

/* ---- Creating machines ---- */

typedef struct
{
  virConnectPtr handle;
  HangarMachineSpec *spec;
  char *domain_type;
  gboolean local;
  GPtrArray *created_files;   /* sparse files made here, removed on failure */
  GPtrArray *created_volumes; /* of virStorageVolPtr, deleted on failure */
} DefineData;

static void
define_data_free (DefineData *data)
{
  virConnectClose (data->handle);
  hangar_machine_spec_free (data->spec);
  g_free (data->domain_type);
  g_ptr_array_unref (data->created_files);
  g_ptr_array_unref (data->created_volumes);
  g_free (data);
}

static void
undo_created_disks (DefineData *data)
{
  for (guint i = 0; i < data->created_volumes->len; i++)
    virStorageVolDelete (g_ptr_array_index (data->created_volumes, i), 0);
  for (guint i = 0; i < data->created_files->len; i++)
    g_unlink (g_ptr_array_index (data->created_files, i));
  g_ptr_array_set_size (data->created_volumes, 0);
  g_ptr_array_set_size (data->created_files, 0);
}

/* The text of the first <path> in a pool's XML: its target directory. */
static char *
pool_target_path (virStoragePoolPtr pool)
{
  char *xml = virStoragePoolGetXMLDesc (pool, 0);
  const char *start, *end;
  char *path = NULL;

  start = xml != NULL ? strstr (xml, "<path>") : NULL;
  end = start != NULL ? strstr (start, "</path>") : NULL;
  if (end != NULL)
    path = g_strndup (start + 6, end - start - 6);
  free (xml);
  return path;
}

/* The active pool whose directory is DIR, or NULL. */
static virStoragePoolPtr
find_pool_for_dir (virConnectPtr handle, const char *dir)
{
  virStoragePoolPtr *pools = NULL;
  virStoragePoolPtr found = NULL;
  int n = virConnectListAllStoragePools (handle, &pools, VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE);

  for (int i = 0; i < n; i++)
    {
      g_autofree char *path = found == NULL ? pool_target_path (pools[i]) : NULL;

      if (found == NULL && g_strcmp0 (path, dir) == 0)
        found = pools[i];
      else
        virStoragePoolFree (pools[i]);
    }
  free (pools);
  virResetLastError ();
  return found;
}

static gboolean
create_volume (DefineData *data, virStoragePoolPtr pool, HangarDiskSpec *disk, GError **error)
{
  g_autofree char *name = g_path_get_basename (disk->path);
  g_autofree char *xml = g_markup_printf_escaped (
      "<volume><name>%s</name><capacity unit='bytes'>%" G_GUINT64_FORMAT "</capacity>"
      "<allocation unit='bytes'>0</allocation><target><format type='%s'/></target></volume>",
      name, disk->size_bytes, g_str_has_suffix (name, ".qcow2") ? "qcow2" : "raw");
  virStorageVolPtr volume = virStorageVolCreateXML (pool, xml, 0);
  char *path;

  if (volume == NULL)
    {
      _hangar_libvirt_set_error (error, _ ("Could not create the disk %s: %s"), disk->path);
      return FALSE;
    }
  g_ptr_array_add (data->created_volumes, volume);
  path = virStorageVolGetPath (volume);
  if (path != NULL)
    {
      g_free (disk->path);
      disk->path = g_strdup (path);
      free (path);
    }
  return TRUE;
}

static gboolean
create_sparse_file (DefineData *data, HangarDiskSpec *disk, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (disk->path);
  int fd;

  if (g_mkdir_with_parents (dir, 0755) < 0 ||
      (fd = g_open (disk->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Could not create the disk %s: %s"), disk->path, g_strerror (saved));
      return FALSE;
    }
  g_ptr_array_add (data->created_files, g_strdup (disk->path));
  if (ftruncate (fd, disk->size_bytes) < 0)
    {
      int saved = errno;
      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Could not give the disk %s its size: %s"), disk->path, g_strerror (saved));
      return FALSE;
    }
  close (fd);
  return TRUE;
}

/* New disks go into the storage pool of their directory where there is one
 * (libvirt then knows them), else they are sparse files made here. */
static gboolean
create_disks (DefineData *data, GCancellable *cancellable, GError **error)
{
  for (guint i = 0; i < data->spec->disks->len; i++)
    {
      HangarDiskSpec *disk = g_ptr_array_index (data->spec->disks, i);
      g_autofree char *dir = NULL;
      virStoragePoolPtr pool;
      gboolean ok;

      if (!disk->create)
        continue;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      dir = g_path_get_dirname (disk->path);
      pool = find_pool_for_dir (data->handle, dir);
      if (pool != NULL)
        {
          ok = create_volume (data, pool, disk, error);
          virStoragePoolFree (pool);
        }
      else if (data->local)
        ok = create_sparse_file (data, disk, error);
      else
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                       _ ("%s is in no storage pool of the remote host, so Hangar cannot create "
                          "the disk there. Choose a folder of a storage pool."),
                       dir);
          ok = FALSE;
        }
      if (!ok)
        return FALSE;
      disk->create = FALSE;
    }
  return TRUE;
}

/* A lab network that does not exist yet is made: no forward, so no way out,
 * on a private subnet of its own. */
static gboolean
ensure_isolated_network (virConnectPtr handle, const char *name, GError **error)
{
  virNetworkPtr network = virNetworkLookupByName (handle, name);
  g_autofree char *xml = NULL;
  guint subnet = 100 + g_str_hash (name) % 100;

  virResetLastError ();
  if (network != NULL)
    {
      virNetworkFree (network);
      return TRUE;
    }
  xml = g_markup_printf_escaped ("<network><name>%s</name><bridge stp='on' delay='0'/>"
                                 "<ip address='10.%u.0.1' netmask='255.255.255.0'><dhcp>"
                                 "<range start='10.%u.0.100' end='10.%u.0.200'/></dhcp></ip>"
                                 "</network>",
                                 name, subnet, subnet, subnet);
  network = virNetworkDefineXML (handle, xml);
  if (network == NULL || virNetworkCreate (network) < 0)
    {
      _hangar_libvirt_set_error (error, _ ("Could not create the lab network “%s”: %s"), name);
      if (network != NULL)
        virNetworkFree (network);
      return FALSE;
    }
  virNetworkSetAutostart (network, 1);
  virNetworkFree (network);
  return TRUE;
}

static gboolean
ensure_networks (DefineData *data, GError **error)
{
  for (guint i = 0; i < data->spec->nics->len; i++)
    {
      HangarNicSpec *nic = g_ptr_array_index (data->spec->nics, i);

      if (nic->mode == HANGAR_NETWORK_ISOLATED && nic->source != NULL &&
          !ensure_isolated_network (data->handle, nic->source, error))
        return FALSE;
    }
  return TRUE;
}

static void
define_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  DefineData *data = task_data;
  g_autofree char *xml = NULL;
  virDomainPtr domain;
  HangarLibvirtDomainInfo *info;
  GError *error = NULL;

  domain = virDomainLookupByName (data->handle, data->spec->name);
  virResetLastError ();
  if (domain != NULL)
    {
      virDomainFree (domain);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_EXISTS,
                               _ ("A machine named “%s” exists already: choose another name."),
                               data->spec->name);
      return;
    }
  if (!create_disks (data, cancellable, &error) || !ensure_networks (data, &error) ||
      g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      undo_created_disks (data);
      g_task_return_error (task, error);
      return;
    }
  xml = hangar_libvirt_xml_from_spec (data->spec, data->domain_type);
  domain = virDomainDefineXML (data->handle, xml);
  if (domain == NULL)
    {
      _hangar_libvirt_set_error (&error, _ ("Could not create “%s”: %s"), data->spec->name);
      undo_created_disks (data);
      g_task_return_error (task, error);
      return;
    }
  info = _hangar_libvirt_read_domain (domain, &error);
  virDomainFree (domain);
  if (info == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, info, (GDestroyNotify) _hangar_libvirt_domain_info_free);
}

static void
define_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HangarLibvirtConnection *self = HANGAR_LIBVIRT_CONNECTION (source);
  g_autoptr (GTask) outer = user_data;
  g_autoptr (HangarLibvirtDomainInfo) info = NULL;
  GError *error = NULL;

  info = g_task_propagate_pointer (G_TASK (result), &error);
  if (info == NULL)
    g_task_return_error (outer, error);
  else
    g_task_return_pointer (outer, g_object_ref (_hangar_libvirt_connection_apply (self, info)),
                           g_object_unref);
}

/* libvirt's domain type for this connection's hypervisor. */
static const char *
domain_type (HangarLibvirtConnection *self)
{
  const char *uri = hangar_connection_get_uri (HANGAR_CONNECTION (self));

  if (g_str_has_prefix (uri, "test"))
    return "test";
  if (g_str_has_prefix (uri, "xen"))
    return "xen";
  return "kvm";
}

static void
hangar_libvirt_connection_create_machine_async (HangarConnection *connection,
                                                const HangarMachineSpec *spec,
                                                GCancellable *cancellable,
                                                GAsyncReadyCallback callback, gpointer user_data)
{
  HangarLibvirtConnection *self = HANGAR_LIBVIRT_CONNECTION (connection);
  GTask *outer = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GTask) inner = NULL;
  DefineData *data;
  GError *error = NULL;

  if (self->handle == NULL)
    {
      g_task_return_new_error (outer, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _ ("Not connected to %s: connect first."),
                               hangar_connection_get_uri (connection));
      g_object_unref (outer);
      return;
    }
  if (!hangar_machine_name_is_valid (spec->name, &error))
    {
      g_task_return_error (outer, error);
      g_object_unref (outer);
      return;
    }

  data = g_new0 (DefineData, 1);
  virConnectRef (self->handle);
  data->handle = self->handle;
  data->spec = hangar_machine_spec_copy (spec);
  data->domain_type = g_strdup (domain_type (self));
  data->local = _hangar_libvirt_connection_is_local (self);
  data->created_files = g_ptr_array_new_with_free_func (g_free);
  data->created_volumes = g_ptr_array_new_with_free_func ((GDestroyNotify) virStorageVolFree);
  inner = g_task_new (self, cancellable, define_done, outer);
  g_task_set_task_data (inner, data, (GDestroyNotify) define_data_free);
  g_task_run_in_thread (inner, define_thread);
}

static HangarMachine *
hangar_libvirt_connection_create_machine_finish (HangarConnection *connection, GAsyncResult *result,
                                                 GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static char *
hangar_libvirt_connection_preview_definition (HangarConnection *connection,
                                              const HangarMachineSpec *spec)
{
  return hangar_libvirt_xml_from_spec (spec, domain_type (HANGAR_LIBVIRT_CONNECTION (connection)));
}

/* ---- What the host offers ---- */

typedef struct
{
  virConnectPtr handle;
  gboolean local;
  gboolean system; /* qemu:///system rather than a session */
} ResourcesData;

static void
resources_data_free (ResourcesData *data)
{
  virConnectClose (data->handle);
  g_free (data);
}

static void
read_networks (virConnectPtr handle, GPtrArray *networks)
{
  virNetworkPtr *list = NULL;
  int n = virConnectListAllNetworks (handle, &list, 0);

  for (int i = 0; i < n; i++)
    {
      HangarNetworkInfo *network = g_new0 (HangarNetworkInfo, 1);
      char *xml = virNetworkGetXMLDesc (list[i], 0);

      network->name = g_strdup (virNetworkGetName (list[i]));
      network->isolated = xml != NULL && strstr (xml, "<forward") == NULL;
      g_ptr_array_add (networks, network);
      free (xml);
      virNetworkFree (list[i]);
    }
  free (list);
  virResetLastError ();
}

/* The pool called "default", or else the first active one. */
static virStoragePoolPtr
default_pool (virConnectPtr handle)
{
  virStoragePoolPtr *pools = NULL;
  virStoragePoolPtr pool = virStoragePoolLookupByName (handle, "default");
  int n;

  virResetLastError ();
  if (pool != NULL)
    return pool;
  n = virConnectListAllStoragePools (handle, &pools, VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE);
  for (int i = 0; i < n; i++)
    {
      if (pool == NULL)
        pool = pools[i];
      else
        virStoragePoolFree (pools[i]);
    }
  free (pools);
  virResetLastError ();
  return pool;
}

static GStrv
remote_bridges (virConnectPtr handle)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  virInterfacePtr *list = NULL;
  int n = virConnectListAllInterfaces (handle, &list, 0);

  for (int i = 0; i < n; i++)
    {
      char *xml = virInterfaceGetXMLDesc (list[i], 0);

      if (xml != NULL && strstr (xml, "type='bridge'") != NULL)
        g_strv_builder_add (builder, virInterfaceGetName (list[i]));
      free (xml);
      virInterfaceFree (list[i]);
    }
  free (list);
  virResetLastError ();
  return g_strv_builder_end (builder);
}

static void
read_storage (ResourcesData *data, HangarConnectionResources *resources)
{
  virStoragePoolPtr pool = default_pool (data->handle);
  virStoragePoolInfo info;

  if (pool != NULL)
    {
      resources->storage_dir = pool_target_path (pool);
      if (virStoragePoolGetInfo (pool, &info) == 0)
        resources->free_bytes = info.available;
      virStoragePoolFree (pool);
    }
  if (resources->storage_dir == NULL && data->local)
    {
      resources->storage_dir =
          data->system ? g_strdup ("/var/lib/libvirt/images")
                       : g_build_filename (g_get_user_data_dir (), "libvirt", "images", NULL);
      resources->free_bytes = hangar_host_free_bytes (resources->storage_dir);
    }
}

static void
query_resources_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ResourcesData *data = task_data;
  HangarConnectionResources *resources = g_new0 (HangarConnectionResources, 1);
  virNodeInfo node;

  resources->local = data->local;
  resources->networks = g_ptr_array_new_with_free_func ((GDestroyNotify) hangar_network_info_free);
  if (virNodeGetInfo (data->handle, &node) == 0)
    {
      resources->host_cpus = node.cpus;
      resources->host_memory_mib = node.memory / 1024;
    }
  read_storage (data, resources);
  read_networks (data->handle, resources->networks);
  resources->bridges =
      data->local ? hangar_host_list_bridges ("/sys/class/net") : remote_bridges (data->handle);
  virResetLastError ();
  g_task_return_pointer (task, resources, (GDestroyNotify) hangar_connection_resources_free);
}

static void
hangar_libvirt_connection_query_resources_async (HangarConnection *connection,
                                                 GCancellable *cancellable,
                                                 GAsyncReadyCallback callback, gpointer user_data)
{
  HangarLibvirtConnection *self = HANGAR_LIBVIRT_CONNECTION (connection);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  ResourcesData *data;

  if (self->handle == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED,
                               _ ("Not connected to %s: connect first."),
                               hangar_connection_get_uri (connection));
      return;
    }
  data = g_new0 (ResourcesData, 1);
  virConnectRef (self->handle);
  data->handle = self->handle;
  data->local = _hangar_libvirt_connection_is_local (self);
  data->system = strstr (hangar_connection_get_uri (connection), "/system") != NULL;
  g_task_set_task_data (task, data, (GDestroyNotify) resources_data_free);
  g_task_run_in_thread (task, query_resources_thread);
}

static HangarConnectionResources *
hangar_libvirt_connection_query_resources_finish (HangarConnection *connection,
                                                  GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- GObject ---- */

static void
hangar_libvirt_connection_dispose (GObject *object)
{
  hangar_libvirt_connection_close (HANGAR_CONNECTION (object));

  G_OBJECT_CLASS (hangar_libvirt_connection_parent_class)->dispose (object);
}

static void
hangar_libvirt_connection_finalize (GObject *object)
{
  HangarLibvirtConnection *self = HANGAR_LIBVIRT_CONNECTION (object);

  g_clear_pointer (&self->machines_by_uuid, g_hash_table_unref);
  g_clear_pointer (&self->last_totals, g_hash_table_unref);

  G_OBJECT_CLASS (hangar_libvirt_connection_parent_class)->finalize (object);
}

static void
hangar_libvirt_connection_class_init (HangarLibvirtConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  HangarConnectionClass *connection_class = HANGAR_CONNECTION_CLASS (klass);

  object_class->dispose = hangar_libvirt_connection_dispose;
  object_class->finalize = hangar_libvirt_connection_finalize;

  connection_class->open_async = hangar_libvirt_connection_open_async;
  connection_class->open_finish = hangar_libvirt_connection_open_finish;
  connection_class->close = hangar_libvirt_connection_close;
  connection_class->create_machine_async = hangar_libvirt_connection_create_machine_async;
  connection_class->create_machine_finish = hangar_libvirt_connection_create_machine_finish;
  connection_class->query_resources_async = hangar_libvirt_connection_query_resources_async;
  connection_class->query_resources_finish = hangar_libvirt_connection_query_resources_finish;
  connection_class->preview_definition = hangar_libvirt_connection_preview_definition;

  /* libvirt's events are dispatched from the GLib main loop; this must happen
   * before the first connection opens. */
  gvir_init (NULL, NULL);
  gvir_event_register ();
}

static void
hangar_libvirt_connection_init (HangarLibvirtConnection *self)
{
  self->lifecycle_callback = -1;
  self->stats_interval_ms = 1000;
  self->machines_by_uuid = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->last_totals = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

HangarConnection *
hangar_libvirt_connection_new (const char *uri, const char *title)
{
  g_return_val_if_fail (uri != NULL, NULL);

  return g_object_new (HANGAR_TYPE_LIBVIRT_CONNECTION, "uri", uri, "title", title, NULL);
}
