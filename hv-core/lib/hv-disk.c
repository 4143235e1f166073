/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE /* copy_file_range () */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hv-disk.h"
#include "hv-error.h"

#define HV_DISK_SECTOR 512

static gboolean
hv_disk_fail (GError **error, int saved_errno, const char *path)
{
  g_set_error (error, HV_ERROR, HV_ERROR_FAILED, _ ("Could not create the disk image %s: %s"), path,
               g_strerror (saved_errno));
  return FALSE;
}

/* A sparse file of SIZE bytes next to PATH; returns its name. */
static char *
hv_disk_create_temp (const char *path, guint64 size, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmpl = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  int fd = g_mkstemp_full (tmpl, O_RDWR | O_CLOEXEC, 0600);
  int saved;

  if (fd < 0)
    {
      hv_disk_fail (error, errno, path);
      return NULL;
    }
  /* ftruncate only sets the length: no block is allocated. */
  if (ftruncate (fd, size) == 0 && fsync (fd) == 0 && close (fd) == 0)
    return g_steal_pointer (&tmpl);
  saved = errno;
  close (fd);
  g_unlink (tmpl);
  hv_disk_fail (error, saved, path);
  return NULL;
}

gboolean
hv_disk_create (const char *path, guint64 size, GError **error)
{
  g_autofree char *tmp = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  if (size == 0 || size % HV_DISK_SECTOR != 0 || size > G_MAXINT64)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("Invalid disk size %llu bytes: give a positive multiple of 512 bytes"),
                   (unsigned long long) size);
      return FALSE;
    }
  tmp = hv_disk_create_temp (path, size, error);
  if (tmp == NULL)
    return FALSE;
  /* link() fails if PATH exists, where rename() would replace it. */
  if (link (tmp, path) < 0)
    {
      int saved = errno;

      g_unlink (tmp);
      if (saved == EEXIST)
        {
          g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                       _ ("The disk image %s exists already: Hangar does not overwrite it"), path);
          return FALSE;
        }
      return hv_disk_fail (error, saved, path);
    }
  g_unlink (tmp);
  return TRUE;
}

/* ---- Copies ---- */

#define HV_DISK_COPY_CHUNK (1024 * 1024)

typedef struct
{
  int in;
  int out;
  guint64 size;
  guint64 done;
  const char *dest; /* for errors */
  GCancellable *cancellable;
  HvDiskCopyProgress progress;
  gpointer user_data;
  gboolean use_copy_file_range;
  char *buffer; /* for pread () and pwrite () */
} DiskCopy;

static gboolean
disk_copy_fail (DiskCopy *copy, GError **error)
{
  int saved = errno;

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
               _ ("Could not write the disk copy %s: %s"), copy->dest, g_strerror (saved));
  return FALSE;
}

static void
disk_copy_report (DiskCopy *copy)
{
  if (copy->progress != NULL)
    copy->progress (copy->done, copy->size, copy->user_data);
}

/* Copies up to LENGTH bytes at OFFSET; returns how many, or -1 and errno.
 * copy_file_range () copies inside the kernel, with no buffer here (and
 * shares blocks or copies on the server where the file system can);
 * pread () and pwrite () where it is not supported. */
static ssize_t
disk_copy_chunk (DiskCopy *copy, off_t offset, size_t length)
{
  ssize_t n;

  if (copy->use_copy_file_range)
    {
      loff_t in_offset = offset, out_offset = offset;

      n = copy_file_range (copy->in, &in_offset, copy->out, &out_offset, length, 0);
      if (n >= 0 || (errno != ENOSYS && errno != EXDEV && errno != EINVAL && errno != EOPNOTSUPP))
        return n;
      copy->use_copy_file_range = FALSE;
    }
  if (copy->buffer == NULL)
    copy->buffer = g_malloc (HV_DISK_COPY_CHUNK);
  n = pread (copy->in, copy->buffer, length, offset);
  if (n > 0 && pwrite (copy->out, copy->buffer, n, offset) != n)
    return -1;
  return n;
}

/* Copies [OFFSET, OFFSET+LENGTH): one data extent of the source. */
static gboolean
disk_copy_range (DiskCopy *copy, off_t offset, off_t length, GError **error)
{
  while (length > 0)
    {
      ssize_t n = disk_copy_chunk (copy, offset, MIN (length, HV_DISK_COPY_CHUNK));

      if (n < 0 && errno == EINTR)
        continue;
      if (n == 0)
        errno = EIO; /* the source shrank under us */
      if (n <= 0)
        return disk_copy_fail (copy, error);
      offset += n;
      length -= n;
      copy->done += n;
      disk_copy_report (copy);
      if (g_cancellable_set_error_if_cancelled (copy->cancellable, error))
        return FALSE;
    }
  return TRUE;
}

