/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The libvirt back end against libvirt's own test driver: a real libvirt
 * connection whose hypervisor lives in memory, described by data/lab-host.xml.
 */
#include "config.h"

#include <libvirt/libvirt.h>

#include "hangar-libvirt-connection.h"
#include "hangar-libvirt-private.h"

#include "test-loop.h"

typedef struct
{
  HangarConnection *connection;
  GAsyncResult *result;
} Fixture;

static char *
lab_host_uri (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "lab-host.xml", NULL);

  return g_strconcat ("test://", path, NULL);
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autofree char *uri = lab_host_uri ();
  g_autoptr (GError) error = NULL;

  fixture->connection = hangar_libvirt_connection_new (uri, "Lab host");
  hangar_libvirt_connection_set_stats_interval (HANGAR_LIBVIRT_CONNECTION (fixture->connection), 0);
  hangar_connection_open_async (fixture->connection, NULL, test_store_result, &fixture->result);
  g_assert_cmpint (hangar_connection_get_state (fixture->connection), ==,
                   HANGAR_CONNECTION_STATE_CONNECTING);
  g_assert_true (hangar_connection_open_finish (
      fixture->connection, test_wait_for_result (&fixture->result, 20), &error));
  g_assert_no_error (error);
  g_clear_object (&fixture->result);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->result);
  g_clear_object (&fixture->connection);
}

static HangarMachine *
machine_named (Fixture *fixture, const char *name)
{
  HangarMachine *machine = hangar_connection_find_machine (fixture->connection, name);

  g_assert_nonnull (machine);
  return machine;
}

static void
run_action (Fixture *fixture, HangarMachine *machine, HangarMachineAction action)
{
  g_autoptr (GError) error = NULL;

  hangar_machine_run_action_async (machine, action, NULL, test_store_result, &fixture->result);
  g_assert_true (hangar_machine_run_action_finish (
      machine, test_wait_for_result (&fixture->result, 20), &error));
  g_assert_no_error (error);
  g_clear_object (&fixture->result);
}

static void
test_lists_machines (Fixture *fixture, gconstpointer data)
{
  GListModel *machines = hangar_connection_get_machines (fixture->connection);
  const HangarMachineSpec *spec;
  const HangarNicSpec *nic;

  g_assert_cmpint (hangar_connection_get_state (fixture->connection), ==,
                   HANGAR_CONNECTION_STATE_CONNECTED);
  g_assert_cmpuint (g_list_model_get_n_items (machines), ==, 3);

  /* Sorted by name. */
  {
    g_autoptr (HangarMachine) first = g_list_model_get_item (machines, 0);
    g_autoptr (HangarMachine) last = g_list_model_get_item (machines, 2);
    g_assert_cmpstr (hangar_machine_get_name (first), ==, "db");
    g_assert_cmpstr (hangar_machine_get_name (last), ==, "web");
  }

  g_assert_cmpint (hangar_machine_get_state (machine_named (fixture, "web")), ==,
                   HANGAR_MACHINE_STATE_RUNNING);
  g_assert_cmpint (hangar_machine_get_state (machine_named (fixture, "db")), ==,
                   HANGAR_MACHINE_STATE_STOPPED);
  g_assert_cmpint (hangar_machine_get_state (machine_named (fixture, "student01")), ==,
                   HANGAR_MACHINE_STATE_PAUSED);

  spec = hangar_machine_get_spec (machine_named (fixture, "db"));
  g_assert_cmpuint (spec->cpus, ==, 4);
  g_assert_cmpuint (spec->memory_mib, ==, 4096);
  g_assert_cmpuint (spec->disks->len, ==, 2);
  g_assert_cmpstr (((HangarDiskSpec *) g_ptr_array_index (spec->disks, 0))->path, ==,
                   "/images/db.qcow2");
  g_assert_true (((HangarDiskSpec *) g_ptr_array_index (spec->disks, 1))->cdrom);
  nic = g_ptr_array_index (spec->nics, 0);
  /* The 'lab' network has no <forward>: isolated, not NAT. */
  g_assert_cmpint (nic->mode, ==, HANGAR_NETWORK_ISOLATED);
  g_assert_cmpstr (nic->mac, ==, "52:54:00:aa:00:02");

  spec = hangar_machine_get_spec (machine_named (fixture, "student01"));
  g_assert_cmpuint (spec->memory_mib, ==, 512); /* KiB, libvirt's default unit */
  nic = g_ptr_array_index (spec->nics, 0);
  g_assert_cmpint (nic->mode, ==, HANGAR_NETWORK_BRIDGE);
  g_assert_cmpstr (nic->source, ==, "br0");

  nic = g_ptr_array_index (hangar_machine_get_spec (machine_named (fixture, "web"))->nics, 0);
  g_assert_cmpint (nic->mode, ==, HANGAR_NETWORK_NAT);
}

