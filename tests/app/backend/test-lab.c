/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HangarLab and the labs of the embedded connection against the real
 * hv-vmm, hv-net and the tiny ticker guest as the template
 * (test-lab HV_VMM HV_NET TICKER [GTEST OPTIONS]), in a store and runtime
 * directory of the test's own.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "embedded-test-util.h"
#include "hangar-embedded-private.h"

#include "test-file.h"
#include "test-tree.h"
#include "test-loop.h"

#define TIMEOUT_S 60

typedef struct
{
  char *root;
  HvStore *store;
  HangarConnection *connection;
  HangarEmbeddedConnection *embedded;
} Fixture;

static GThread *main_thread;

/* Spins the main loop until CHECK (DATA) holds, or fails naming WHAT. */
static void
wait_until (gboolean (*check) (gpointer data), gpointer data, const char *what)
{
  if (!test_wait_until (check, data, TIMEOUT_S))
    g_error ("timed out waiting for %s", what);
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  fixture->store = scratch_store ("hangar-lab-XXXXXX", &fixture->root);
  define_test_machine (fixture->store, "template", 1);
  fixture->connection = hangar_embedded_connection_new_for_store (fixture->store);
  fixture->embedded = HANGAR_EMBEDDED_CONNECTION (fixture->connection);
  hangar_connection_open_async (fixture->connection, NULL, test_store_result, &result);
  g_assert_true (hangar_connection_open_finish (fixture->connection,
                                                test_wait_for_result (&result, TIMEOUT_S), &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  HvRuntime *runtime = hv_store_get_runtime (fixture->store);
  g_autoptr (GPtrArray) guests = hv_runtime_list_guests (runtime, NULL, NULL);
  g_autoptr (GPtrArray) networks = hv_network_list (runtime, NULL);

  g_clear_object (&fixture->connection);
  /* Guests and networks outlive their connection: a failed case must not leave any. */
  for (guint i = 0; guests != NULL && i < guests->len; i++)
    hv_runtime_kill_guest (runtime, g_ptr_array_index (guests, i), NULL);
  for (guint i = 0; networks != NULL && i < networks->len; i++)
    hv_network_stop (runtime, g_ptr_array_index (networks, i), 2000, NULL);
  g_clear_object (&fixture->store);
  test_remove_tree (fixture->root);
  g_free (fixture->root);
}

/* ---- Helpers ---- */

typedef struct
{
  GArray *fractions;
  GPtrArray *members;
  gboolean off_main_thread;
} Progress;

static void
record_progress (double fraction, const char *member, gpointer user_data)
{
  Progress *progress = user_data;

  if (g_thread_self () != main_thread)
    progress->off_main_thread = TRUE;
  g_array_append_val (progress->fractions, fraction);
  if (member != NULL)
    g_ptr_array_add (progress->members, g_strdup (member));
}

static void
progress_init (Progress *progress)
{
  progress->fractions = g_array_new (FALSE, FALSE, sizeof (double));
  progress->members = g_ptr_array_new_with_free_func (g_free);
  progress->off_main_thread = FALSE;
}

static void
progress_clear (Progress *progress)
{
  g_array_unref (progress->fractions);
  g_ptr_array_unref (progress->members);
}

/* Reported on the main thread, never going back, about MEMBERS only. */
static void
assert_progress (Progress *progress, const char *prefix)
{
  g_assert_false (progress->off_main_thread);
  g_assert_cmpuint (progress->fractions->len, >, 0);
  for (guint i = 1; i < progress->fractions->len; i++)
    g_assert_cmpfloat (g_array_index (progress->fractions, double, i), >=,
                       g_array_index (progress->fractions, double, i - 1));
  g_assert_cmpfloat (g_array_index (progress->fractions, double, progress->fractions->len - 1), <=,
                     1.0);
  g_assert_cmpuint (progress->members->len, >, 0);
  for (guint i = 0; i < progress->members->len; i++)
    g_assert_true (g_str_has_prefix (g_ptr_array_index (progress->members, i), prefix));
}

static HangarLab *
create_lab (Fixture *fixture, const char *name, guint count, HvNetworkMode mode, Progress *progress)
{
  g_autoptr (HvLabConfig) config = hv_lab_config_new (name, "template", count, mode);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  HangarLab *lab;

  hangar_embedded_connection_create_lab_async (fixture->embedded, config, record_progress, progress,
                                               NULL, test_store_result, &result);
  lab = hangar_embedded_connection_create_lab_finish (
      fixture->embedded, test_wait_for_result (&result, TIMEOUT_S), &error);
  g_assert_no_error (error);
  g_assert_nonnull (lab);
  return lab;
}

typedef void (*LabCall) (HangarLab *lab, GCancellable *cancellable, GAsyncReadyCallback callback,
                         gpointer user_data);

static void
run_lab_call (HangarLab *lab, LabCall call)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  call (lab, NULL, test_store_result, &result);
  g_assert_true (hangar_lab_action_finish (lab, test_wait_for_result (&result, TIMEOUT_S), &error));
  g_assert_no_error (error);
}

typedef struct
{
  HangarLab *lab;
  HangarMachineState state;
} AllWait;

static gboolean
all_in_state (gpointer data)
{
  AllWait *wait = data;
  GListModel *members = hangar_lab_get_members (wait->lab);

  for (guint i = 0; i < g_list_model_get_n_items (members); i++)
    {
      g_autoptr (HangarMachine) member = g_list_model_get_item (members, i);

      if (hangar_machine_get_state (member) != wait->state)
        return FALSE;
    }
  return g_list_model_get_n_items (members) > 0;
}

static void
assert_all_soon (HangarLab *lab, HangarMachineState state)
{
  AllWait wait = { lab, state };
  g_autofree char *what = g_strdup_printf ("every member of %s to be %s", hangar_lab_get_name (lab),
                                           hangar_machine_state_to_string (state));

  wait_until (all_in_state, &wait, what);
}

typedef struct
{
  GListModel *model;
  guint n_items;
} CountWait;

static gboolean
has_n_items (gpointer data)
{
  CountWait *wait = data;

  return g_list_model_get_n_items (wait->model) == wait->n_items;
}

static char *
member_disk (HvStore *store, const char *member)
{
  g_autoptr (HvMachineConfig) config = hv_store_load_machine (store, member, NULL);

  g_assert_nonnull (config);
  g_assert_cmpuint (config->disks->len, ==, 1);
  return g_strdup (((HvDiskConfig *) g_ptr_array_index (config->disks, 0))->path);
}

/* ---- Cases ---- */

/* The lab, its members as the connection's own machines, and what the
 * members are made of. */
static void
test_create (Fixture *fixture, gconstpointer data)
{
  Progress progress;
  g_autoptr (HangarLab) lab = NULL;
  GListModel *labs = hangar_embedded_connection_get_labs (fixture->embedded);
  GListModel *members;

  progress_init (&progress);
  lab = create_lab (fixture, "class", 3, HV_NETWORK_MODE_NAT, &progress);
  assert_progress (&progress, "class-pc");
  progress_clear (&progress);

  g_assert_cmpuint (g_list_model_get_n_items (labs), ==, 1);
  g_assert_true (hangar_embedded_connection_find_lab (fixture->embedded, "class") == lab);
  g_assert_cmpstr (hangar_lab_get_name (lab), ==, "class");
  g_assert_cmpstr (hangar_lab_get_template_name (lab), ==, "template");
  g_assert_cmpuint (hangar_lab_get_count (lab), ==, 3);
  g_assert_cmpint (hangar_lab_get_network_mode (lab), ==, HV_NETWORK_MODE_NAT);

  members = hangar_lab_get_members (lab);
  g_assert_cmpuint (g_list_model_get_n_items (members), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (HangarMachine) member = g_list_model_get_item (members, i);
      g_autofree char *name = g_strdup_printf ("class-pc%02u", i + 1);
      const HangarNicSpec *nic = g_ptr_array_index (hangar_machine_get_spec (member)->nics, 0);

      g_assert_cmpstr (hangar_machine_get_name (member), ==, name);
      g_assert_true (hangar_connection_find_machine (fixture->connection, name) == member);
      g_assert_cmpint (hangar_machine_get_state (member), ==, HANGAR_MACHINE_STATE_STOPPED);
      /* On the lab's network, with a card of its own. */
      g_assert_cmpstr (nic->source, ==, "class");
      g_assert_nonnull (nic->mac);
      g_assert_true (hangar_embedded_connection_find_lab_of (fixture->embedded, member) == lab);
    }
  g_assert_null (hangar_embedded_connection_find_lab_of (
      fixture->embedded, hangar_connection_find_machine (fixture->connection, "template")));
  /* Template and three members. */
  g_assert_cmpuint (g_list_model_get_n_items (hangar_connection_get_machines (fixture->connection)),
                    ==, 4);
}

/* Start all, the power button for all, force off all; and what running
 * the whole lab asks of this computer. */
static void
test_lifecycle (Fixture *fixture, gconstpointer data)
{
  Progress progress;
  g_autoptr (HangarLab) lab = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  HvLabResources resources = { 0 };

  progress_init (&progress);
  lab = create_lab (fixture, "run", 2, HV_NETWORK_MODE_ISOLATED, &progress);
  progress_clear (&progress);

  hangar_lab_query_resources_async (lab, NULL, test_store_result, &result);
  g_assert_true (hangar_lab_query_resources_finish (lab, test_wait_for_result (&result, TIMEOUT_S),
                                                    &resources, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (resources.memory_mib, ==, 2 * 64);
  g_assert_cmpuint (resources.cpus, ==, 2);
  g_assert_cmpuint (resources.host_cpus, >, 0);

  run_lab_call (lab, hangar_lab_start_all_async);
  assert_all_soon (lab, HANGAR_MACHINE_STATE_RUNNING);
  /* The ticker guest does not answer its power button: the call must still succeed. */
  run_lab_call (lab, hangar_lab_shutdown_all_async);
  run_lab_call (lab, hangar_lab_force_off_all_async);
  assert_all_soon (lab, HANGAR_MACHINE_STATE_STOPPED);
}

static void
count_signal (guint *count)
{
  (*count)++;
}

static HvNetworkLease *
lease_new (const char *mac, const char *address)
{
  HvNetworkLease *lease = g_new0 (HvNetworkLease, 1);

  lease->mac = g_strdup (mac);
  lease->address = g_strdup (address);
  lease->source = g_strdup ("dhcp");
  return lease;
}

static const char *
mac_of (HangarMachine *member)
{
  return ((HangarNicSpec *) g_ptr_array_index (hangar_machine_get_spec (member)->nics, 0))->mac;
}

/* Addresses are matched to the members by their card's MAC, whatever its
 * case; a stopped member has none; watchers hear of changes only. */
static void
test_addresses (Fixture *fixture, gconstpointer data)
{
  Progress progress;
  g_autoptr (HangarLab) lab = NULL;
  g_autoptr (GPtrArray) leases =
      g_ptr_array_new_with_free_func ((GDestroyNotify) hv_network_lease_free);
  g_autoptr (HangarMachine) first = NULL;
  g_autoptr (HangarMachine) second = NULL;
  g_autofree char *upper = NULL;
  guint changes = 0;

  progress_init (&progress);
  lab = create_lab (fixture, "net", 2, HV_NETWORK_MODE_ISOLATED, &progress);
  progress_clear (&progress);
  first = g_list_model_get_item (hangar_lab_get_members (lab), 0);
  second = g_list_model_get_item (hangar_lab_get_members (lab), 1);
  g_signal_connect_swapped (lab, "addresses-changed", G_CALLBACK (count_signal), &changes);

  /* The real query, against the lab's running network: no guest of the
   * ticker's kind asks for an address. */
  run_lab_call (lab, hangar_lab_start_all_async);
  assert_all_soon (lab, HANGAR_MACHINE_STATE_RUNNING);
  hangar_lab_hold_addresses (lab);
  for (guint i = 0; i < 20; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (hangar_lab_get_member_address (lab, first));

  upper = g_ascii_strup (mac_of (first), -1);
  g_ptr_array_add (leases, lease_new (upper, "10.0.5.101"));
  g_ptr_array_add (leases, lease_new ("52:54:00:00:00:01", "10.0.5.150"));
  _hangar_lab_apply_leases (lab, leases);
  g_assert_cmpstr (hangar_lab_get_member_address (lab, first), ==, "10.0.5.101");
  g_assert_null (hangar_lab_get_member_address (lab, second));
  g_assert_cmpuint (changes, ==, 1);
  _hangar_lab_apply_leases (lab, leases);
  g_assert_cmpuint (changes, ==, 1);
  hangar_lab_release_addresses (lab);

  run_lab_call (lab, hangar_lab_force_off_all_async);
  assert_all_soon (lab, HANGAR_MACHINE_STATE_STOPPED);
  _hangar_lab_apply_leases (lab, leases);
  g_assert_null (hangar_lab_get_member_address (lab, first));
  g_assert_cmpuint (changes, ==, 2);
}

/* Reset puts the template's disks back; delete removes the members. */
static void
test_reset_delete (Fixture *fixture, gconstpointer data)
{
  Progress progress;
  g_autoptr (HangarLab) lab = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *disk = NULL;
  g_autofree char *template_disk = member_disk (fixture->store, "template");
  g_autofree char *member_directory = NULL;
  CountWait no_labs = { hangar_embedded_connection_get_labs (fixture->embedded), 0 };
  CountWait template_only = { hangar_connection_get_machines (fixture->connection), 1 };

  /* Written over the start of the disks, their size unchanged. */
  test_overwrite_start (template_disk, "the template's bytes");
  progress_init (&progress);
  lab = create_lab (fixture, "reset", 2, HV_NETWORK_MODE_NAT, &progress);
  progress_clear (&progress);
  disk = member_disk (fixture->store, "reset-pc01");
  test_overwrite_start (disk, "a student's work here");

  progress_init (&progress);
  hangar_lab_reset_async (lab, record_progress, &progress, NULL, test_store_result, &result);
  g_assert_true (hangar_lab_action_finish (lab, test_wait_for_result (&result, TIMEOUT_S), &error));
  g_assert_no_error (error);
  assert_progress (&progress, "reset-pc");
  progress_clear (&progress);
  g_assert_true (test_same_contents (disk, template_disk));

  member_directory = hv_store_get_machine_directory (fixture->store, "reset-pc01");
  g_clear_object (&result);
  hangar_lab_delete_async (lab, TRUE, NULL, test_store_result, &result);
  g_assert_true (hangar_lab_action_finish (lab, test_wait_for_result (&result, TIMEOUT_S), &error));
  g_assert_no_error (error);
  wait_until (has_n_items, &no_labs, "the lab to leave the list");
  wait_until (has_n_items, &template_only, "the members to leave the machine list");
  g_assert_cmpuint (g_list_model_get_n_items (hangar_lab_get_members (lab)), ==, 0);
  g_assert_false (g_file_test (disk, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (member_directory, G_FILE_TEST_EXISTS));
}

/* Exported, deleted, imported: the same lab again. */
static void
test_export_import (Fixture *fixture, gconstpointer data)
{
  Progress progress;
  g_autoptr (HangarLab) lab = NULL;
  g_autoptr (HangarLab) imported = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->root, "class.conf", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  CountWait no_labs = { hangar_embedded_connection_get_labs (fixture->embedded), 0 };

  progress_init (&progress);
  lab = create_lab (fixture, "moving", 2, HV_NETWORK_MODE_ISOLATED, &progress);
  progress_clear (&progress);
  hangar_lab_export_async (lab, file, NULL, test_store_result, &result);
  g_assert_true (hangar_lab_action_finish (lab, test_wait_for_result (&result, TIMEOUT_S), &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));

  g_clear_object (&result);
  hangar_lab_delete_async (lab, TRUE, NULL, test_store_result, &result);
  g_assert_true (hangar_lab_action_finish (lab, test_wait_for_result (&result, TIMEOUT_S), &error));
  wait_until (has_n_items, &no_labs, "the lab to leave the list");

  g_clear_object (&result);
  progress_init (&progress);
  hangar_embedded_connection_import_lab_async (fixture->embedded, file, NULL, record_progress,
                                               &progress, NULL, test_store_result, &result);
  imported = hangar_embedded_connection_create_lab_finish (
      fixture->embedded, test_wait_for_result (&result, TIMEOUT_S), &error);
  g_assert_no_error (error);
  assert_progress (&progress, "moving-pc");
  progress_clear (&progress);
  g_assert_cmpstr (hangar_lab_get_name (imported), ==, "moving");
  g_assert_cmpint (hangar_lab_get_network_mode (imported), ==, HV_NETWORK_MODE_ISOLATED);
  g_assert_cmpuint (g_list_model_get_n_items (hangar_lab_get_members (imported)), ==, 2);
}

/* Cancels CANCELLABLE once MEMBER is being made (NULL: once all are made). */
typedef struct
{
  const char *member;
  GCancellable *cancellable;
  gboolean seen; /* MEMBER was reported */
} CancelAt;

static void
cancel_at (double fraction, const char *member, gpointer user_data)
{
  CancelAt *at = user_data;

  if (g_strcmp0 (member, at->member) != 0 || (at->member == NULL && fraction < 1.0))
    return;
  at->seen = TRUE;
  g_cancellable_cancel (at->cancellable);
}

/* A template disk of real bytes: copying it takes long enough for a
 * cancellation to arrive while a member is being made. */
static void
fill_template_disk (HvStore *store)
{
  g_autofree char *disk = member_disk (store, "template");
  gsize size = 64 << 20;
  g_autofree char *bytes = g_malloc (size);
  g_autoptr (GError) error = NULL;

  memset (bytes, 0x5a, size);
  g_assert_true (g_file_set_contents (disk, bytes, size, &error));
  g_assert_no_error (error);
}

static HangarLab *
create_cancelled_at (Fixture *fixture, const char *name, CancelAt *at, GError **error)
{
  g_autoptr (HvLabConfig) config = hv_lab_config_new (name, "template", 3, HV_NETWORK_MODE_NAT);
  g_autoptr (GAsyncResult) result = NULL;

  hangar_embedded_connection_create_lab_async (fixture->embedded, config, cancel_at, at,
                                               at->cancellable, test_store_result, &result);
  return hangar_embedded_connection_create_lab_finish (
      fixture->embedded, test_wait_for_result (&result, TIMEOUT_S), error);
}

/* Cancelled while the second member is made: an error, and nothing of the
 * lab anywhere, not a file in the store. */
static void
test_cancel (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  CancelAt at = { "gone-pc02", cancellable, FALSE };
  const char *store = hv_store_get_directory (fixture->store);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (HangarLab) lab = NULL;

  fill_template_disk (fixture->store);
  before = test_list_tree (store, NULL);
  lab = create_cancelled_at (fixture, "gone", &at, &error);
  g_assert_true (at.seen);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (lab);
  g_assert_null (hangar_connection_find_machine (fixture->connection, "gone-pc01"));
  g_assert_cmpuint (
      g_list_model_get_n_items (hangar_embedded_connection_get_labs (fixture->embedded)), ==, 0);
  after = test_list_tree (store, NULL);
  g_assert_cmpstr (after, ==, before);
}

/* Cancelled once every member is made, as the store is read again: too
 * late to undo, so the lab is made, and said to be. */
static void
test_cancel_too_late (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  CancelAt at = { NULL, cancellable, FALSE };
  g_autoptr (GError) error = NULL;
  g_autoptr (HangarLab) lab = NULL;

  lab = create_cancelled_at (fixture, "kept", &at, &error);
  g_assert_true (at.seen);
  g_assert_no_error (error);
  g_assert_nonnull (lab);
  g_assert_true (hangar_embedded_connection_find_lab (fixture->embedded, "kept") == lab);
  g_assert_cmpuint (g_list_model_get_n_items (hangar_lab_get_members (lab)), ==, 3);
}

/* A lab that hvctl makes shows up with the next scan. */
static void
test_made_elsewhere (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HvLabConfig) config =
      hv_lab_config_new ("outside", "template", 2, HV_NETWORK_MODE_NAT);
  g_autoptr (GError) error = NULL;
  CountWait one_lab = { hangar_embedded_connection_get_labs (fixture->embedded), 1 };
  HangarLab *lab;

  g_assert_true (hv_lab_create (fixture->store, config, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  wait_until (has_n_items, &one_lab, "the lab made by another program");
  lab = hangar_embedded_connection_find_lab (fixture->embedded, "outside");
  g_assert_nonnull (lab);
  g_assert_cmpuint (g_list_model_get_n_items (hangar_lab_get_members (lab)), ==, 2);
}

int
main (int argc, char **argv)
{
  g_autofree char *base = NULL;
  g_autofree char *data_home = NULL;
  int status;

  if (argc < 4 || argv[1][0] == '-' || argv[2][0] == '-' || argv[3][0] == '-')
    g_error ("Usage: %s HV_VMM HV_NET TICKER_IMAGE [GTEST OPTIONS] (meson test gives them)",
             argv[0]);
  g_setenv ("HV_VMM_PATH", argv[1], TRUE);
  g_setenv ("HV_NET_PATH", argv[2], TRUE);
  g_setenv ("HANGAR_TEST_KERNEL", argv[3], TRUE);
  argv[3] = argv[0];
  argc -= 3;
  argv += 3;
  g_test_init (&argc, &argv, NULL);
  main_thread = g_thread_self ();
  /* Nothing of the user's is read or touched, even by hv-vmm and hv-net. */
  base = g_dir_make_tmp ("hangar-lab-xdg-XXXXXX", NULL);
  data_home = g_build_filename (base, "data", NULL);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", base, TRUE);

#define ADD(path, func) \
  g_test_add ("/lab/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("create", test_create);
  ADD ("lifecycle", test_lifecycle);
  ADD ("addresses", test_addresses);
  ADD ("reset-delete", test_reset_delete);
  ADD ("export-import", test_export_import);
  ADD ("cancel", test_cancel);
  ADD ("cancel-too-late", test_cancel_too_late);
  ADD ("made-elsewhere", test_made_elsewhere);
#undef ADD
  status = g_test_run ();
  test_remove_tree (base);
  return status;
}
