/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "blk.h"

#include <errno.h>
#include <string.h>

typedef struct __attribute__ ((packed))
{
  uint32_t type;
  uint32_t reserved;
  uint64_t sector;
} BlkHeader;

typedef struct __attribute__ ((packed))
{
  uint64_t sector;
  uint32_t num_sectors;
  uint32_t flags;
} BlkDiscardSegment;

#define BLK_DISCARD_F_UNMAP 1u
/* One range a request: what Linux sends unless told it may merge. */
#define BLK_MAX_DISCARD_SEG 1u
#define BLK_MAX_SECTORS     (UINT32_MAX / BLOCK_SECTOR_SIZE)

/* The configuration layout of 5.2.4, up to write_zeroes_may_unmap. */
typedef struct __attribute__ ((packed))
{
  uint64_t capacity;
  uint32_t size_max;
  uint32_t seg_max;
  uint16_t cylinders;
  uint8_t heads;
  uint8_t sectors;
  uint32_t blk_size;
  uint8_t physical_block_exp;
  uint8_t alignment_offset;
  uint16_t min_io_size;
  uint32_t opt_io_size;
  uint8_t writeback;
  uint8_t unused0;
  uint16_t num_queues;
  uint32_t max_discard_sectors;
  uint32_t max_discard_seg;
  uint32_t discard_sector_alignment;
  uint32_t max_write_zeroes_sectors;
  uint32_t max_write_zeroes_seg;
  uint8_t write_zeroes_may_unmap;
  uint8_t unused1[3];
} BlkConfig;

G_STATIC_ASSERT (sizeof (BlkConfig) == 60);

struct virtio_blk
{
  BlockImage *image;
  char serial[VIRTIO_BLK_ID_BYTES];
  BlkConfig config;
  VqChain chain; /* the request being handled (one I/O thread) */
  struct iovec segs[VQ_MAX_SEGS];
};

static void
virtio_blk_fill_config (VirtioBlk *blk)
{
  BlkConfig *c = &blk->config;

  c->capacity = block_image_get_size (blk->image) / BLOCK_SECTOR_SIZE;
  c->seg_max = VIRTIO_BLK_SEG_MAX;
  c->blk_size = BLOCK_SECTOR_SIZE;
  c->num_queues = 1;
  c->max_discard_sectors = BLK_MAX_SECTORS;
  c->max_discard_seg = BLK_MAX_DISCARD_SEG;
  c->discard_sector_alignment = 4096 / BLOCK_SECTOR_SIZE;
  c->max_write_zeroes_sectors = BLK_MAX_SECTORS;
  c->max_write_zeroes_seg = BLK_MAX_DISCARD_SEG;
  c->write_zeroes_may_unmap = 1;
}

VirtioBlk *
virtio_blk_new (BlockImage *image, const char *serial)
{
  VirtioBlk *blk = g_new0 (VirtioBlk, 1);

  blk->image = image;
  if (serial != NULL)
    memcpy (blk->serial, serial, MIN (strlen (serial), sizeof blk->serial));
  virtio_blk_fill_config (blk);
  return blk;
}

void
virtio_blk_free (VirtioBlk *blk)
{
  if (blk == NULL)
    return;
  block_image_close (blk->image);
  g_free (blk);
}

BlockImage *
virtio_blk_get_image (VirtioBlk *blk)
{
  return blk->image;
}

/* True if LEN bytes at SECTOR lie inside the disk (no sum may wrap). */
static bool
virtio_blk_in_range (VirtioBlk *blk, uint64_t sector, uint64_t len)
{
  uint64_t size = block_image_get_size (blk->image);

  if (len % BLOCK_SECTOR_SIZE != 0 || sector > size / BLOCK_SECTOR_SIZE)
    return false;
  return len <= size - sector * BLOCK_SECTOR_SIZE;
}

static uint8_t
virtio_blk_status (int r)
{
  return r == 0 ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR;
}