static void
test_lifecycle (Fixture *fixture, gconstpointer data)
{
  HangarMachine *db = machine_named (fixture, "db");

  g_assert_true (hangar_machine_can (db, HANGAR_MACHINE_ACTION_START));
  g_assert_false (hangar_machine_can (db, HANGAR_MACHINE_ACTION_PAUSE));
  run_action (fixture, db, HANGAR_MACHINE_ACTION_START);
  g_assert_cmpint (hangar_machine_get_state (db), ==, HANGAR_MACHINE_STATE_RUNNING);
  g_assert_false (hangar_machine_can (db, HANGAR_MACHINE_ACTION_START));

  run_action (fixture, db, HANGAR_MACHINE_ACTION_PAUSE);
  g_assert_cmpint (hangar_machine_get_state (db), ==, HANGAR_MACHINE_STATE_PAUSED);
  run_action (fixture, db, HANGAR_MACHINE_ACTION_RESUME);
  g_assert_cmpint (hangar_machine_get_state (db), ==, HANGAR_MACHINE_STATE_RUNNING);
  run_action (fixture, db, HANGAR_MACHINE_ACTION_REBOOT);
  g_assert_cmpint (hangar_machine_get_state (db), ==, HANGAR_MACHINE_STATE_RUNNING);
  run_action (fixture, db, HANGAR_MACHINE_ACTION_SHUTDOWN);
  g_assert_cmpint (hangar_machine_get_state (db), ==, HANGAR_MACHINE_STATE_STOPPED);

  run_action (fixture, machine_named (fixture, "web"), HANGAR_MACHINE_ACTION_FORCE_OFF);
  g_assert_cmpint (hangar_machine_get_state (machine_named (fixture, "web")), ==,
                   HANGAR_MACHINE_STATE_STOPPED);
}

