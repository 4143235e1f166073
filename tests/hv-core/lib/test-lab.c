/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Labs in libhvcore: the definition file, a cancelled creation that leaves
 * nothing, and members on an isolated lab network reaching each other
 * through the real hv-net (the virtnet tiny guest broadcasts a DHCP
 * DISCOVER), and leasing addresses from a nat lab network's router.
 *
 *   test-lab HV_VMM HV_NET VIRTNET_IMAGE --tap */
#include "config.h"

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <hv/hv.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

#include "test-file.h"
#include "test-tree.h"

static const char *virtnet_image;

typedef struct
{
  char *root;
  HvStore *store;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autofree char *run = NULL;
  g_autoptr (HvRuntime) runtime = NULL;

  f->root = g_dir_make_tmp ("hv-lab-XXXXXX", NULL);
  run = g_build_filename (f->root, "run", NULL);
  g_assert_cmpint (g_mkdir (run, 0700), ==, 0);
  runtime = hv_runtime_new_for_directory (run);
  f->store = hv_store_new_for_directory (f->root, runtime);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->store);
  test_remove_tree (f->root);
  g_free (f->root);
}

/* Every path under the store but its runtime directory. */
static char *
list_store (Fixture *f)
{
  return test_list_tree (f->root, "run");
}

/* A template machine with a 16 MiB disk holding a few bytes. */
static void
create_template (Fixture *f, const char *kernel)
{
  g_autoptr (HvMachineConfig) config = hv_machine_config_new ("tpl");
  g_autoptr (GError) error = NULL;
  HvDiskConfig *disk;

  config->memory_mib = 64;
  config->kernel = g_strdup (kernel);
  config->cmdline = g_strdup ("console=ttyS0");
  disk = hv_machine_config_add_disk (config, NULL, 16 << 20, FALSE);
  hv_machine_config_add_nic (config, HV_NIC_MODE_NAT, NULL);
  g_assert_true (hv_store_create_machine (f->store, config, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (disk->path, "template bytes", -1, &error));
  g_assert_cmpint (truncate (disk->path, 16 << 20), ==, 0);
}

/* ---- The definition file ---- */

static void
test_config_round_trip (void)
{
  g_autoptr (HvLabConfig) config =
      hv_lab_config_new ("net101", "debian", 12, HV_NETWORK_MODE_ISOLATED);
  g_autoptr (HvLabConfig) loaded = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *data = NULL;
  g_autofree char *first = NULL, *last = NULL;

  g_assert_true (hv_lab_config_validate (config, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (config->prefix, ==, "net101-pc");
  first = hv_lab_config_member_name (config, 0);
  last = hv_lab_config_member_name (config, 11);
  g_assert_cmpstr (first, ==, "net101-pc01");
  g_assert_cmpstr (last, ==, "net101-pc12");

  config->subnet = g_strdup ("10.0.7.0/24");
  data = hv_lab_config_to_data (config);
  loaded = hv_lab_config_load_data (data, "net101.conf", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (loaded->name, ==, "net101");
  g_assert_cmpstr (loaded->template_name, ==, "debian");
  g_assert_cmpuint (loaded->count, ==, 12);
  g_assert_cmpstr (loaded->prefix, ==, "net101-pc");
  g_assert_cmpint (loaded->network_mode, ==, HV_NETWORK_MODE_ISOLATED);
  g_assert_cmpstr (loaded->subnet, ==, "10.0.7.0/24");
}

static void
test_config_errors (void)
{
  static const struct
  {
    const char *text;
    const char *message;
  } cases[] = {
    { "[lab]\nname=a\ntemplate=t\ncount=0\nnetwork-mode=nat\n",
      "x.conf, line 4: count “0” is not a whole number from 1 to 99" },
    { "[lab]\nname=a\ntemplate=t\ncount=2\nnetwork-mode=bridge\n",
      "x.conf, line 5: unknown network mode “bridge”: use nat or isolated" },
    { "[lab]\nname=a\ncount=2\nnetwork-mode=nat\n", "template" },
    { "[lab]\nname=a\ntemplate=t\ncount=2\nnetwork-mode=nat\nsubnet=10.0.0.1/24\n",
      "x.conf, line 1: Invalid subnet “10.0.0.1/24”" },
    { "[lab]\nname=a\ntemplate=t\ncount=2\nnetwork-mode=nat\nprefix=-bad\n",
      "x.conf, line 1: The name prefix “-bad” does not make valid machine names" },
    { "[lab\n", "x.conf, line 1" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (HvLabConfig) config = hv_lab_config_load_data (cases[i].text, "x.conf", &error);

      g_assert_null (config);
      g_assert_nonnull (error);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("case %zu: “%s” lacks “%s”", i, error->message, cases[i].message);
    }
}

/* ---- Creating ---- */

typedef struct
{
  GCancellable *cancellable;
  GPtrArray *members; /* the members progress named */
  double last;
} Progress;

static void
on_progress (double fraction, const char *member, gpointer user_data)
{
  Progress *progress = user_data;

  g_assert_cmpfloat (fraction, >=, progress->last);
  g_assert_cmpfloat (fraction, <=, 1.0);
  progress->last = fraction;
  if (member != NULL &&
      (progress->members->len == 0 ||
       !g_str_equal (g_ptr_array_index (progress->members, progress->members->len - 1), member)))
    g_ptr_array_add (progress->members, g_strdup (member));
  /* Cancel once the third member is being made: two are complete. */
  if (progress->cancellable != NULL && progress->members->len == 3)
    g_cancellable_cancel (progress->cancellable);
}

static void
test_create_and_delete (Fixture *f, gconstpointer data)
{
  g_autoptr (HvLabConfig) config = hv_lab_config_new ("class", "tpl", 3, HV_NETWORK_MODE_NAT);
  g_autoptr (GPtrArray) members = g_ptr_array_new_with_free_func (g_free);
  Progress progress = { NULL, members, 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *before = NULL, *after = NULL;
  g_autofree char *lab = NULL;
  g_auto (GStrv) labs = NULL;

  create_template (f, virtnet_image);
  before = list_store (f);
  g_assert_true (hv_lab_create (f->store, config, NULL, on_progress, &progress, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (progress.last, ==, 1.0);
  g_assert_cmpuint (members->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (members, 2), ==, "class-pc03");
  g_assert_nonnull (config->subnet);

  labs = hv_lab_list (f->store, &error);
  g_assert_cmpstrv (labs, ((const char *[]){ "class", NULL }));
  lab = hv_lab_find_for_member (f->store, "class-pc02");
  g_assert_cmpstr (lab, ==, "class");
  g_assert_null (hv_lab_find_for_member (f->store, "tpl"));

  g_assert_true (hv_lab_delete (f->store, "class", TRUE, &error));
  g_assert_no_error (error);
  after = list_store (f);
  g_assert_cmpstr (after, ==, before);
}

static void
test_cancelled_create_leaves_nothing (Fixture *f, gconstpointer data)
{
  g_autoptr (HvLabConfig) config = hv_lab_config_new ("class", "tpl", 5, HV_NETWORK_MODE_ISOLATED);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GPtrArray) members = g_ptr_array_new_with_free_func (g_free);
  Progress progress = { cancellable, members, 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *before = NULL, *after = NULL;

  create_template (f, virtnet_image);
  before = list_store (f);
  g_assert_false (hv_lab_create (f->store, config, cancellable, on_progress, &progress, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (members->len, ==, 3);
  after = list_store (f);
  g_assert_cmpstr (after, ==, before);
}

/* A reset is not undone: cancelled at the third member, the first two are
 * reset, the third keeps its disk, and the error says so. */
static void
test_cancelled_reset_says_what_was_reset (Fixture *f, gconstpointer data)
{
  g_autoptr (HvLabConfig) config = hv_lab_config_new ("class", "tpl", 3, HV_NETWORK_MODE_NAT);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GPtrArray) members = g_ptr_array_new_with_free_func (g_free);
  Progress progress = { cancellable, members, 0 };
  g_autofree char *template_disk = g_build_filename (f->root, "machines", "tpl", "disk0.img", NULL);
  g_autoptr (GError) error = NULL;

  create_template (f, virtnet_image);
  g_assert_true (hv_lab_create (f->store, config, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *member = hv_lab_config_member_name (config, i);
      g_autofree char *disk = g_build_filename (f->root, "machines", member, "disk0.img", NULL);

      test_overwrite_start (disk, "student work");
    }
  g_assert_false (hv_lab_reset (f->store, "class", cancellable, on_progress, &progress, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==,
                   "Cancelled after resetting 2 of the lab’s 3 machines; the others keep their "
                   "disks. Reset the lab again to give every machine fresh disks");
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *member = hv_lab_config_member_name (config, i);
      g_autofree char *disk = g_build_filename (f->root, "machines", member, "disk0.img", NULL);

      g_assert_true (test_same_contents (disk, template_disk) == (i < 2));
    }
}

/* ---- Running ---- */

/* hv-net's port counters: port name -> frames the switch delivered to it
 * ("frames-out"), kept at their highest: a member that powers off takes
 * its port away. */
static void
poll_ports (const char *control_path, GHashTable *delivered)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (control_path);
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (GDataInputStream) input = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *greeting = NULL, *reply = NULL;
  const char *request = "{\"execute\": \"query-ports\"}\n";
  JsonArray *ports;

  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, NULL);
  if (connection == NULL)
    return;
  input = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  greeting = g_data_input_stream_read_line (input, NULL, NULL, NULL);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), request,
                             strlen (request), NULL, NULL, NULL);
  reply = g_data_input_stream_read_line (input, NULL, NULL, NULL);
  if (reply == NULL || !json_parser_load_from_data (parser, reply, -1, NULL))
    return;
  ports = json_object_get_array_member (
      json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                     "return"),
      "ports");
  for (guint i = 0; i < json_array_get_length (ports); i++)
    {
      JsonObject *port = json_array_get_object_element (ports, i);
      const char *name = json_object_get_string_member (port, "name");
      gint64 frames = json_object_get_int_member (port, "frames-out");

      if (frames > GPOINTER_TO_INT (g_hash_table_lookup (delivered, name)))
        g_hash_table_insert (delivered, g_strdup (name), GINT_TO_POINTER ((int) frames));
    }
}

/* hv-net names a guest's port after its hv-vmm's process. */
static char *
port_of (Fixture *f, const char *member)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HvGuestInfo) info =
      hv_runtime_lookup_guest (hv_store_get_runtime (f->store), member, NULL, &error);

  g_assert_no_error (error);
  return g_strdup_printf ("pid %d", (int) hv_guest_info_get_pid (info));
}

/* Waits until the switch has delivered a frame to PORT. */
static void
wait_for_frames (HvNetworkInfo *network, GHashTable *delivered, const char *port)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (GPOINTER_TO_INT (g_hash_table_lookup (delivered, port)) == 0)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("no frame reached the port “%s” in 60 s", port);
      poll_ports (hv_network_info_get_control_path (network), delivered);
      g_usleep (20 * 1000);
    }
}

static void
restart_member (Fixture *f, const char *lab, const char *member)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HvGuestInfo) info =
      hv_runtime_lookup_guest (hv_store_get_runtime (f->store), member, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (hv_runtime_force_off (hv_store_get_runtime (f->store), info, 3000, &error));
  g_assert_no_error (error);
  g_assert_true (hv_lab_start (f->store, lab, NULL, &error));
  g_assert_no_error (error);
}