static uint8_t
virtio_blk_read (VirtioBlk *blk, const VqChain *c, uint64_t sector, uint64_t len)
{
  int n;
  int r;

  if (!virtio_blk_in_range (blk, sector, len))
    return VIRTIO_BLK_S_IOERR;
  n = vq_chain_slice (c, true, 0, len, blk->segs, G_N_ELEMENTS (blk->segs));
  if (n < 0)
    return VIRTIO_BLK_S_IOERR;
  r = block_image_readv (blk->image, blk->segs, n, sector * BLOCK_SECTOR_SIZE);
  return virtio_blk_status (r);
}

static uint8_t
virtio_blk_write (VirtioBlk *blk, const VqChain *c, uint64_t sector)
{
  uint64_t len = c->out_len - sizeof (BlkHeader);
  int n;
  int r;

  if (block_image_is_readonly (blk->image) || !virtio_blk_in_range (blk, sector, len))
    return VIRTIO_BLK_S_IOERR;
  n = vq_chain_slice (c, false, sizeof (BlkHeader), len, blk->segs, G_N_ELEMENTS (blk->segs));
  if (n < 0)
    return VIRTIO_BLK_S_IOERR;
  r = block_image_writev (blk->image, blk->segs, n, sector * BLOCK_SECTOR_SIZE);
  return virtio_blk_status (r);
}

static uint8_t
virtio_blk_get_id (VirtioBlk *blk, const VqChain *c, uint64_t data_len, uint32_t *written)
{
  uint64_t len = MIN (data_len, sizeof blk->serial);

  if (!vq_chain_write (c, 0, blk->serial, len))
    return VIRTIO_BLK_S_IOERR;
  *written += len;
  return VIRTIO_BLK_S_OK;
}

static int
virtio_blk_apply_range (VirtioBlk *blk, uint32_t type, const BlkDiscardSegment *seg)
{
  uint64_t offset = seg->sector * BLOCK_SECTOR_SIZE;
  uint64_t len = (uint64_t) seg->num_sectors * BLOCK_SECTOR_SIZE;
  bool unmap = (seg->flags & BLK_DISCARD_F_UNMAP) != 0;

  /* Discard has no flags; write-zeroes knows only UNMAP (5.2.6.2). */
  if ((type == VIRTIO_BLK_T_DISCARD && seg->flags != 0) || (seg->flags & ~BLK_DISCARD_F_UNMAP) != 0)
    return -EOPNOTSUPP;
  if (!virtio_blk_in_range (blk, seg->sector, len))
    return -EINVAL;
  block_image_count_discard (blk->image);
  if (type == VIRTIO_BLK_T_DISCARD)
    return block_image_discard (blk->image, offset, len);
  return block_image_write_zeroes (blk->image, offset, len, unmap);
}

static uint8_t
virtio_blk_ranges (VirtioBlk *blk, const VqChain *c, uint32_t type)
{
  uint64_t bytes = c->out_len - sizeof (BlkHeader);
  uint64_t n = bytes / sizeof (BlkDiscardSegment);
  int r = 0;

  if (block_image_is_readonly (blk->image))
    return VIRTIO_BLK_S_IOERR;
  if (n == 0 || n > BLK_MAX_DISCARD_SEG || bytes % sizeof (BlkDiscardSegment) != 0)
    return VIRTIO_BLK_S_UNSUPP;
  for (uint64_t i = 0; i < n && r == 0; i++)
    {
      BlkDiscardSegment seg;

      if (!vq_chain_read (c, sizeof (BlkHeader) + i * sizeof seg, &seg, sizeof seg))
        return VIRTIO_BLK_S_IOERR;
      r = virtio_blk_apply_range (blk, type, &seg);
    }
  return r == -EOPNOTSUPP ? VIRTIO_BLK_S_UNSUPP : virtio_blk_status (r);
}

static uint8_t
virtio_blk_flush (VirtioBlk *blk)
{
  int r = block_image_flush (blk->image);

  block_image_count_flush (blk->image);
  return virtio_blk_status (r);
}

