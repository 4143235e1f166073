/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The embedded back end against the real hv-vmm and the tiny ticker guest
 * (test-embedded-connection HV_VMM TICKER [GTEST OPTIONS]), in a store and
 * runtime directory of the test's own.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "embedded-test-util.h"
#include "hangar-embedded-connection.h"

#include "test-tree.h"
#include "test-loop.h"

#define TIMEOUT_S 30

typedef struct
{
  char *root;
  HvStore *store;
  HangarConnection *connection;
} Fixture;

static HangarConnection *
open_connection (HvStore *store)
{
  HangarConnection *connection = hangar_embedded_connection_new_for_store (store);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  hangar_embedded_connection_set_stats_interval (HANGAR_EMBEDDED_CONNECTION (connection), 100);
  hangar_connection_open_async (connection, NULL, test_store_result, &result);
  g_assert_true (hangar_connection_open_finish (connection,
                                                test_wait_for_result (&result, TIMEOUT_S), &error));
  g_assert_no_error (error);
  g_assert_cmpint (hangar_connection_get_state (connection), ==, HANGAR_CONNECTION_STATE_CONNECTED);
  return connection;
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  fixture->store = scratch_store ("hangar-embedded-XXXXXX", &fixture->root);
  define_test_machine (fixture->store, "beta", 1);
  define_test_machine (fixture->store, "alpha", 2);
  fixture->connection = open_connection (fixture->store);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  HvRuntime *runtime = hv_store_get_runtime (fixture->store);
  g_autoptr (GPtrArray) guests = hv_runtime_list_guests (runtime, NULL, NULL);

  g_clear_object (&fixture->connection);
  /* Guests outlive their connection: a failed case must not leave any. */
  for (guint i = 0; guests != NULL && i < guests->len; i++)
    hv_runtime_kill_guest (runtime, g_ptr_array_index (guests, i), NULL);
  g_clear_object (&fixture->store);
  test_remove_tree (fixture->root);
  g_free (fixture->root);
}

static HangarMachine *
machine_named (HangarConnection *connection, const char *name)
{
  HangarMachine *machine = hangar_connection_find_machine (connection, name);

  g_assert_nonnull (machine);
  return machine;
}

typedef struct
{
  HangarMachine *machine;
  HangarMachineState state;
} StateWait;

static gboolean
state_reached (gpointer data)
{
  StateWait *wait = data;

  return hangar_machine_get_state (wait->machine) == wait->state;
}

static void
assert_state_soon (HangarMachine *machine, HangarMachineState state)
{
  StateWait wait = { machine, state };

  if (!test_wait_until (state_reached, &wait, TIMEOUT_S))
    g_error ("%s is %s, not %s", hangar_machine_get_name (machine),
             hangar_machine_state_to_string (hangar_machine_get_state (machine)),
             hangar_machine_state_to_string (state));
}

static void
run_action (HangarMachine *machine, HangarMachineAction action)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  gboolean done;

  hangar_machine_run_action_async (machine, action, NULL, test_store_result, &result);
  done =
      hangar_machine_run_action_finish (machine, test_wait_for_result (&result, TIMEOUT_S), &error);
  g_assert_no_error (error);
  g_assert_true (done);
}

static void
test_list (Fixture *fixture, gconstpointer data)
{
  GListModel *machines = hangar_connection_get_machines (fixture->connection);
  g_autoptr (HangarMachine) first = NULL;
  const HangarMachineSpec *spec;

  g_assert_cmpstr (hangar_connection_get_uri (fixture->connection), ==, "hangar:///session");
  g_assert_cmpuint (g_list_model_get_n_items (machines), ==, 2);
  first = g_list_model_get_item (machines, 0);
  g_assert_cmpstr (hangar_machine_get_name (first), ==, "alpha");
  g_assert_cmpint (hangar_machine_get_state (first), ==, HANGAR_MACHINE_STATE_STOPPED);
  g_assert_true (g_uuid_string_is_valid (hangar_machine_get_uuid (first)));
  spec = hangar_machine_get_spec (first);
  g_assert_cmpuint (spec->cpus, ==, 2);
  g_assert_cmpuint (spec->memory_mib, ==, 64);
  g_assert_cmpuint (spec->disks->len, ==, 1);
  g_assert_cmpuint (spec->nics->len, ==, 1);
  g_assert_cmpint (((HangarNicSpec *) g_ptr_array_index (spec->nics, 0))->mode, ==,
                   HANGAR_NETWORK_USER);
  g_assert_true (
      g_str_has_prefix (((HangarNicSpec *) g_ptr_array_index (spec->nics, 0))->mac, "52:54:00:"));
}

static gboolean
has_memory_metric (gpointer data)
{
  return hangar_machine_get_metric (data, HANGAR_METRIC_MEMORY) > 0;
}