static void
test_members_reach_each_other (Fixture *f, gconstpointer data)
{
  g_autoptr (HvLabConfig) config = hv_lab_config_new ("net", "tpl", 2, HV_NETWORK_MODE_ISOLATED);
  g_autoptr (GHashTable) delivered = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (HvNetworkInfo) network = NULL;
  g_autofree char *first_port = NULL, *second_port = NULL;
  HvLabResources resources;

  create_template (f, virtnet_image);
  g_assert_true (hv_lab_create (f->store, config, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (hv_lab_get_resources (f->store, "net", &resources, &error));
  g_assert_cmpuint (resources.memory_mib, ==, 2 * 64);
  g_assert_cmpuint (resources.cpus, ==, 2);
  g_assert_cmpuint (resources.host_cpus, ==, g_get_num_processors ());
  g_assert_false (hv_lab_resources_memory_overcommitted (&resources));
  resources.memory_mib = resources.available_mib + 1;
  g_assert_true (hv_lab_resources_memory_overcommitted (&resources));
  resources.cpus = resources.host_cpus + 1;
  g_assert_true (hv_lab_resources_cpus_overcommitted (&resources));

  g_assert_true (hv_lab_start (f->store, "net", NULL, &error));
  g_assert_no_error (error);
  network = hv_network_lookup (hv_store_get_runtime (f->store), "net", &error);
  g_assert_no_error (error);
  /* Each member broadcasts DISCOVERs; on an isolated network only the
   * other member can be what the switch delivers a frame to. The second
   * member's reach the first, whose port was there before. */
  first_port = port_of (f, "net-pc01");
  second_port = port_of (f, "net-pc02");
  wait_for_frames (network, delivered, first_port);
  /* The first may have sent all of its own before the second joined:
   * started again, it sends them while the second listens. */
  restart_member (f, "net", "net-pc01");
  wait_for_frames (network, delivered, second_port);

  g_assert_true (hv_lab_force_off (f->store, "net", &error));
  g_assert_no_error (error);
  g_assert_false (hv_store_machine_is_running (f->store, "net-pc01"));
  g_assert_false (hv_store_machine_is_running (f->store, "net-pc02"));
  g_assert_true (hv_lab_delete (f->store, "net", TRUE, &error));
  g_assert_no_error (error);
  g_assert_null (hv_network_lookup (hv_store_get_runtime (f->store), "net", NULL));
}

/* MEMBER's first MAC, as its machine.conf has it. */
static char *
member_mac (Fixture *f, const char *member)
{
  g_autoptr (HvMachineConfig) config = hv_store_load_machine (f->store, member, NULL);

  g_assert_nonnull (config);
  return g_strdup (((HvNicConfig *) g_ptr_array_index (config->nics, 0))->mac);
}

/* The address network NAME leased to MAC, or NULL. */
static char *
leased_address (Fixture *f, const char *name, const char *mac)
{
  g_autoptr (GPtrArray) leases =
      hv_network_query_leases (hv_store_get_runtime (f->store), name, NULL, NULL);

  for (guint i = 0; leases != NULL && i < leases->len; i++)
    {
      const HvNetworkLease *lease = g_ptr_array_index (leases, i);

      if (g_ascii_strcasecmp (lease->mac, mac) == 0 && g_str_equal (lease->source, "dhcp"))
        return g_strdup (lease->address);
    }
  return NULL;
}

/* On a nat lab the members lease addresses from the lab network's router,
 * and the lab can tell which member has which (the virtnet guest does a
 * whole DISCOVER, OFFER, REQUEST, ACK). */
static void
test_members_lease_addresses (Fixture *f, gconstpointer data)
{
  g_autoptr (HvLabConfig) config = hv_lab_config_new ("dhcp", "tpl", 2, HV_NETWORK_MODE_NAT);
  g_autoptr (GError) error = NULL;
  g_autofree char *mac1 = NULL, *mac2 = NULL;
  g_autofree char *address1 = NULL, *address2 = NULL;
  g_autofree char *prefix = NULL;
  gint64 deadline;

  create_template (f, virtnet_image);
  config->subnet = g_strdup ("10.0.42.0/24");
  g_assert_true (hv_lab_create (f->store, config, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  mac1 = member_mac (f, "dhcp-pc01");
  mac2 = member_mac (f, "dhcp-pc02");
  g_assert_true (hv_lab_start (f->store, "dhcp", NULL, &error));
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while ((address1 == NULL || address2 == NULL) && g_get_monotonic_time () < deadline)
    {
      if (address1 == NULL)
        address1 = leased_address (f, "dhcp", mac1);
      if (address2 == NULL)
        address2 = leased_address (f, "dhcp", mac2);
      g_usleep (50 * 1000);
    }
  g_assert_nonnull (address1);
  g_assert_nonnull (address2);
  g_assert_cmpstr (address1, !=, address2);
  g_assert_true (g_str_has_prefix (address1, "10.0.42."));
  g_assert_true (g_str_has_prefix (address2, "10.0.42."));

  g_assert_true (hv_lab_force_off (f->store, "dhcp", &error));
  g_assert_no_error (error);
  g_assert_true (hv_lab_delete (f->store, "dhcp", TRUE, &error));
  g_assert_no_error (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc != 4)
    g_error ("usage: test-lab HV_VMM HV_NET VIRTNET_IMAGE");
  g_setenv ("HV_VMM_PATH", argv[1], TRUE);
  g_setenv ("HV_NET_PATH", argv[2], TRUE);
  virtnet_image = argv[3];

  g_test_add_func ("/hv-core/lab/config-round-trip", test_config_round_trip);
  g_test_add_func ("/hv-core/lab/config-errors", test_config_errors);
  g_test_add ("/hv-core/lab/create-and-delete", Fixture, NULL, fixture_set_up,
              test_create_and_delete, fixture_tear_down);
  g_test_add ("/hv-core/lab/cancelled-create", Fixture, NULL, fixture_set_up,
              test_cancelled_create_leaves_nothing, fixture_tear_down);
  g_test_add ("/hv-core/lab/cancelled-reset", Fixture, NULL, fixture_set_up,
              test_cancelled_reset_says_what_was_reset, fixture_tear_down);
  g_test_add ("/hv-core/lab/members-reach-each-other", Fixture, NULL, fixture_set_up,
              test_members_reach_each_other, fixture_tear_down);
  g_test_add ("/hv-core/lab/members-lease-addresses", Fixture, NULL, fixture_set_up,
              test_members_lease_addresses, fixture_tear_down);
  return g_test_run ();
}
