/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hangar-file-copy.h"

#define CHUNK (1024 * 1024)

/* Sets ERROR from errno with FORMAT ("...%s...: %s": the path, then why) and is FALSE. */
#define set_errno_error(error, format, path)                                    \
  (g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), format, path, \
                g_strerror (errno)),                                            \
   FALSE)

/* Copies [offset, offset+len) with pread/pwrite: the data extent of a sparse file. */
static gboolean
copy_range (int in, int out, off_t offset, off_t len, GCancellable *cancellable, guint64 *done,
            guint64 total, HangarCopyProgress progress, gpointer user_data, const char *dest,
            GError **error)
{
  g_autofree char *buffer = g_malloc (CHUNK);

  while (len > 0)
    {
      ssize_t n = pread (in, buffer, MIN (len, CHUNK), offset);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return set_errno_error (error, _ ("Could not read the disk to copy to %s: %s"), dest);
      if (pwrite (out, buffer, n, offset) != n)
        return set_errno_error (error, _ ("Could not write the copy %s: %s"), dest);
      offset += n;
      len -= n;
      *done += n;
      if (progress != NULL)
        progress (*done, total, user_data);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
copy_data_extents (int in, int out, off_t size, GCancellable *cancellable,
                   HangarCopyProgress progress, gpointer user_data, const char *dest,
                   GError **error)
{
  guint64 done = 0;
  off_t data = 0;

  while (data < size)
    {
      off_t hole;

      data = lseek (in, data, SEEK_DATA);
      if (data < 0)
        break; /* ENXIO: only a hole is left */
      hole = lseek (in, data, SEEK_HOLE);
      if (hole < 0)
        hole = size;
      if (!copy_range (in, out, data, hole - data, cancellable, &done, size, progress, user_data,
                       dest, error))
        return FALSE;
      data = hole;
    }
  if (progress != NULL)
    progress (size, size, user_data);
  return TRUE;
}

static gboolean
copy_open_files (int in, int out, off_t size, GCancellable *cancellable,
                 HangarCopyProgress progress, gpointer user_data, const char *dest, GError **error)
{
  /* Sharing blocks costs no time and no space where the file system can. */
  if (ioctl (out, FICLONE, in) == 0)
    {
      if (progress != NULL)
        progress (size, size, user_data);
      return TRUE;
    }
  if (ftruncate (out, size) < 0)
    return set_errno_error (error, _ ("Could not write the copy %s: %s"), dest);
  if (!copy_data_extents (in, out, size, cancellable, progress, user_data, dest, error))
    return FALSE;
  if (fsync (out) < 0)
    return set_errno_error (error, _ ("Could not write the copy %s: %s"), dest);
  return TRUE;
}

gboolean
hangar_file_copy_sparse (const char *source, const char *dest, GCancellable *cancellable,
                         HangarCopyProgress progress, gpointer user_data, GError **error)
{
  struct stat st;
  gboolean ok;
  int in, out;

  in = open (source, O_RDONLY | O_CLOEXEC);
  if (in < 0 || fstat (in, &st) < 0)
    {
      (void) set_errno_error (error, _ ("Could not open the disk %s: %s"), source);
      if (in >= 0)
        close (in);
      return FALSE;
    }
  out = open (dest, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 0666);
  if (out < 0)
    {
      (void) set_errno_error (error, _ ("Could not create the copy %s: %s"), dest);
      close (in);
      return FALSE;
    }

  ok = copy_open_files (in, out, st.st_size, cancellable, progress, user_data, dest, error);
  close (in);
  if (close (out) < 0 && ok)
    ok = set_errno_error (error, _ ("Could not write the copy %s: %s"), dest);
  if (!ok)
    g_unlink (dest);
  return ok;
}