/* Copies only the data extents: holes stay holes. */
static gboolean
disk_copy_data (DiskCopy *copy, GError **error)
{
  off_t data = 0;

  if (ftruncate (copy->out, copy->size) < 0)
    return disk_copy_fail (copy, error);
  while ((guint64) data < copy->size)
    {
      off_t hole;

      data = lseek (copy->in, data, SEEK_DATA);
      if (data < 0)
        break; /* ENXIO: only a hole is left */
      hole = lseek (copy->in, data, SEEK_HOLE);
      if (hole < 0)
        hole = copy->size;
      if (!disk_copy_range (copy, data, hole - data, error))
        return FALSE;
      data = hole;
    }
  return fsync (copy->out) == 0 || disk_copy_fail (copy, error);
}

/* Copies SOURCE into a new temporary file beside DEST; returns its name. */
static char *
disk_copy_to_temp (const char *source, const char *dest, GCancellable *cancellable,
                   HvDiskCopyProgress progress, gpointer user_data, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (dest);
  g_autofree char *base = g_path_get_basename (dest);
  g_autofree char *tmpl = g_strdup_printf ("%s/.%s.XXXXXX", dir, base);
  DiskCopy copy = { .dest = dest,
                    .cancellable = cancellable,
                    .progress = progress,
                    .user_data = user_data,
                    .use_copy_file_range = TRUE };
  struct stat st;
  gboolean ok;

  copy.in = open (source, O_RDONLY | O_CLOEXEC);
  if (copy.in < 0 || fstat (copy.in, &st) < 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Could not read the disk image %s: %s"), source, g_strerror (saved));
      if (copy.in >= 0)
        close (copy.in);
      return NULL;
    }
  copy.size = st.st_size;
  copy.out = g_mkstemp_full (tmpl, O_RDWR | O_CLOEXEC, 0600);
  /* The source's permissions: a hypervisor that runs as another user
   * (libvirt's system connection) must still open the copy. */
  if (copy.out < 0 || fchmod (copy.out, st.st_mode & 0666) < 0)
    {
      disk_copy_fail (&copy, error);
      if (copy.out >= 0)
        {
          close (copy.out);
          g_unlink (tmpl);
        }
      close (copy.in);
      return NULL;
    }
  /* Sharing blocks (a reflink) costs no time and no space where the file
   * system can; elsewhere only the data is copied. */
  ok = ioctl (copy.out, FICLONE, copy.in) == 0 || disk_copy_data (&copy, error);
  g_free (copy.buffer);
  close (copy.in);
  if (close (copy.out) < 0 && ok)
    ok = disk_copy_fail (&copy, error);
  if (!ok)
    {
      g_unlink (tmpl);
      return NULL;
    }
  copy.done = copy.size;
  disk_copy_report (&copy);
  return g_steal_pointer (&tmpl);
}

gboolean
hv_disk_copy (const char *source, const char *dest, GCancellable *cancellable,
              HvDiskCopyProgress progress, gpointer user_data, GError **error)
{
  g_autofree char *tmp = NULL;

  /* Checked first so that a taken name costs no copy; link () below
   * still refuses a name taken meanwhile. */
  if (g_file_test (dest, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _ ("The disk image %s exists already: Hangar does not overwrite it"), dest);
      return FALSE;
    }
  tmp = disk_copy_to_temp (source, dest, cancellable, progress, user_data, error);
  if (tmp == NULL)
    return FALSE;
  if (link (tmp, dest) < 0)
    {
      int saved = errno;

      g_unlink (tmp);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Could not create the disk image %s: %s"), dest, g_strerror (saved));
      return FALSE;
    }
  g_unlink (tmp);
  return TRUE;
}

gboolean
hv_disk_replace (const char *source, const char *dest, GCancellable *cancellable,
                 HvDiskCopyProgress progress, gpointer user_data, GError **error)
{
  g_autofree char *tmp = disk_copy_to_temp (source, dest, cancellable, progress, user_data, error);

  if (tmp == NULL)
    return FALSE;
  if (rename (tmp, dest) < 0)
    {
      int saved = errno;

      g_unlink (tmp);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Could not replace the disk image %s: %s"), dest, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}
