/* SPDX-License-Identifier: GPL-3.0-or-later */
/* F_OFD_SETLK, fallocate() */
#define _GNU_SOURCE
#include "config.h"

#include "block-image.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <linux/falloc.h>
#include <limits.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm.h"

struct block_image
{
  char *path;
  int fd;
  bool readonly;
  bool is_blockdev;
  uint64_t size;
  BlockStats stats; /* updated with atomics */
};

static gboolean
block_image_lock (BlockImage *image, GError **error)
{
  struct flock fl = {
    .l_type = image->readonly ? F_RDLCK : F_WRLCK,
    .l_whence = SEEK_SET,
  };

  /* An OFD lock belongs to this open file, not to the process: it goes
   * away with the descriptor, and a thread cannot drop it by accident. */
  if (fcntl (image->fd, F_OFD_SETLK, &fl) == 0)
    return TRUE;
  if (errno == EAGAIN || errno == EACCES)
    g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED,
                 _ ("The disk %s is in use by another machine. Stop that machine first, or "
                    "give this one its own disk."),
                 image->path);
  else
    g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED, _ ("Could not lock the disk %s: %s."),
                 image->path, g_strerror (errno));
  return FALSE;
}

static gboolean
block_image_read_size (BlockImage *image, GError **error)
{
  struct stat st;

  if (fstat (image->fd, &st) < 0)
    goto fail;
  image->is_blockdev = S_ISBLK (st.st_mode);
  if (image->is_blockdev)
    {
      if (ioctl (image->fd, BLKGETSIZE64, &image->size) < 0)
        goto fail;
    }
  else if (S_ISREG (st.st_mode))
    image->size = st.st_size;
  else
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED,
                   _ ("%s is neither a disk image file nor a block device."), image->path);
      return FALSE;
    }
  /* The guest sees whole sectors; a partial last one is left out. */
  image->size -= image->size % BLOCK_SECTOR_SIZE;
  return TRUE;

fail:
  g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED, _ ("Could not read the size of %s: %s."),
               image->path, g_strerror (errno));
  return FALSE;
}

BlockImage *
block_image_open (const char *path, bool readonly, GError **error)
{
  g_autoptr (BlockImage) image = g_new0 (BlockImage, 1);

  image->path = g_strdup (path);
  image->readonly = readonly;
  image->fd = open (path, (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
  if (image->fd < 0)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED,
                   _ ("Could not open the disk %s: %s. Check that it exists and that you may "
                      "read and write it."),
                   path, g_strerror (errno));
      return NULL;
    }
  if (!block_image_lock (image, error) || !block_image_read_size (image, error))
    return NULL;
  return g_steal_pointer (&image);
}

void
block_image_close (BlockImage *image)
{
  if (image == NULL)
    return;
  if (image->fd >= 0)
    close (image->fd);
  g_free (image->path);
  g_free (image);
}

const char *
block_image_get_path (BlockImage *image)
{
  return image->path;
}

uint64_t
block_image_get_size (BlockImage *image)
{
  return image->size;
}

bool
block_image_is_readonly (BlockImage *image)
{
  return image->readonly;
}

/* Moves past the first DONE bytes of IOV; returns the segments left. */
static int
block_iov_advance (struct iovec **iov, int n, size_t done)
{
  while (n > 0 && done >= (*iov)->iov_len)
    {
      done -= (*iov)->iov_len;
      (*iov)++;
      n--;
    }
  if (n > 0)
    {
      (*iov)->iov_base = (uint8_t *) (*iov)->iov_base + done;
      (*iov)->iov_len -= done;
    }
  return n;
}

static int
block_image_rw (BlockImage *image, const struct iovec *iov, int n, uint64_t offset, bool write)
{
  struct iovec local[IOV_MAX];
  struct iovec *cur = local;

  if (n > IOV_MAX)
    return -EINVAL;
  memcpy (local, iov, n * sizeof *iov);
  /* Short transfers happen (signals, big requests): go on where they stop. */
  while (n > 0)
    {
      ssize_t done =
          write ? pwritev (image->fd, cur, n, offset) : preadv (image->fd, cur, n, offset);

      if (done < 0 && errno == EINTR)
        continue;
      if (done < 0)
        return -errno;
      if (done == 0)
        return -EIO; /* the image shrank under us */
      offset += done;
      n = block_iov_advance (&cur, n, done);
    }
  return 0;
}

