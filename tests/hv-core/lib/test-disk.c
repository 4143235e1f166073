/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hv_disk_create: sparse, never overwriting, nothing left behind. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include <hv/hv.h>

static void
test_create (void)
{
  g_autofree char *dir = g_dir_make_tmp ("test-disk-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "disk.img", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) listing = NULL;
  struct stat st;

  g_assert_true (hv_disk_create (path, 1ull << 30, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 1ll << 30);
  /* Sparse: a GiB of zeros takes (almost) no blocks. */
  g_assert_cmpint (st.st_blocks * 512, <, 1 << 20);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  /* Never overwrites. */
  g_assert_false (hv_disk_create (path, 4096, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
  g_assert_nonnull (strstr (error->message, "exists already"));
  g_clear_error (&error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_size, ==, 1ll << 30);

  /* Sizes must be whole sectors. */
  g_assert_false (hv_disk_create (path, 1000, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* No temporary file left behind. */
  listing = g_dir_open (dir, 0, NULL);
  g_assert_cmpstr (g_dir_read_name (listing), ==, "disk.img");
  g_assert_null (g_dir_read_name (listing));
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_missing_dir (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_false (hv_disk_create ("/nonexistent-hangar-dir/disk.img", 4096, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_FAILED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hv-core/disk/create", test_create);
  g_test_add_func ("/hv-core/disk/missing-dir", test_missing_dir);
  return g_test_run ();
}
