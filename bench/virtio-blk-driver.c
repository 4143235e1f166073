/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The host CPU cost of the virtio-blk device model per request, against
 * plain pread/pwrite of the same bytes on the same file in the same run.
 * The "guest" is the synthetic driver of the unit tests (vq-driver.c):
 * requests go through the real split virtqueue and blk request path, with
 * the data in 4 KiB guest pages as Linux sends it (adjacent pages, which
 * the queue merges, then scattered ones); no KVM is involved.
 *
 * Usage: bench-virtio-blk FILE [REPEATS]   (FILE: at least 64 MiB, cached)
 */
#include <fcntl.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "virtio/blk.h"
#include "vq-driver.h"

#define SPAN      (64ull << 20) /* offsets cycle through this much of FILE */
#define MEM_SIZE  (8ull << 20)
#define PAGE      4096
#define MAX_BYTES (1u << 20)

typedef struct
{
  VqDriver d;
  VirtioBlk *blk;
  VqChain chain;
  uint64_t hdr, status, data; /* guest addresses */
  int fd;
  uint8_t *plain; /* the plain I/O buffer */
  bool scattered; /* guest pages in reverse order: nothing to merge */
} Bench;

static double
cpu_seconds (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One request through the queue: header, the data page by page, status. */
static void
device_request (Bench *b, uint32_t type, uint64_t offset, uint32_t bytes)
{
  uint8_t *h = vq_driver_host (&b->d, b->hdr);
  uint64_t sector = offset / 512;
  uint16_t n = 0;
  uint16_t data_flags = type == VIRTIO_BLK_T_IN ? VIRTQ_DESC_F_WRITE : 0;
  uint32_t id, len;

  memcpy (h, &type, 4);
  memcpy (h + 8, &sector, 8);
  vq_driver_set_desc (&b->d, 0, n, b->hdr, 16, VIRTQ_DESC_F_NEXT, n + 1);
  n++;
  for (uint32_t off = 0; off < bytes; off += PAGE, n++)
    {
      uint64_t page = b->scattered ? b->data + bytes - PAGE - off : b->data + off;

      vq_driver_set_desc (&b->d, 0, n, page, PAGE, VIRTQ_DESC_F_NEXT | data_flags, n + 1);
    }
  vq_driver_set_desc (&b->d, 0, n, b->status, 1, VIRTQ_DESC_F_WRITE, 0);
  vq_driver_publish (&b->d, 0);
  g_assert (vq_pop (&b->d.vq, &b->chain) == VQ_POP_OK);
  vq_push (&b->d.vq, b->chain.head, virtio_blk_execute (b->blk, &b->chain));
  g_assert (vq_driver_get_used (&b->d, &id, &len));
  g_assert (*(uint8_t *) vq_driver_host (&b->d, b->status) == VIRTIO_BLK_S_OK);
}

static void
plain_request (Bench *b, uint32_t type, uint64_t offset, uint32_t bytes)
{
  ssize_t n = type == VIRTIO_BLK_T_IN ? pread (b->fd, b->plain, bytes, offset)
                                      : pwrite (b->fd, b->plain, bytes, offset);

  g_assert (n == (ssize_t) bytes);
}

typedef void (*RequestFunc) (Bench *b, uint32_t type, uint64_t offset, uint32_t bytes);

/* CPU seconds per request for COUNT requests of BYTES. */
static double
measure (Bench *b, RequestFunc func, uint32_t type, uint32_t bytes, unsigned count)
{
  double t0 = cpu_seconds ();

  for (unsigned i = 0; i < count; i++)
    func (b, type, (uint64_t) i * bytes % SPAN, bytes);
  return (cpu_seconds () - t0) / count;
}

static void
report (Bench *b, const char *name, uint32_t type, uint32_t bytes, unsigned count, unsigned repeats)
{
  double dev = G_MAXDOUBLE;
  double plain = G_MAXDOUBLE;

  /* Alternating, best of REPEATS: both see the same cache and CPU state. */
  for (unsigned r = 0; r < repeats; r++)
    {
      dev = MIN (dev, measure (b, device_request, type, bytes, count));
      plain = MIN (plain, measure (b, plain_request, type, bytes, count));
    }
  printf ("%-6s %8u B  device %9.2f us  plain %9.2f us  ratio %5.2fx  (%u requests)\n", name, bytes,
          dev * 1e6, plain * 1e6, dev / plain, count);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  unsigned repeats = argc > 2 ? atoi (argv[2]) : 5;
  Bench b = { 0 };
  BlockImage *image;

  if (argc < 2)
    {
      fprintf (stderr, "usage: %s FILE [REPEATS]\n", argv[0]);
      return 2;
    }
  image = block_image_open (argv[1], FALSE, &error);
  if (image == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  b.fd = open (argv[1], O_RDWR);
  b.blk = virtio_blk_new (image, NULL);
  vq_driver_init (&b.d, MEM_SIZE, 512, TRUE, FALSE);
  b.hdr = vq_driver_alloc (&b.d, 16, 16);
  b.status = vq_driver_alloc (&b.d, 1, 1);
  b.data = vq_driver_alloc (&b.d, MAX_BYTES, PAGE);
  b.plain = g_malloc (MAX_BYTES);
  memset (vq_driver_host (&b.d, b.data), 0x5a, MAX_BYTES);
  memset (b.plain, 0x5a, MAX_BYTES);

  printf ("CPU time per request (user + system), best of %u:\n", repeats);
  report (&b, "read", VIRTIO_BLK_T_IN, PAGE, 20000, repeats);
  report (&b, "write", VIRTIO_BLK_T_OUT, PAGE, 20000, repeats);
  report (&b, "read", VIRTIO_BLK_T_IN, MAX_BYTES, 256, repeats);
  report (&b, "write", VIRTIO_BLK_T_OUT, MAX_BYTES, 256, repeats);
  printf ("The same with the guest's pages scattered (256 segments a request):\n");
  b.scattered = true;
  report (&b, "read", VIRTIO_BLK_T_IN, MAX_BYTES, 256, repeats);
  report (&b, "write", VIRTIO_BLK_T_OUT, MAX_BYTES, 256, repeats);

  close (b.fd);
  g_free (b.plain);
  virtio_blk_free (b.blk);
  vq_driver_fini (&b.d);
  return 0;
}