int
block_image_readv (BlockImage *image, const struct iovec *iov, int n, uint64_t offset)
{
  return block_image_rw (image, iov, n, offset, false);
}

int
block_image_writev (BlockImage *image, const struct iovec *iov, int n, uint64_t offset)
{
  if (image->readonly)
    return -EROFS;
  return block_image_rw (image, iov, n, offset, true);
}

int
block_image_flush (BlockImage *image)
{
  if (image->readonly)
    return 0;
  return fdatasync (image->fd) < 0 ? -errno : 0;
}

static int
block_image_write_zero_buffer (BlockImage *image, uint64_t offset, uint64_t len)
{
  /* Not const: in .bss it takes no room in the executable and no memory
   * until a guest without discard support first needs it, whereas a const
   * .rodata copy is file-backed and gets mapped along with the read-only
   * data around it in every hv-vmm. Nothing writes to it. */
  static uint8_t zeros[65536];

  while (len > 0)
    {
      struct iovec iov = { (void *) zeros, MIN (len, sizeof zeros) };
      int r = block_image_rw (image, &iov, 1, offset, true);

      if (r < 0)
        return r;
      offset += iov.iov_len;
      len -= iov.iov_len;
    }
  return 0;
}

static int
block_image_blkdev_range (BlockImage *image, unsigned long request, uint64_t offset, uint64_t len)
{
  uint64_t range[2] = { offset, len };

  return ioctl (image->fd, request, range) < 0 ? -errno : 0;
}

int
block_image_discard (BlockImage *image, uint64_t offset, uint64_t len)
{
  if (image->readonly)
    return -EROFS;
  if (image->is_blockdev)
    return block_image_blkdev_range (image, BLKDISCARD, offset, len);
  if (fallocate (image->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, len) < 0)
    return -errno;
  return 0;
}

int
block_image_write_zeroes (BlockImage *image, uint64_t offset, uint64_t len, bool unmap)
{
  int mode = unmap ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE : FALLOC_FL_ZERO_RANGE;

  if (image->readonly)
    return -EROFS;
  if (image->is_blockdev && block_image_blkdev_range (image, BLKZEROOUT, offset, len) == 0)
    return 0;
  if (!image->is_blockdev && fallocate (image->fd, mode, offset, len) == 0)
    return 0;
  /* Not every file system punches holes or zeroes ranges. */
  return block_image_write_zero_buffer (image, offset, len);
}

void
block_image_count (BlockImage *image, uint64_t read, uint64_t written, bool failed)
{
  __atomic_add_fetch (&image->stats.requests, 1, __ATOMIC_RELAXED);
  __atomic_add_fetch (&image->stats.read_bytes, read, __ATOMIC_RELAXED);
  __atomic_add_fetch (&image->stats.written_bytes, written, __ATOMIC_RELAXED);
  if (failed)
    __atomic_add_fetch (&image->stats.errors, 1, __ATOMIC_RELAXED);
}

void
block_image_count_flush (BlockImage *image)
{
  __atomic_add_fetch (&image->stats.flushes, 1, __ATOMIC_RELAXED);
}

void
block_image_count_discard (BlockImage *image)
{
  __atomic_add_fetch (&image->stats.discards, 1, __ATOMIC_RELAXED);
}

void
block_image_get_stats (BlockImage *image, BlockStats *stats)
{
  stats->requests = __atomic_load_n (&image->stats.requests, __ATOMIC_RELAXED);
  stats->read_bytes = __atomic_load_n (&image->stats.read_bytes, __ATOMIC_RELAXED);
  stats->written_bytes = __atomic_load_n (&image->stats.written_bytes, __ATOMIC_RELAXED);
  stats->flushes = __atomic_load_n (&image->stats.flushes, __ATOMIC_RELAXED);
  stats->discards = __atomic_load_n (&image->stats.discards, __ATOMIC_RELAXED);
  stats->errors = __atomic_load_n (&image->stats.errors, __ATOMIC_RELAXED);
}
