/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hv-vmm with the "virtnet" tiny guest (tests/guests/virtnet.c): the guest
 * finds its virtio-net NIC over PCI and gets a DHCP OFFER from the `user`
 * back end (libslirp in hv-vmm). Needs /dev/kvm.
 *
 * Usage: test-virtnet-guest HV-VMM GUEST-PVH [--tap]
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/wait.h>

static const char *vmm_path;
static const char *guest_path;

typedef struct
{
  char *tmp, *runtime_dir, *log;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  f->tmp = g_dir_make_tmp ("test-virtnet-guest-XXXXXX", NULL);
  f->runtime_dir = g_build_filename (f->tmp, "vm", NULL);
  f->log = g_build_filename (f->tmp, "console.log", NULL);
  g_assert_cmpint (g_mkdir (f->runtime_dir, 0700), ==, 0);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  g_unlink (f->log);
  g_rmdir (f->runtime_dir);
  g_rmdir (f->tmp);
  g_free (f->tmp);
  g_free (f->runtime_dir);
  g_free (f->log);
}

/* Runs the guest to its power-off with one NIC; returns its transcript. */
static char *
run_guest (Fixture *f, const char *nic)
{
  const char *argv[] = { vmm_path,
                         "--name",
                         "virtnet",
                         "--uuid",
                         "u",
                         "--memory",
                         "64",
                         "--runtime-dir",
                         f->runtime_dir,
                         "--kernel",
                         guest_path,
                         "--console-log",
                         f->log,
                         "--nic",
                         nic,
                         NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  char *log = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                &status, &error);
  g_assert_no_error (error);
  g_test_message ("hv-vmm stderr: %s", err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_true (g_file_get_contents (f->log, &log, NULL, NULL));
  g_test_message ("guest: %s", log);
  return log;
}

static void
test_dhcp_lease (Fixture *f, gconstpointer data)
{
  g_autofree char *log = run_guest (f, "mac=52:54:00:ab:cd:ef,backend=user");

  g_assert_nonnull (strstr (log, " 1af4:1041\r\n"));
  g_assert_nonnull (strstr (log, "net: mac 52:54:00:ab:cd:ef link up\r\n"));
  g_assert_nonnull (strstr (log, "net: discover sent\r\n"));
  /* libslirp's default network: the first address it leases, from its
   * router. */
  g_assert_nonnull (strstr (log, "net: offer 10.0.2.15 from 10.0.2.2\r\n"));
  g_assert_nonnull (strstr (log, "net: ack 10.0.2.15\r\n"));
  g_assert_nonnull (strstr (log, "virtnet: done\r\n"));
  g_assert_null (strstr (log, "FAIL"));
}

static void
test_bad_nic (Fixture *f, gconstpointer data)
{
  const char *argv[] = { vmm_path,
                         "--name",
                         "virtnet",
                         "--uuid",
                         "u",
                         "--memory",
                         "64",
                         "--runtime-dir",
                         f->runtime_dir,
                         "--kernel",
                         guest_path,
                         "--nic",
                         "mac=01:00:00:00:00:01,backend=user",
                         NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  g_spawn_sync (NULL, (char **) argv, NULL, 0, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), !=, 0);
  g_assert_nonnull (strstr (err, "multicast"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 3)
    g_error ("usage: %s HV-VMM GUEST-PVH", argv[0]);
  vmm_path = argv[1];
  guest_path = argv[2];
  g_test_add ("/hv-core/virtnet-guest/dhcp-lease", Fixture, NULL, setup, test_dhcp_lease, teardown);
  g_test_add ("/hv-core/virtnet-guest/bad-nic", Fixture, NULL, setup, test_bad_nic, teardown);
  return g_test_run ();
}
