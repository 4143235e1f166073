/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hv_disk_create and hv_disk_copy: sparse, never overwriting, nothing left behind. */
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hv/hv.h>

#include "test-file.h"

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

static void
write_at (int fd, off_t offset, const char *text)
{
  g_assert_cmpint (pwrite (fd, text, strlen (text), offset), ==, (ssize_t) strlen (text));
}

/* A 256 MiB image with data at its start, middle and end. */
static char *
make_sparse_image (const char *dir)
{
  char *path = g_build_filename (dir, "disk.img", NULL);
  int fd = open (path, O_WRONLY | O_CREAT | O_EXCL, 0640);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, 256 << 20), ==, 0);
  write_at (fd, 0, "boot sector");
  write_at (fd, 128 << 20, "middle");
  write_at (fd, (256 << 20) - 4, "end!");
  close (fd);
  return path;
}

static void
count_progress (guint64 done, guint64 total, gpointer user_data)
{
  guint64 *last = user_data;

  g_assert_cmpuint (done, <=, total);
  g_assert_cmpuint (done, >=, *last);
  *last = done;
}

static void
test_copy_sparse (void)
{
  g_autofree char *dir = g_dir_make_tmp ("test-disk-XXXXXX", NULL);
  g_autofree char *source = make_sparse_image (dir);
  g_autofree char *dest = g_build_filename (dir, "copy.img", NULL);
  g_autoptr (GError) error = NULL;
  guint64 last_progress = 0;
  struct stat st;

  g_assert_true (hv_disk_copy (source, dest, NULL, count_progress, &last_progress, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (last_progress, ==, 256 << 20);
  g_assert_true (test_same_contents (source, dest));
  g_assert_cmpint (g_stat (dest, &st), ==, 0);
  /* Holes stayed holes: far fewer blocks than the 256 MiB size. */
  g_assert_cmpint ((gint64) st.st_blocks * 512, <, 16 << 20);
  g_assert_cmpint (st.st_mode & 0777, ==, 0640);

  /* The destination is never overwritten... */
  g_assert_false (hv_disk_copy (source, dest, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);

  /* ...but replaced whole when asked. */
  g_assert_true (g_file_set_contents (dest, "changed by the guest", -1, NULL));
  g_assert_true (hv_disk_replace (source, dest, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (test_same_contents (source, dest));

  g_unlink (source);
  g_unlink (dest);
  g_assert_cmpint (g_rmdir (dir), ==, 0); /* no temporary file left */
}

static void
test_copy_missing_source (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-disk-XXXXXX", NULL);
  g_autofree char *dest = g_build_filename (dir, "copy.img", NULL);

  g_assert_false (hv_disk_copy ("/nonexistent/disk.img", dest, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/disk.img"));
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_copy_cancelled_leaves_nothing (void)
{
  g_autofree char *dir = g_dir_make_tmp ("test-disk-XXXXXX", NULL);
  g_autofree char *source = g_build_filename (dir, "disk.img", NULL);
  g_autofree char *dest = g_build_filename (dir, "copy.img", NULL);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *data = g_malloc (4 << 20);

  memset (data, 'x', 4 << 20);
  g_assert_true (g_file_set_contents (source, data, 4 << 20, NULL));
  g_cancellable_cancel (cancellable);

  if (hv_disk_copy (source, dest, cancellable, NULL, NULL, &error))
    {
      /* A file system that shares blocks finishes at once, before any check. */
      g_assert_no_error (error);
      g_unlink (dest);
    }
  else
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_unlink (source);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hv-core/disk/create", test_create);
  g_test_add_func ("/hv-core/disk/missing-dir", test_missing_dir);
  g_test_add_func ("/hv-core/disk/copy-sparse", test_copy_sparse);
  g_test_add_func ("/hv-core/disk/copy-missing-source", test_copy_missing_source);
  g_test_add_func ("/hv-core/disk/copy-cancelled", test_copy_cancelled_leaves_nothing);
  return g_test_run ();
}
