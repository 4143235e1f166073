/* SPDX-License-Identifier: GPL-3.0-or-later */
/* virtio-blk requests through a synthetic queue onto a real image file. */
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "virtio/blk.h"
#include "vmm.h"
#include "virtio/rng.h"
#include "vq-driver.h"

#define DISK_SIZE (1024 * 1024)

typedef struct
{
  char *dir;
  char *path;
  VqDriver d;
  VirtioBlk *blk;
  VqChain chain;
} Fixture;

static char *
make_image (const char *dir, uint64_t size)
{
  char *path = g_build_filename (dir, "disk.img", NULL);
  int fd = open (path, O_RDWR | O_CREAT | O_TRUNC, 0600);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, size), ==, 0);
  close (fd);
  return path;
}

static void
open_disk (Fixture *f, bool readonly)
{
  g_autoptr (GError) error = NULL;
  BlockImage *image = block_image_open (f->path, readonly, &error);

  g_assert_no_error (error);
  f->blk = virtio_blk_new (image, "serial-0123456789abcdefXYZ");
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  f->dir = g_dir_make_tmp ("test-virtio-blk-XXXXXX", NULL);
  f->path = make_image (f->dir, DISK_SIZE);
  vq_driver_init (&f->d, 4 * 1024 * 1024, 64, TRUE, FALSE);
  open_disk (f, GPOINTER_TO_INT (data));
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  virtio_blk_free (f->blk);
  vq_driver_fini (&f->d);
  g_unlink (f->path);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* Builds header + data + status as three descriptors and runs it; returns
 * the status byte; *USED gets the length the device reported. */
static uint8_t
request (Fixture *f, uint32_t type, uint64_t sector, uint64_t data, uint32_t data_len, bool data_in,
         uint32_t *used)
{
  uint64_t hdr = vq_driver_alloc (&f->d, 16, 8);
  uint64_t status = vq_driver_alloc (&f->d, 1, 1);
  uint8_t *h = vq_driver_host (&f->d, hdr);
  uint16_t n = 0;

  memset (h, 0, 16);
  memcpy (h, &type, 4);
  memcpy (h + 8, &sector, 8);
  *(uint8_t *) vq_driver_host (&f->d, status) = 0xee;
  vq_driver_set_desc (&f->d, 0, n, hdr, 16, VIRTQ_DESC_F_NEXT, n + 1);
  n++;
  if (data_len > 0)
    {
      vq_driver_set_desc (&f->d, 0, n, data, data_len,
                          VIRTQ_DESC_F_NEXT | (data_in ? VIRTQ_DESC_F_WRITE : 0), n + 1);
      n++;
    }
  vq_driver_set_desc (&f->d, 0, n, status, 1, VIRTQ_DESC_F_WRITE, 0);
  vq_driver_publish (&f->d, 0);
  g_assert_cmpint (vq_pop (&f->d.vq, &f->chain), ==, VQ_POP_OK);
  *used = virtio_blk_execute (f->blk, &f->chain);
  return *(uint8_t *) vq_driver_host (&f->d, status);
}

static void
read_file (Fixture *f, uint64_t offset, void *buf, size_t len)
{
  int fd = open (f->path, O_RDONLY);

  g_assert_cmpint (pread (fd, buf, len, offset), ==, (ssize_t) len);
  close (fd);
}

static void
test_write_read (Fixture *f, gconstpointer data)
{
  uint64_t out = vq_driver_alloc (&f->d, 8192, 512);
  uint64_t in = vq_driver_alloc (&f->d, 8192, 512);
  uint8_t *pattern = vq_driver_host (&f->d, out);
  uint8_t file[8192];
  uint32_t used;
  BlockStats stats;

  for (unsigned i = 0; i < 8192; i++)
    pattern[i] = i * 7 + 3;
  g_assert_cmpuint (request (f, VIRTIO_BLK_T_OUT, 10, out, 8192, FALSE, &used), ==,
                    VIRTIO_BLK_S_OK);
  g_assert_cmpuint (used, ==, 1);
  read_file (f, 10 * 512, file, sizeof file);
  g_assert_cmpmem (file, sizeof file, pattern, 8192);

  g_assert_cmpuint (request (f, VIRTIO_BLK_T_IN, 10, in, 8192, TRUE, &used), ==, VIRTIO_BLK_S_OK);
  g_assert_cmpuint (used, ==, 8193);
  g_assert_cmpmem (vq_driver_host (&f->d, in), 8192, pattern, 8192);

  g_assert_cmpuint (request (f, VIRTIO_BLK_T_FLUSH, 0, 0, 0, FALSE, &used), ==, VIRTIO_BLK_S_OK);
  block_image_get_stats (virtio_blk_get_image (f->blk), &stats);
  g_assert_cmpuint (stats.requests, ==, 3);
  g_assert_cmpuint (stats.written_bytes, ==, 8192);
  g_assert_cmpuint (stats.read_bytes, ==, 8192);
  g_assert_cmpuint (stats.flushes, ==, 1);
  g_assert_cmpuint (stats.errors, ==, 0);
}

static void
test_out_of_range (Fixture *f, gconstpointer data)
{
  uint64_t buf = vq_driver_alloc (&f->d, 1024, 512);
  uint32_t used;
  BlockStats stats;

  /* The last sector is fine, one more is not; nor is a huge sector. */
  g_assert_cmpuint (request (f, VIRTIO_BLK_T_IN, DISK_SIZE / 512 - 1, buf, 512, TRUE, &used), ==,
                    VIRTIO_BLK_S_OK);
  g_assert_cmpuint (request (f, VIRTIO_BLK_T_IN, DISK_SIZE / 512 - 1, buf, 1024, TRUE, &used), ==,
                    VIRTIO_BLK_S_IOERR);
  g_assert_cmpuint (request (f, VIRTIO_BLK_T_OUT, UINT64_MAX / 256, buf, 512, FALSE, &used), ==,
                    VIRTIO_BLK_S_IOERR);
  /* Not a whole number of sectors. */
  g_assert_cmpuint (request (f, VIRTIO_BLK_T_IN, 0, buf, 100, TRUE, &used), ==, VIRTIO_BLK_S_IOERR);
  block_image_get_stats (virtio_blk_get_image (f->blk), &stats);
  g_assert_cmpuint (stats.errors, ==, 3);
}

static void
test_readonly (Fixture *f, gconstpointer data)
{
  uint64_t buf = vq_driver_alloc (&f->d, 512, 512);
  uint32_t used;

  g_assert_true (virtio_blk_ops.get_features (f->blk) & VIRTIO_BIT (VIRTIO_BLK_F_RO));
  g_assert_cmpuint (request (f, VIRTIO_BLK_T_OUT, 0, buf, 512, FALSE, &used), ==,
                    VIRTIO_BLK_S_IOERR);
  g_assert_cmpuint (request (f, VIRTIO_BLK_T_IN, 0, buf, 512, TRUE, &used), ==, VIRTIO_BLK_S_OK);
}

static void
test_get_id (Fixture *f, gconstpointer data)
{
  uint64_t buf = vq_driver_alloc (&f->d, 32, 8);
  uint32_t used;

  memset (vq_driver_host (&f->d, buf), '.', 32);
  g_assert_cmpuint (request (f, VIRTIO_BLK_T_GET_ID, 0, buf, 32, TRUE, &used), ==, VIRTIO_BLK_S_OK);
  g_assert_cmpuint (used, ==, 21);
  /* 20 bytes, no terminator when the serial fills them. */
  g_assert_cmpmem (vq_driver_host (&f->d, buf), 21, "serial-0123456789abc.", 21);
}

static void
write_ones (Fixture *f, uint64_t sector, unsigned sectors)
{
  uint64_t buf = vq_driver_alloc (&f->d, sectors * 512, 512);
  uint32_t used;

  memset (vq_driver_host (&f->d, buf), 0xff, sectors * 512);
  g_assert_cmpuint (request (f, VIRTIO_BLK_T_OUT, sector, buf, sectors * 512, FALSE, &used), ==,
                    VIRTIO_BLK_S_OK);
}

static uint8_t
range_request (Fixture *f, uint32_t type, uint64_t sector, uint32_t n, uint32_t flags)
{
  uint64_t seg = vq_driver_alloc (&f->d, 16, 8);
  uint8_t *p = vq_driver_host (&f->d, seg);
  uint32_t used;

  memcpy (p, &sector, 8);
  memcpy (p + 8, &n, 4);
  memcpy (p + 12, &flags, 4);
  return request (f, type, 0, seg, 16, FALSE, &used);
}

static void
test_discard_write_zeroes (Fixture *f, gconstpointer data)
{
  uint8_t file[8 * 512];
  uint8_t zeros[8 * 512] = { 0 };

  write_ones (f, 64, 8);
  g_assert_cmpuint (range_request (f, VIRTIO_BLK_T_DISCARD, 64, 8, 0), ==, VIRTIO_BLK_S_OK);
  read_file (f, 64 * 512, file, sizeof file);
  g_assert_cmpmem (file, sizeof file, zeros, sizeof zeros);

  write_ones (f, 128, 8);
  g_assert_cmpuint (range_request (f, VIRTIO_BLK_T_WRITE_ZEROES, 128, 8, 0), ==, VIRTIO_BLK_S_OK);
  read_file (f, 128 * 512, file, sizeof file);
  g_assert_cmpmem (file, sizeof file, zeros, sizeof zeros);

  write_ones (f, 256, 8);
  g_assert_cmpuint (range_request (f, VIRTIO_BLK_T_WRITE_ZEROES, 256, 8, 1), ==, VIRTIO_BLK_S_OK);
  read_file (f, 256 * 512, file, sizeof file);
  g_assert_cmpmem (file, sizeof file, zeros, sizeof zeros);

  /* Discard takes no flags; ranges must fit the disk. */
  g_assert_cmpuint (range_request (f, VIRTIO_BLK_T_DISCARD, 0, 8, 1), ==, VIRTIO_BLK_S_UNSUPP);
  g_assert_cmpuint (range_request (f, VIRTIO_BLK_T_DISCARD, DISK_SIZE / 512 - 4, 8, 0), ==,
                    VIRTIO_BLK_S_IOERR);
}

static void
test_malformed_requests (Fixture *f, gconstpointer data)
{
  uint64_t buf = vq_driver_alloc (&f->d, 512, 512);
  uint64_t status = vq_driver_alloc (&f->d, 1, 1);
  uint32_t used;

  g_assert_cmpuint (request (f, 99, 0, 0, 0, FALSE, &used), ==, VIRTIO_BLK_S_UNSUPP);

  /* A header shorter than 16 bytes. */
  vq_driver_set_desc (&f->d, 0, 0, buf, 8, VIRTQ_DESC_F_NEXT, 1);
  vq_driver_set_desc (&f->d, 0, 1, status, 1, VIRTQ_DESC_F_WRITE, 0);
  vq_driver_publish (&f->d, 0);
  g_assert_cmpint (vq_pop (&f->d.vq, &f->chain), ==, VQ_POP_OK);
  g_assert_cmpuint (virtio_blk_execute (f->blk, &f->chain), ==, 1);
  g_assert_cmpuint (*(uint8_t *) vq_driver_host (&f->d, status), ==, VIRTIO_BLK_S_IOERR);

  /* No writable byte for the status: nothing to write, nothing crashes. */
  vq_driver_set_desc (&f->d, 0, 0, buf, 512, 0, 0);
  vq_driver_publish (&f->d, 0);
  g_assert_cmpint (vq_pop (&f->d.vq, &f->chain), ==, VQ_POP_OK);
  g_assert_cmpuint (virtio_blk_execute (f->blk, &f->chain), ==, 0);
}

static void
test_lock (void)
{
  g_autofree char *dir = g_dir_make_tmp ("test-virtio-blk-XXXXXX", NULL);
  g_autofree char *path = make_image (dir, 4096);
  g_autoptr (GError) error = NULL;
  BlockImage *first = block_image_open (path, FALSE, &error);
  BlockImage *second;
  BlockImage *reader;

  g_assert_no_error (error);
  /* Another open file description, as a second hv-vmm would have. */
  second = block_image_open (path, FALSE, &error);
  g_assert_null (second);
  g_assert_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "in use by another machine"));
  g_clear_error (&error);
  reader = block_image_open (path, TRUE, &error);
  g_assert_null (reader);
  g_clear_error (&error);
  block_image_close (first);

  /* Read-only disks share. */
  first = block_image_open (path, TRUE, &error);
  reader = block_image_open (path, TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (first);
  g_assert_nonnull (reader);
  block_image_close (first);
  block_image_close (reader);
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_rng (void)
{
  VqDriver d;
  VqChain chain;
  VirtioRng *rng = virtio_rng_new ();
  uint64_t a, b;
  uint8_t *p, *q;
  gboolean differs = FALSE;

  vq_driver_init (&d, 65536, 8, FALSE, FALSE);
  a = vq_driver_alloc (&d, 32, 8);
  b = vq_driver_alloc (&d, 32, 8);
  vq_driver_set_desc (&d, 0, 0, a, 32, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
  vq_driver_set_desc (&d, 0, 1, b, 32, VIRTQ_DESC_F_WRITE, 0);
  vq_driver_publish (&d, 0);
  g_assert_cmpint (vq_pop (&d.vq, &chain), ==, VQ_POP_OK);
  g_assert_cmpuint (virtio_rng_execute (rng, &chain), ==, 64);
  p = vq_driver_host (&d, a);
  q = vq_driver_host (&d, b);
  for (unsigned i = 1; i < 32; i++)
    differs |= p[i] != p[0] || q[i] != p[0];
  g_assert_true (differs);
  g_assert_false (memcmp (p, q, 32) == 0);
  virtio_rng_free (rng);
  vq_driver_fini (&d);
}

#define ADD(path, func, ro)                                                                \
  g_test_add ("/vmm/virtio-blk/" path, Fixture, GINT_TO_POINTER (ro), fixture_setup, func, \
              fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD ("write-read", test_write_read, FALSE);
  ADD ("out-of-range", test_out_of_range, FALSE);
  ADD ("readonly", test_readonly, TRUE);
  ADD ("get-id", test_get_id, FALSE);
  ADD ("discard-write-zeroes", test_discard_write_zeroes, FALSE);
  ADD ("malformed-requests", test_malformed_requests, FALSE);
  g_test_add_func ("/vmm/virtio-blk/lock", test_lock);
  g_test_add_func ("/vmm/virtio-rng/random", test_rng);
  return g_test_run ();
}