static void
test_lifecycle (Fixture *fixture, gconstpointer data)
{
  HangarMachine *machine = machine_named (fixture->connection, "alpha");
  g_autoptr (GError) error = NULL;

  g_assert_true (hangar_machine_can (machine, HANGAR_MACHINE_ACTION_START));
  run_action (machine, HANGAR_MACHINE_ACTION_START);
  assert_state_soon (machine, HANGAR_MACHINE_STATE_RUNNING);
  /* Sampled from the hv-vmm process: its resident memory. */
  g_assert_true (test_wait_until (has_memory_metric, machine, TIMEOUT_S));

  /* Neither renamed nor deleted while it runs. */
  g_assert_false (hv_store_rename_machine (fixture->store, "alpha", "omega", &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_STATE);
  g_clear_error (&error);
  g_assert_false (hv_store_delete_machine (fixture->store, "alpha", TRUE, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_STATE);
  g_clear_error (&error);

  run_action (machine, HANGAR_MACHINE_ACTION_PAUSE);
  assert_state_soon (machine, HANGAR_MACHINE_STATE_PAUSED);
  run_action (machine, HANGAR_MACHINE_ACTION_RESUME);
  assert_state_soon (machine, HANGAR_MACHINE_STATE_RUNNING);
  run_action (machine, HANGAR_MACHINE_ACTION_REBOOT);
  assert_state_soon (machine, HANGAR_MACHINE_STATE_RUNNING);
  run_action (machine, HANGAR_MACHINE_ACTION_FORCE_OFF);
  assert_state_soon (machine, HANGAR_MACHINE_STATE_STOPPED);
  g_assert_cmpint (hangar_machine_get_state (machine_named (fixture->connection, "beta")), ==,
                   HANGAR_MACHINE_STATE_STOPPED);
}

/* Machines marked to start with Hangar start when asked, the others do not. */
static void
test_autostart (Fixture *fixture, gconstpointer data)
{
  HangarMachine *alpha = machine_named (fixture->connection, "alpha");
  HangarMachine *beta = machine_named (fixture->connection, "beta");
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  hangar_machine_set_autostart_async (alpha, TRUE, NULL, test_store_result, &result);
  g_assert_true (hangar_machine_set_autostart_finish (
      alpha, test_wait_for_result (&result, TIMEOUT_S), &error));
  g_assert_no_error (error);

  hangar_embedded_connection_start_autostart (HANGAR_EMBEDDED_CONNECTION (fixture->connection));
  assert_state_soon (alpha, HANGAR_MACHINE_STATE_RUNNING);
  g_assert_cmpint (hangar_machine_get_state (beta), ==, HANGAR_MACHINE_STATE_STOPPED);

  /* A running machine is left alone. */
  hangar_embedded_connection_start_autostart (HANGAR_EMBEDDED_CONNECTION (fixture->connection));
  run_action (alpha, HANGAR_MACHINE_ACTION_FORCE_OFF);
  assert_state_soon (alpha, HANGAR_MACHINE_STATE_STOPPED);
}

/* The serial console is the guest's console.sock; a machine without a
 * display has no screen to open. */
static void
test_consoles (Fixture *fixture, gconstpointer data)
{
  HangarMachine *machine = machine_named (fixture->connection, "alpha");
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GIOStream) serial = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) seen = g_string_new (NULL);
  g_autofree char *unix_path = NULL;
  GSocket *socket;
  char buffer[256];

  /* Not running: nothing to open. */
  hangar_machine_open_serial_async (machine, NULL, test_store_result, &result);
  g_assert_null (hangar_machine_open_serial_finish (
      machine, test_wait_for_result (&result, TIMEOUT_S), &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED);
  g_clear_error (&error);
  g_clear_object (&result);

  run_action (machine, HANGAR_MACHINE_ACTION_START);
  assert_state_soon (machine, HANGAR_MACHINE_STATE_RUNNING);

  hangar_machine_open_serial_async (machine, NULL, test_store_result, &result);
  serial = hangar_machine_open_serial_finish (machine, test_wait_for_result (&result, TIMEOUT_S),
                                              &error);
  g_assert_no_error (error);
  g_clear_object (&result);
  socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (serial));
  g_socket_set_timeout (socket, 20);
  while (strstr (seen->str, "tick") == NULL)
    {
      gssize n = g_input_stream_read (g_io_stream_get_input_stream (serial), buffer, sizeof buffer,
                                      NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (n, >, 0);
      g_string_append_len (seen, buffer, n);
    }

  hangar_machine_open_graphics_async (machine, NULL, test_store_result, &result);
  g_assert_cmpint (hangar_machine_open_graphics_finish (
                       machine, test_wait_for_result (&result, TIMEOUT_S), &unix_path, &error),
                   ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_null (unix_path);

  run_action (machine, HANGAR_MACHINE_ACTION_FORCE_OFF);
  assert_state_soon (machine, HANGAR_MACHINE_STATE_STOPPED);
}

/* The guest outlives the connection; a new one finds it running, and
 * follows what another client does to it. */
static void
test_found_again (Fixture *fixture, gconstpointer data)
{
  HangarMachine *machine = machine_named (fixture->connection, "beta");
  g_autoptr (HvGuestInfo) guest = NULL;
  g_autoptr (HvClient) other = NULL;
  g_autoptr (JsonObject) reply = NULL;
  g_autoptr (GError) error = NULL;

  run_action (machine, HANGAR_MACHINE_ACTION_START);
  g_clear_object (&fixture->connection);

  guest = hv_runtime_lookup_guest (hv_store_get_runtime (fixture->store), "beta", NULL, &error);
  g_assert_no_error (error);

  fixture->connection = open_connection (fixture->store);
  machine = machine_named (fixture->connection, "beta");
  assert_state_soon (machine, HANGAR_MACHINE_STATE_RUNNING);
  g_assert_cmpint (hangar_machine_get_state (machine_named (fixture->connection, "alpha")), ==,
                   HANGAR_MACHINE_STATE_STOPPED);

  /* As `hvctl pause beta` would: the STOP event reaches the model. */
  other = hv_client_new_for_guest_sync (guest, NULL, &error);
  g_assert_no_error (error);
  reply = hv_client_execute_sync (other, "pause", NULL, NULL, &error);
  g_assert_no_error (error);
  assert_state_soon (machine, HANGAR_MACHINE_STATE_PAUSED);
  g_clear_pointer (&reply, json_object_unref);
  reply = hv_client_execute_sync (other, "quit", NULL, NULL, &error);
  g_assert_no_error (error);
  assert_state_soon (machine, HANGAR_MACHINE_STATE_STOPPED);
}

typedef struct
{
  HangarConnection *connection;
  const char *name;
  gboolean present;
} PresenceWait;

static gboolean
presence_reached (gpointer data)
{
  PresenceWait *wait = data;

  return (hangar_connection_find_machine (wait->connection, wait->name) != NULL) == wait->present;
}

static gboolean
has_four_cpus (gpointer data)
{
  HangarMachine *machine = hangar_connection_find_machine (data, "gamma");

  return machine != NULL && hangar_machine_get_spec (machine)->cpus == 4;
}

/* `hvctl create` and `hvctl rm` in a terminal show in the app. */
static void
test_store_watched (Fixture *fixture, gconstpointer data)
{
  PresenceWait wait = { fixture->connection, "gamma", TRUE };
  g_autoptr (GError) error = NULL;

  g_autoptr (HvMachineConfig) config = NULL;

  define_test_machine (fixture->store, "gamma", 1);
  g_assert_true (test_wait_until (presence_reached, &wait, TIMEOUT_S));
  /* An edit of machine.conf inside the machine's directory shows too. */
  config = hv_store_load_machine (fixture->store, "gamma", &error);
  g_assert_no_error (error);
  config->cpus = 4;
  g_assert_true (hv_store_update_machine (fixture->store, config, &error));
  g_assert_no_error (error);
  g_assert_true (test_wait_until (has_four_cpus, fixture->connection, TIMEOUT_S));
  g_assert_true (hv_store_delete_machine (fixture->store, "gamma", TRUE, &error));
  g_assert_no_error (error);
  wait.present = FALSE;
  g_assert_true (test_wait_until (presence_reached, &wait, TIMEOUT_S));
  g_assert_cmpuint (g_list_model_get_n_items (hangar_connection_get_machines (fixture->connection)),
                    ==, 2);
}

static void
test_create_clone_delete (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HangarMachineSpec) spec = hangar_machine_spec_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (HangarMachine) created = NULL;
  g_autoptr (HangarMachine) clone = NULL;
  g_autofree char *clone_disk = NULL;
  g_autofree char *created_dir = hv_store_get_machine_directory (fixture->store, "wizard");
  const HangarNicSpec *nic, *clone_nic;

  spec->name = g_strdup ("wizard");
  spec->cpus = 1;
  spec->memory_mib = 128;
  spec->kernel = g_strdup (g_getenv ("HANGAR_TEST_KERNEL"));
  hangar_machine_spec_add_disk (spec, "disk0.img", 4 << 20, FALSE, FALSE);
  hangar_machine_spec_add_nic (spec, HANGAR_NETWORK_NAT, NULL, NULL);
  hangar_connection_create_machine_async (fixture->connection, spec, NULL, test_store_result,
                                          &result);
  created = hangar_connection_create_machine_finish (
      fixture->connection, test_wait_for_result (&result, TIMEOUT_S), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hangar_machine_get_name (created), ==, "wizard");
  g_assert_true (hangar_connection_find_machine (fixture->connection, "wizard") == created);
  nic = g_ptr_array_index (hangar_machine_get_spec (created)->nics, 0);
  g_assert_nonnull (nic->mac);

  g_clear_object (&result);
  hangar_machine_clone_async (created, "wizard-copy", NULL, test_store_result, &result);
  clone = hangar_machine_clone_finish (created, test_wait_for_result (&result, TIMEOUT_S), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hangar_machine_get_name (clone), ==, "wizard-copy");
  g_assert_cmpstr (hangar_machine_get_uuid (clone), !=, hangar_machine_get_uuid (created));
  clone_nic = g_ptr_array_index (hangar_machine_get_spec (clone)->nics, 0);
  g_assert_cmpstr (clone_nic->mac, !=, nic->mac);
  clone_disk = g_strdup (
      ((HangarDiskSpec *) g_ptr_array_index (hangar_machine_get_spec (clone)->disks, 0))->path);
  g_assert_true (g_str_has_suffix (clone_disk, "/wizard-copy/disk0.img"));
  g_assert_true (g_file_test (clone_disk, G_FILE_TEST_IS_REGULAR));

  g_clear_object (&result);
  hangar_machine_delete_async (created, TRUE, NULL, test_store_result, &result);
  g_assert_true (
      hangar_machine_delete_finish (created, test_wait_for_result (&result, TIMEOUT_S), &error));
  g_assert_no_error (error);
  g_assert_null (hangar_connection_find_machine (fixture->connection, "wizard"));
  g_assert_false (g_file_test (created_dir, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (clone_disk, G_FILE_TEST_IS_REGULAR));
}

static void
test_settings (Fixture *fixture, gconstpointer data)
{
  HangarMachine *machine = machine_named (fixture->connection, "alpha");
  g_autoptr (HangarMachineSpec) spec = hangar_machine_spec_copy (hangar_machine_get_spec (machine));
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (HvMachineConfig) config = NULL;
  const char *mac = ((HangarNicSpec *) g_ptr_array_index (spec->nics, 0))->mac;

  spec->cpus = 3;
  g_clear_pointer (&((HangarNicSpec *) g_ptr_array_index (spec->nics, 0))->mac, g_free);
  hangar_machine_update_async (machine, spec, NULL, test_store_result, &result);
  g_assert_true (
      hangar_machine_update_finish (machine, test_wait_for_result (&result, TIMEOUT_S), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  hangar_machine_set_autostart_async (machine, TRUE, NULL, test_store_result, &result);
  g_assert_true (hangar_machine_set_autostart_finish (
      machine, test_wait_for_result (&result, TIMEOUT_S), &error));
  g_assert_no_error (error);

  machine = machine_named (fixture->connection, "alpha");
  g_assert_cmpuint (hangar_machine_get_spec (machine)->cpus, ==, 3);
  g_assert_true (hangar_machine_get_autostart (machine));
  config = hv_store_load_machine (fixture->store, "alpha", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (config->cpus, ==, 3);
  g_assert_true (config->autostart);
  /* The card kept its MAC although the spec did not say it. */
  g_assert_nonnull (mac);
  g_assert_cmpstr (
      ((HvNicConfig *) g_ptr_array_index (config->nics, 0))->mac, ==,
      ((HangarNicSpec *) g_ptr_array_index (hangar_machine_get_spec (machine)->nics, 0))->mac);
}

int
main (int argc, char **argv)
{
  g_autofree char *base = NULL;
  g_autofree char *data_home = NULL;
  int status;

  if (argc < 3 || argv[1][0] == '-' || argv[2][0] == '-')
    g_error ("Usage: %s HV_VMM TICKER_IMAGE [GTEST OPTIONS] (meson test gives them)", argv[0]);
  g_setenv ("HV_VMM_PATH", argv[1], TRUE);
  g_setenv ("HANGAR_TEST_KERNEL", argv[2], TRUE);
  argv[2] = argv[0];
  argc -= 2;
  argv += 2;
  g_test_init (&argc, &argv, NULL);
  /* Nothing of the user's is read or touched, even by hv-vmm. */
  base = g_dir_make_tmp ("hangar-embedded-xdg-XXXXXX", NULL);
  data_home = g_build_filename (base, "data", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", base, TRUE);

#define ADD(path, func) \
  g_test_add ("/embedded/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("list", test_list);
  ADD ("lifecycle", test_lifecycle);
  ADD ("consoles", test_consoles);
  ADD ("autostart", test_autostart);
  ADD ("found-again", test_found_again);
  ADD ("store-watched", test_store_watched);
  ADD ("create-clone-delete", test_create_clone_delete);
  ADD ("settings", test_settings);
#undef ADD
  status = g_test_run ();
  test_remove_tree (base);
  return status;
}
