/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hv-vmm with the "virtio" tiny guest (tests/guests/virtio.c), which drives
 * virtio-blk and virtio-rng over PCI with MSI-X from inside: its transcript,
 * and the disk image afterwards. Needs /dev/kvm.
 *
 * Usage: test-virtio-guest HV-VMM GUEST-PVH [--tap]
 */
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *vmm_path;
static const char *guest_path;

typedef struct
{
  char *tmp, *runtime_dir, *log, *disk;
} Fixture;

static void
setup (Fixture *f, gconstpointer data)
{
  int fd;

  f->tmp = g_dir_make_tmp ("test-virtio-guest-XXXXXX", NULL);
  f->runtime_dir = g_build_filename (f->tmp, "vm", NULL);
  f->log = g_build_filename (f->tmp, "console.log", NULL);
  f->disk = g_build_filename (f->tmp, "disk.img", NULL);
  g_assert_cmpint (g_mkdir (f->runtime_dir, 0700), ==, 0);
  fd = open (f->disk, O_CREAT | O_RDWR, 0600);
  g_assert_cmpint (ftruncate (fd, 1 << 20), ==, 0);
  close (fd);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  g_unlink (f->log);
  g_unlink (f->disk);
  g_rmdir (f->runtime_dir);
  g_rmdir (f->tmp);
  g_free (f->tmp);
  g_free (f->runtime_dir);
  g_free (f->log);
  g_free (f->disk);
}

/* Runs the guest to its power-off; returns its console transcript. */
static char *
run_guest (Fixture *f, const char *disk_options)
{
  g_autofree char *spec = g_strdup_printf ("path=%s%s", f->disk, disk_options);
  const char *argv[] = {
    vmm_path, "--name",        "virtio",       "--uuid",   "u",        "--memory",
    "64",     "--runtime-dir", f->runtime_dir, "--kernel", guest_path, "--console-log",
    f->log,   "--disk",        spec,           NULL
  };
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
read_sector (Fixture *f, unsigned sector, uint8_t *buf)
{
  int fd = open (f->disk, O_RDONLY);

  g_assert_cmpint (pread (fd, buf, 512, sector * 512), ==, 512);
  close (fd);
}

static void
test_blk_and_rng (Fixture *f, gconstpointer data)
{
  g_autofree char *log = run_guest (f, ",serial=guest-disk");
  uint8_t sector[512];

  g_assert_nonnull (strstr (log, "pci: 1 1af4:1042\r\n"));
  g_assert_nonnull (strstr (log, "blk: write ok\r\n"));
  g_assert_nonnull (strstr (log, "blk: read ok\r\n"));
  g_assert_nonnull (strstr (log, "blk: msix ok\r\n"));
  g_assert_nonnull (strstr (log, "blk: serial guest-disk\r\n"));
  g_assert_nonnull (strstr (log, "rng: ok "));
  g_assert_nonnull (strstr (log, "virtio: done\r\n"));
  g_assert_null (strstr (log, "FAIL"));
  /* The pattern the guest wrote is in the host file, at sector 1 only. */
  read_sector (f, 1, sector);
  for (unsigned i = 0; i < sizeof sector; i++)
    g_assert_cmpuint (sector[i], ==, (uint8_t) (i * 7 + 0x11));
  read_sector (f, 0, sector);
  for (unsigned i = 0; i < sizeof sector; i++)
    g_assert_cmpuint (sector[i], ==, 0);
}

static void
test_readonly (Fixture *f, gconstpointer data)
{
  g_autofree char *log = run_guest (f, ",readonly=on");
  uint8_t sector[512];

  g_assert_nonnull (strstr (log, "FAIL blk: write failed\r\n"));
  read_sector (f, 1, sector);
  for (unsigned i = 0; i < sizeof sector; i++)
    g_assert_cmpuint (sector[i], ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (argc < 3)
    g_error ("usage: %s HV-VMM GUEST-PVH", argv[0]);
  vmm_path = argv[1];
  guest_path = argv[2];
  g_test_add ("/hv-core/virtio-guest/blk-and-rng", Fixture, NULL, setup, test_blk_and_rng,
              teardown);
  g_test_add ("/hv-core/virtio-guest/readonly", Fixture, NULL, setup, test_readonly, teardown);
  return g_test_run ();
}
