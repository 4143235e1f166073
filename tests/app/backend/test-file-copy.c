/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sparse disk copies: same bytes, holes kept, nothing left on failure. */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hangar-file-copy.h"

static void
write_at (int fd, off_t offset, const char *text)
{
  g_assert_cmpint (pwrite (fd, text, strlen (text), offset), ==, (ssize_t) strlen (text));
}

static void
test_sparse_copy (void)
{
  g_autofree char *dir = g_dir_make_tmp ("hangar-copy-XXXXXX", NULL);
  g_autofree char *source = g_build_filename (dir, "disk.img", NULL);
  g_autofree char *dest = g_build_filename (dir, "copy.img", NULL);
  g_autofree char *a = NULL, *b = NULL;
  gsize a_len, b_len;
  g_autoptr (GError) error = NULL;
  struct stat st;
  int fd;

  /* 256 MiB with data at its start, middle and end. */
  fd = open (source, O_WRONLY | O_CREAT, 0600);
  g_assert_cmpint (ftruncate (fd, 256 << 20), ==, 0);
  write_at (fd, 0, "boot sector");
  write_at (fd, 128 << 20, "middle");
  write_at (fd, (256 << 20) - 4, "end!");
  close (fd);

  g_assert_true (hangar_file_copy_sparse (source, dest, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (g_file_get_contents (source, &a, &a_len, NULL));
  g_assert_true (g_file_get_contents (dest, &b, &b_len, NULL));
  g_assert_cmpmem (a, a_len, b, b_len);
  g_assert_cmpint (g_stat (dest, &st), ==, 0);
  /* Holes stayed holes: far fewer blocks than the 256 MiB size. */
  g_assert_cmpint ((gint64) st.st_blocks * 512, <, 16 << 20);

  /* The destination is never overwritten. */
  g_assert_false (hangar_file_copy_sparse (source, dest, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);

  g_unlink (source);
  g_unlink (dest);
  g_rmdir (dir);
}

static void
test_missing_source (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("hangar-copy-XXXXXX", NULL);
  g_autofree char *dest = g_build_filename (dir, "copy.img", NULL);

  g_assert_false (
      hangar_file_copy_sparse ("/nonexistent/disk.img", dest, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/nonexistent/disk.img"));
  g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
  g_rmdir (dir);
}

static void
test_cancelled_copy_leaves_nothing (void)
{
  g_autofree char *dir = g_dir_make_tmp ("hangar-copy-XXXXXX", NULL);
  g_autofree char *source = g_build_filename (dir, "disk.img", NULL);
  g_autofree char *dest = g_build_filename (dir, "copy.img", NULL);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *data = g_malloc0 (4 << 20);

  memset (data, 'x', 4 << 20);
  g_assert_true (g_file_set_contents (source, data, 4 << 20, NULL));
  g_cancellable_cancel (cancellable);

  if (hangar_file_copy_sparse (source, dest, cancellable, NULL, NULL, &error))
    {
      /* A file system that shares blocks finishes at once, before any check. */
      g_assert_no_error (error);
    }
  else
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_false (g_file_test (dest, G_FILE_TEST_EXISTS));
    }
  g_unlink (source);
  g_unlink (dest);
  g_rmdir (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/Hangar/file-copy/sparse", test_sparse_copy);
  g_test_add_func ("/Hangar/file-copy/missing-source", test_missing_source);
  g_test_add_func ("/Hangar/file-copy/cancelled", test_cancelled_copy_leaves_nothing);

  return g_test_run ();
}
