/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <gio/gio.h>
#include <string.h>

#include "test-file.h"

void
test_overwrite_start (const char *path, const char *text)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileIOStream) stream = g_file_open_readwrite (file, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (stream)),
                                            text, strlen (text), NULL, NULL, &error));
  g_assert_no_error (error);
}

gboolean
test_same_contents (const char *a, const char *b)
{
  g_autofree char *bytes_a = NULL, *bytes_b = NULL;
  gsize length_a, length_b;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_get_contents (a, &bytes_a, &length_a, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (b, &bytes_b, &length_b, &error));
  g_assert_no_error (error);
  return length_a == length_b && memcmp (bytes_a, bytes_b, length_a) == 0;
}