static uint8_t
virtio_blk_dispatch (VirtioBlk *blk, const VqChain *c, const BlkHeader *h, uint32_t *written)
{
  uint64_t data_in = c->in_len - 1;

  switch (h->type)
    {
      case VIRTIO_BLK_T_IN:
        if (virtio_blk_read (blk, c, h->sector, data_in) != VIRTIO_BLK_S_OK)
          return VIRTIO_BLK_S_IOERR;
        *written += data_in;
        return VIRTIO_BLK_S_OK;
      case VIRTIO_BLK_T_OUT:
        return virtio_blk_write (blk, c, h->sector);
      case VIRTIO_BLK_T_FLUSH:
        return virtio_blk_flush (blk);
      case VIRTIO_BLK_T_GET_ID:
        return virtio_blk_get_id (blk, c, data_in, written);
      case VIRTIO_BLK_T_DISCARD:
      case VIRTIO_BLK_T_WRITE_ZEROES:
        return virtio_blk_ranges (blk, c, h->type);
      default:
        return VIRTIO_BLK_S_UNSUPP;
    }
}

/* One count a request, with the bytes it moved. */
static void
virtio_blk_account (VirtioBlk *blk, const VqChain *c, uint32_t type, uint8_t status)
{
  bool ok = status == VIRTIO_BLK_S_OK;
  uint64_t read = ok && type == VIRTIO_BLK_T_IN ? c->in_len - 1 : 0;
  uint64_t written = ok && type == VIRTIO_BLK_T_OUT ? c->out_len - sizeof (BlkHeader) : 0;

  block_image_count (blk->image, read, written, !ok);
}

uint32_t
virtio_blk_execute (VirtioBlk *blk, const VqChain *c)
{
  BlkHeader h = { .type = UINT32_MAX };
  uint32_t written = 0;
  uint8_t status;

  /* Without a writable byte at the end there is no way to answer. */
  if (c->in_len == 0 || c->in_len > UINT32_MAX)
    {
      block_image_count (blk->image, 0, 0, true);
      return 0;
    }
  if (!vq_chain_read (c, 0, &h, sizeof h))
    status = VIRTIO_BLK_S_IOERR;
  else
    status = virtio_blk_dispatch (blk, c, &h, &written);
  virtio_blk_account (blk, c, h.type, status);
  vq_chain_write (c, c->in_len - 1, &status, 1);
  return written + 1;
}

static uint64_t
virtio_blk_get_features (void *dev)
{
  VirtioBlk *blk = dev;
  uint64_t f = VIRTIO_BIT (VIRTIO_BLK_F_SEG_MAX) | VIRTIO_BIT (VIRTIO_BLK_F_BLK_SIZE) |
               VIRTIO_BIT (VIRTIO_BLK_F_FLUSH);

  if (block_image_is_readonly (blk->image))
    f |= VIRTIO_BIT (VIRTIO_BLK_F_RO);
  else
    f |= VIRTIO_BIT (VIRTIO_BLK_F_DISCARD) | VIRTIO_BIT (VIRTIO_BLK_F_WRITE_ZEROES);
  return f;
}

static void
virtio_blk_read_config (void *dev, uint64_t offset, uint8_t *data, unsigned size)
{
  VirtioBlk *blk = dev;

  memcpy (data, (const uint8_t *) &blk->config + offset, size);
}

static void
virtio_blk_handle_queue (void *dev, Virtqueue *vq, unsigned index)
{
  VirtioBlk *blk = dev;

  do
    {
      while (vq_pop (vq, &blk->chain) == VQ_POP_OK)
        vq_push (vq, blk->chain.head, virtio_blk_execute (blk, &blk->chain));
    }
  while (vq_enable_notify (vq));
}

static void
virtio_blk_reset (void *dev)
{
}

const VirtioDeviceOps virtio_blk_ops = {
  .device_id = VIRTIO_ID_BLOCK,
  .pci_class = 0x018000, /* mass storage, other */
  .n_queues = 1,
  .queue_size = 256,
  .get_features = virtio_blk_get_features,
  .config_size = sizeof (BlkConfig),
  .read_config = virtio_blk_read_config,
  .handle_queue = virtio_blk_handle_queue,
  .reset = virtio_blk_reset,
};
