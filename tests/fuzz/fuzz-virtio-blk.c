/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target: the split virtqueue and the virtio-blk request parser,
 * fed guest memory that the fuzzer writes (descriptor table, rings,
 * headers, indirect tables, all of it). AddressSanitizer catches any access
 * outside that memory; the asserts catch a device that writes more than
 * the chain holds.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "virtio/blk.h"
#include "vmm.h"

/* Small and packed, so that short inputs reach the rings and buffers. */
#define MEM_SIZE  (16 * 1024)
#define QSIZE     4
#define DESC_GPA  0x00 /* 4 x 16 bytes */
#define AVAIL_GPA 0x40 /* flags, idx, ring[4], used_event */
#define USED_GPA  0x50 /* flags, idx, ring[4], avail_event */
#define DISK_SIZE (64 * 1024)

static char *disk_path;
static VqChain chain;

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  int fd = g_file_open_tmp ("fuzz-virtio-blk-XXXXXX", &disk_path, NULL);

  g_assert (fd >= 0 && ftruncate (fd, DISK_SIZE) == 0);
  close (fd);
  return 0;
}

static void
run_queue (GuestMemory *mem, uint8_t flags)
{
  g_autoptr (GError) error = NULL;
  BlockImage *image = block_image_open (disk_path, (flags & 4) != 0, &error);
  VirtioBlk *blk;
  Virtqueue vq;

  g_assert (image != NULL);
  blk = virtio_blk_new (image, "fuzz");
  vq_reset (&vq, mem, QSIZE);
  vq.desc_gpa = DESC_GPA;
  vq.avail_gpa = AVAIL_GPA;
  vq.used_gpa = USED_GPA;
  vq.indirect = (flags & 1) != 0;
  vq.event_idx = (flags & 2) != 0;
  g_assert (vq_start (&vq));
  for (unsigned i = 0; i < 2 * QSIZE && vq_pop (&vq, &chain) == VQ_POP_OK; i++)
    {
      uint32_t written = virtio_blk_execute (blk, &chain);

      g_assert (written <= chain.in_len);
      vq_push (&vq, chain.head, written);
    }
  vq_should_notify (&vq);
  vq_enable_notify (&vq);
  virtio_blk_free (blk);
}

/* Flag 8: fold descriptor addresses into RAM, so that the fuzzer gets past
 * the bounds checks (which it exercises with the flag clear). */
static void
fold_addresses (GuestMemory *mem)
{
  for (unsigned i = 0; i < QSIZE; i++)
    {
      uint64_t addr;

      memcpy (&addr, mem->host + DESC_GPA + 16 * i, 8);
      addr &= MEM_SIZE - 1;
      memcpy (mem->host + DESC_GPA + 16 * i, &addr, 8);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  /* An exact-size allocation: ASan flags the first byte past guest RAM. */
  GuestMemory mem = { g_malloc0 (MEM_SIZE), MEM_SIZE, MEM_SIZE, 0 };

  if (size > 0)
    {
      memcpy (mem.host, data + 1, MIN (size - 1, MEM_SIZE));
      if ((data[0] & 8) != 0)
        fold_addresses (&mem);
      run_queue (&mem, data[0]);
    }
  g_free (mem.host);
  return 0;
}
