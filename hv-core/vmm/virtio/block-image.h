/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A disk image behind virtio-blk: a raw file (sparse or not), a whole block
 * device or a partition. Opening it takes an OFD lock on it, shared for a
 * read-only disk and exclusive otherwise, so that two guests never write
 * one disk.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#define BLOCK_SECTOR_SIZE 512

typedef struct
{
  uint64_t requests;
  uint64_t read_bytes;
  uint64_t written_bytes;
  uint64_t flushes;
  uint64_t discards;
  uint64_t errors;
} BlockStats;

typedef struct block_image BlockImage;

BlockImage *block_image_open (const char *path, bool readonly, GError **error);
void block_image_close (BlockImage *image);

const char *block_image_get_path (BlockImage *image);
uint64_t block_image_get_size (BlockImage *image); /* bytes, a multiple of 512 */
bool block_image_is_readonly (BlockImage *image);

/* Each returns 0 or a negative errno; the whole length or an error. */
int block_image_readv (BlockImage *image, const struct iovec *iov, int n, uint64_t offset);
int block_image_writev (BlockImage *image, const struct iovec *iov, int n, uint64_t offset);
int block_image_flush (BlockImage *image);
/* Gives the range back to the host: reads as zeros afterwards. */
int block_image_discard (BlockImage *image, uint64_t offset, uint64_t len);
int block_image_write_zeroes (BlockImage *image, uint64_t offset, uint64_t len, bool unmap);

/* Counters, updated by the device model (any thread). */
void block_image_count (BlockImage *image, uint64_t read, uint64_t written, bool failed);
void block_image_count_flush (BlockImage *image);
void block_image_count_discard (BlockImage *image);
void block_image_get_stats (BlockImage *image, BlockStats *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BlockImage, block_image_close)