static void
test_action_refused_in_wrong_state (Fixture *fixture, gconstpointer data)
{
  HangarMachine *web = machine_named (fixture, "web");
  g_autoptr (GError) error = NULL;

  /* A running machine cannot be started, nor deleted. */
  hangar_machine_run_action_async (web, HANGAR_MACHINE_ACTION_START, NULL, test_store_result,
                                   &fixture->result);
  g_assert_false (
      hangar_machine_run_action_finish (web, test_wait_for_result (&fixture->result, 20), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "web"));
  g_clear_object (&fixture->result);
  g_clear_error (&error);

  hangar_machine_delete_async (web, TRUE, NULL, test_store_result, &fixture->result);
  g_assert_false (
      hangar_machine_delete_finish (web, test_wait_for_result (&fixture->result, 20), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_nonnull (hangar_connection_find_machine (fixture->connection, "web"));
}

static void
test_delete_with_disks (Fixture *fixture, gconstpointer data)
{
  virConnectPtr handle =
      _hangar_libvirt_connection_get_handle (HANGAR_LIBVIRT_CONNECTION (fixture->connection));
  HangarMachine *db = machine_named (fixture, "db");
  g_autoptr (GError) error = NULL;
  virStorageVolPtr volume;

  hangar_machine_delete_async (db, TRUE, NULL, test_store_result, &fixture->result);
  g_assert_true (
      hangar_machine_delete_finish (db, test_wait_for_result (&fixture->result, 20), &error));
  g_assert_no_error (error);
  g_assert_null (hangar_connection_find_machine (fixture->connection, "db"));
  g_assert_cmpuint (g_list_model_get_n_items (hangar_connection_get_machines (fixture->connection)),
                    ==, 2);

  volume = virStorageVolLookupByPath (handle, "/images/db.qcow2");
  g_assert_null (volume);
  /* The ISO was read-only: it is not the machine's to delete. */
  g_assert_null (virDomainLookupByName (handle, "db"));
}

static void
test_clone (Fixture *fixture, gconstpointer data)
{
  virConnectPtr handle =
      _hangar_libvirt_connection_get_handle (HANGAR_LIBVIRT_CONNECTION (fixture->connection));
  HangarMachine *db = machine_named (fixture, "db");
  g_autoptr (HangarMachine) clone = NULL;
  g_autoptr (GError) error = NULL;
  const HangarMachineSpec *spec;
  const HangarDiskSpec *disk;
  virStorageVolPtr volume;

  hangar_machine_clone_async (db, "db-copy", NULL, test_store_result, &fixture->result);
  clone = hangar_machine_clone_finish (db, test_wait_for_result (&fixture->result, 20), &error);
  g_assert_no_error (error);
  g_assert_nonnull (clone);
  g_clear_object (&fixture->result);

  g_assert_cmpstr (hangar_machine_get_name (clone), ==, "db-copy");
  g_assert_true (hangar_connection_find_machine (fixture->connection, "db-copy") == clone);
  g_assert_cmpstr (hangar_machine_get_uuid (clone), !=, hangar_machine_get_uuid (db));
  spec = hangar_machine_get_spec (clone);
  g_assert_cmpuint (spec->cpus, ==, 4);
  disk = g_ptr_array_index (spec->disks, 0);
  g_assert_cmpstr (disk->path, ==, "/images/db-copy.qcow2");
  /* The read-only ISO is shared, not copied. */
  g_assert_cmpstr (((HangarDiskSpec *) g_ptr_array_index (spec->disks, 1))->path, ==,
                   "/isos/debian-12.iso");
  g_assert_cmpstr (((HangarNicSpec *) g_ptr_array_index (spec->nics, 0))->mac, !=,
                   "52:54:00:aa:00:02");

  volume = virStorageVolLookupByPath (handle, "/images/db-copy.qcow2");
  g_assert_nonnull (volume);
  virStorageVolFree (volume);

  /* The name is taken now. */
  hangar_machine_clone_async (db, "db-copy", NULL, test_store_result, &fixture->result);
  g_assert_null (
      hangar_machine_clone_finish (db, test_wait_for_result (&fixture->result, 20), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
}

static void
test_clone_refuses_bad_name (Fixture *fixture, gconstpointer data)
{
  HangarMachine *db = machine_named (fixture, "db");
  g_autoptr (GError) error = NULL;

  hangar_machine_clone_async (db, "../etc", NULL, test_store_result, &fixture->result);
  g_assert_null (
      hangar_machine_clone_finish (db, test_wait_for_result (&fixture->result, 20), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (g_list_model_get_n_items (hangar_connection_get_machines (fixture->connection)),
                    ==, 3);
}

static void
test_update_settings (Fixture *fixture, gconstpointer data)
{
  HangarMachine *db = machine_named (fixture, "db");
  g_autoptr (HangarMachineSpec) spec = hangar_machine_spec_copy (hangar_machine_get_spec (db));
  g_autoptr (GError) error = NULL;
  const HangarMachineSpec *updated;

  spec->cpus = 2;
  spec->memory_mib = 2048;
  hangar_machine_spec_add_nic (spec, HANGAR_NETWORK_NAT, "default", "52:54:00:aa:00:09");
  hangar_machine_update_async (db, spec, NULL, test_store_result, &fixture->result);
  g_assert_true (
      hangar_machine_update_finish (db, test_wait_for_result (&fixture->result, 20), &error));
  g_assert_no_error (error);

  updated = hangar_machine_get_spec (db);
  g_assert_cmpuint (updated->cpus, ==, 2);
  g_assert_cmpuint (updated->memory_mib, ==, 2048);
  g_assert_cmpuint (updated->nics->len, ==, 2);
  g_assert_cmpstr (((HangarNicSpec *) g_ptr_array_index (updated->nics, 1))->mac, ==,
                   "52:54:00:aa:00:09");
  g_assert_cmpuint (updated->disks->len, ==, 2);
}

static void
test_autostart (Fixture *fixture, gconstpointer data)
{
  HangarMachine *db = machine_named (fixture, "db");
  g_autoptr (GError) error = NULL;

  g_assert_false (hangar_machine_get_autostart (db));
  hangar_machine_set_autostart_async (db, TRUE, NULL, test_store_result, &fixture->result);
  g_assert_true (hangar_machine_set_autostart_finish (
      db, test_wait_for_result (&fixture->result, 20), &error));
  g_assert_no_error (error);
  g_assert_true (hangar_machine_get_autostart (db));
}

static void
on_state_notify (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  guint *count = user_data;

  (*count)++;
}

static void
wait_until_state (HangarMachine *machine, HangarMachineState state)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (hangar_machine_get_state (machine) != state)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static void
test_events_update_model (Fixture *fixture, gconstpointer data)
{
  virConnectPtr handle =
      _hangar_libvirt_connection_get_handle (HANGAR_LIBVIRT_CONNECTION (fixture->connection));
  GListModel *machines = hangar_connection_get_machines (fixture->connection);
  HangarMachine *web = machine_named (fixture, "web");
  virDomainPtr domain = virDomainLookupByName (handle, "web");
  virDomainPtr created;
  gint64 deadline;
  guint notified = 0;

  /* Changes made behind Hangar's back, as virsh would make them. */
  g_signal_connect (web, "notify::state", G_CALLBACK (on_state_notify), &notified);
  g_assert_cmpint (virDomainSuspend (domain), ==, 0);
  wait_until_state (web, HANGAR_MACHINE_STATE_PAUSED);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpint (virDomainDestroy (domain), ==, 0);
  wait_until_state (web, HANGAR_MACHINE_STATE_STOPPED);
  virDomainFree (domain);

  created = virDomainDefineXML (handle, "<domain type='test'><name>newcomer</name>"
                                        "<memory unit='MiB'>256</memory><os><type>hvm</type></os>"
                                        "</domain>");
  g_assert_nonnull (created);
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (hangar_connection_find_machine (fixture->connection, "newcomer") == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpuint (g_list_model_get_n_items (machines), ==, 4);

  g_assert_cmpint (virDomainUndefine (created), ==, 0);
  virDomainFree (created);
  while (hangar_connection_find_machine (fixture->connection, "newcomer") != NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  g_assert_cmpuint (g_list_model_get_n_items (machines), ==, 3);
}

static void
test_create_machine (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HangarMachineSpec) spec = hangar_machine_spec_new ();
  g_autoptr (HangarMachine) machine = NULL;
  g_autoptr (GError) error = NULL;

  spec->name = g_strdup ("fresh");
  spec->cpus = 2;
  spec->memory_mib = 768;
  hangar_machine_spec_add_disk (spec, "/images/web.img", 0, FALSE, FALSE);
  hangar_machine_spec_add_nic (spec, HANGAR_NETWORK_NAT, NULL, NULL);
  hangar_connection_create_machine_async (fixture->connection, spec, NULL, test_store_result,
                                          &fixture->result);
  machine = hangar_connection_create_machine_finish (
      fixture->connection, test_wait_for_result (&fixture->result, 20), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hangar_machine_get_name (machine), ==, "fresh");
  g_assert_cmpuint (hangar_machine_get_spec (machine)->memory_mib, ==, 768);
  g_assert_cmpint (hangar_machine_get_state (machine), ==, HANGAR_MACHINE_STATE_STOPPED);
  g_clear_object (&fixture->result);

  /* Twice the same name is refused. */
  hangar_connection_create_machine_async (fixture->connection, spec, NULL, test_store_result,
                                          &fixture->result);
  g_assert_null (hangar_connection_create_machine_finish (
      fixture->connection, test_wait_for_result (&fixture->result, 20), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
}

static void
test_stats (Fixture *fixture, gconstpointer data)
{
  HangarMachine *web = machine_named (fixture, "web");
  double samples[HANGAR_METRIC_HISTORY];
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  hangar_libvirt_connection_set_stats_interval (HANGAR_LIBVIRT_CONNECTION (fixture->connection),
                                                50);
  while (hangar_machine_get_history (web, HANGAR_METRIC_MEMORY, samples) < 3)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  /* The test driver reports the machine's memory as in use. */
  g_assert_cmpfloat (samples[2], >, 0);
  g_assert_cmpfloat (hangar_machine_get_metric (web, HANGAR_METRIC_CPU), >=, 0);
  g_assert_cmpfloat (hangar_machine_get_metric (web, HANGAR_METRIC_CPU), <=, 100);
}

static void
test_unreachable (void)
{
  g_autoptr (HangarConnection) connection =
      hangar_libvirt_connection_new ("test:///no/such/host.xml", NULL);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  hangar_connection_open_async (connection, NULL, test_store_result, &result);
  g_assert_false (
      hangar_connection_open_finish (connection, test_wait_for_result (&result, 20), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_cmpint (hangar_connection_get_state (connection), ==, HANGAR_CONNECTION_STATE_FAILED);
  g_assert_nonnull (
      strstr (hangar_connection_get_error_message (connection), "test:///no/such/host.xml"));
  g_assert_cmpuint (g_list_model_get_n_items (hangar_connection_get_machines (connection)), ==, 0);
}

#define ADD(path, func) \
  g_test_add ("/Hangar/libvirt/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD ("lists-machines", test_lists_machines);
  ADD ("lifecycle", test_lifecycle);
  ADD ("action-refused-in-wrong-state", test_action_refused_in_wrong_state);
  ADD ("delete-with-disks", test_delete_with_disks);
  ADD ("clone", test_clone);
  ADD ("clone-refuses-bad-name", test_clone_refuses_bad_name);
  ADD ("update-settings", test_update_settings);
  ADD ("autostart", test_autostart);
  ADD ("events-update-model", test_events_update_model);
  ADD ("create-machine", test_create_machine);
  ADD ("stats", test_stats);
  g_test_add_func ("/Hangar/libvirt/unreachable", test_unreachable);

  return g_test_run ();
}
