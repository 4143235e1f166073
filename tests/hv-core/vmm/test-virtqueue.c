/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The split virtqueue against synthetic guest memory: the normal paths and
 * every kind of malformed chain a guest can build. */
#include <glib.h>
#include <string.h>

#include "vq-driver.h"

#define MEM_SIZE (1024 * 1024)
#define QSIZE    16

typedef struct
{
  VqDriver d;
  VqChain chain;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  vq_driver_init (&f->d, MEM_SIZE, QSIZE, TRUE, FALSE);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  vq_driver_fini (&f->d);
}

static void
test_normal (Fixture *f, gconstpointer data)
{
  uint64_t out = vq_driver_alloc (&f->d, 16, 8);
  uint64_t in = vq_driver_alloc (&f->d, 100, 8);
  uint32_t id, len;
  uint8_t buf[16];

  memcpy (vq_driver_host (&f->d, out), "0123456789abcdef", 16);
  vq_driver_set_desc (&f->d, 0, 3, out, 16, VIRTQ_DESC_F_NEXT, 7);
  vq_driver_set_desc (&f->d, 0, 7, in, 100, VIRTQ_DESC_F_WRITE, 0);
  vq_driver_publish (&f->d, 3);

  g_assert_cmpint (vq_pop (&f->d.vq, &f->chain), ==, VQ_POP_OK);
  g_assert_cmpuint (f->chain.head, ==, 3);
  g_assert_cmpuint (f->chain.n_out, ==, 1);
  g_assert_cmpuint (f->chain.n_in, ==, 1);
  g_assert_cmpuint (f->chain.out_len, ==, 16);
  g_assert_cmpuint (f->chain.in_len, ==, 100);
  g_assert_true (vq_chain_read (&f->chain, 4, buf, 4));
  g_assert_cmpmem (buf, 4, "4567", 4);
  g_assert_false (vq_chain_read (&f->chain, 10, buf, 7)); /* past the end */
  g_assert_true (vq_chain_write (&f->chain, 98, "xy", 2));
  g_assert_cmpmem ((uint8_t *) vq_driver_host (&f->d, in) + 98, 2, "xy", 2);
  g_assert_cmpint (vq_pop (&f->d.vq, &f->chain), ==, VQ_POP_EMPTY);

  vq_push (&f->d.vq, 3, 42);
  g_assert_true (vq_driver_get_used (&f->d, &id, &len));
  g_assert_cmpuint (id, ==, 3);
  g_assert_cmpuint (len, ==, 42);
  g_assert_false (vq_driver_get_used (&f->d, &id, &len));
}

static void
test_indirect (Fixture *f, gconstpointer data)
{
  uint64_t table = vq_driver_alloc (&f->d, 3 * 16, 16);
  /* 16 apart: not adjacent, so not merged into one segment. */
  uint64_t a = vq_driver_alloc (&f->d, 8, 16);
  uint64_t b = vq_driver_alloc (&f->d, 8, 16);
  uint64_t c = vq_driver_alloc (&f->d, 8, 16);
  struct iovec segs[4];

  /* Out of order inside the table: 0 -> 2 -> 1. */
  vq_driver_set_desc (&f->d, table, 0, a, 8, VIRTQ_DESC_F_NEXT, 2);
  vq_driver_set_desc (&f->d, table, 2, b, 8, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
  vq_driver_set_desc (&f->d, table, 1, c, 8, VIRTQ_DESC_F_WRITE, 0);
  vq_driver_set_desc (&f->d, 0, 0, table, 3 * 16, VIRTQ_DESC_F_INDIRECT, 0);
  vq_driver_publish (&f->d, 0);

  g_assert_cmpint (vq_pop (&f->d.vq, &f->chain), ==, VQ_POP_OK);
  g_assert_cmpuint (f->chain.n_out, ==, 1);
  g_assert_cmpuint (f->chain.n_in, ==, 2);
  g_assert_true (f->chain.iov[0].iov_base == vq_driver_host (&f->d, a));
  g_assert_true (f->chain.iov[1].iov_base == vq_driver_host (&f->d, b));
  g_assert_true (f->chain.iov[2].iov_base == vq_driver_host (&f->d, c));
  /* A slice across both writable segments. */
  g_assert_cmpint (vq_chain_slice (&f->chain, TRUE, 4, 8, segs, 4), ==, 2);
  g_assert_cmpuint (segs[0].iov_len, ==, 4);
  g_assert_cmpint (vq_chain_slice (&f->chain, TRUE, 4, 13, segs, 4), ==, -1);
}

/* The 16-bit indices roll over; ring slots follow them modulo the size. */
/* Adjacent buffers of one direction become one segment; a change of
 * direction never merges. */
static void
test_merge (Fixture *f, gconstpointer data)
{
  uint64_t buf = vq_driver_alloc (&f->d, 4 * 4096, 4096);

  vq_driver_set_desc (&f->d, 0, 0, buf, 4096, VIRTQ_DESC_F_NEXT, 1);
  vq_driver_set_desc (&f->d, 0, 1, buf + 4096, 4096, VIRTQ_DESC_F_NEXT, 2);
  vq_driver_set_desc (&f->d, 0, 2, buf + 8192, 4096, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 3);
  vq_driver_set_desc (&f->d, 0, 3, buf + 12288, 4096, VIRTQ_DESC_F_WRITE, 0);
  vq_driver_publish (&f->d, 0);
  g_assert_cmpint (vq_pop (&f->d.vq, &f->chain), ==, VQ_POP_OK);
  g_assert_cmpuint (f->chain.n_out, ==, 1);
  g_assert_cmpuint (f->chain.n_in, ==, 1);
  g_assert_cmpuint (f->chain.iov[0].iov_len, ==, 8192);
  g_assert_cmpuint (f->chain.iov[1].iov_len, ==, 8192);
  g_assert_true (f->chain.iov[1].iov_base == vq_driver_host (&f->d, buf + 8192));
  g_assert_cmpuint (f->chain.out_len, ==, 8192);
  g_assert_cmpuint (f->chain.in_len, ==, 8192);
}

static void
test_wraparound (Fixture *f, gconstpointer data)
{
  uint64_t buf = vq_driver_alloc (&f->d, 8, 8);
  uint32_t id, len;

  f->d.vq.last_avail = f->d.vq.used_idx = 65533;
  f->d.last_used = 65533;
  vq_driver_set_avail_idx (&f->d, 65533);
  for (unsigned round = 0; round < 3 * QSIZE; round++)
    {
      uint16_t head = round % QSIZE;

      vq_driver_set_desc (&f->d, 0, head, buf, 8, VIRTQ_DESC_F_WRITE, 0);
      vq_driver_publish (&f->d, head);
      g_assert_cmpint (vq_pop (&f->d.vq, &f->chain), ==, VQ_POP_OK);
      g_assert_cmpuint (f->chain.head, ==, head);
      vq_push (&f->d.vq, head, round);
      g_assert_true (vq_driver_get_used (&f->d, &id, &len));
      g_assert_cmpuint (id, ==, head);
      g_assert_cmpuint (len, ==, round);
    }
  g_assert_cmpuint (f->d.vq.last_avail, ==, (uint16_t) (65533 + 3 * QSIZE));
  g_assert_cmpuint (vq_driver_used_idx (&f->d), ==, (uint16_t) (65533 + 3 * QSIZE));
}

static void
push_one (Fixture *f, uint64_t buf)
{
  vq_driver_set_desc (&f->d, 0, 0, buf, 8, VIRTQ_DESC_F_WRITE, 0);
  vq_driver_publish (&f->d, 0);
  g_assert_cmpint (vq_pop (&f->d.vq, &f->chain), ==, VQ_POP_OK);
  vq_push (&f->d.vq, 0, 0);
}

static void
test_event_idx (Fixture *f, gconstpointer data)
{
  uint64_t buf;

  vq_driver_fini (&f->d);
  vq_driver_init (&f->d, MEM_SIZE, QSIZE, FALSE, TRUE);
  buf = vq_driver_alloc (&f->d, 8, 8);

  /* The driver wants an interrupt once used_idx passes 2. */
  vq_driver_set_used_event (&f->d, 2);
  push_one (f, buf);
  g_assert_true (vq_should_notify (&f->d.vq)); /* the first one always */
  push_one (f, buf);
  g_assert_false (vq_should_notify (&f->d.vq)); /* used_idx 2: not past 2 */
  push_one (f, buf);
  g_assert_true (vq_should_notify (&f->d.vq)); /* used_idx 3 passes 2 */
  push_one (f, buf);
  g_assert_false (vq_should_notify (&f->d.vq));

  /* The device asks to be kicked at its next avail index. */
  g_assert_false (vq_enable_notify (&f->d.vq));
  g_assert_cmpuint (vq_driver_avail_event (&f->d), ==, 4);
  vq_driver_publish (&f->d, 0);
  g_assert_true (vq_enable_notify (&f->d.vq));
}

static void
test_no_interrupt_flag (Fixture *f, gconstpointer data)
{
  uint64_t buf = vq_driver_alloc (&f->d, 8, 8);
  uint16_t one = VIRTQ_AVAIL_F_NO_INTERRUPT;

  push_one (f, buf);
  g_assert_true (vq_should_notify (&f->d.vq));
  memcpy (vq_driver_host (&f->d, f->d.avail_gpa), &one, 2);
  push_one (f, buf);
  g_assert_false (vq_should_notify (&f->d.vq));
}

/* Each malformed case: the pop fails, the queue is broken with a reason,
 * stays broken, and a reset brings it back. */
static void
expect_broken (Fixture *f, const char *why)
{
  g_assert_cmpint (vq_pop (&f->d.vq, &f->chain), ==, VQ_POP_ERROR);
  g_assert_true (f->d.vq.broken);
  g_assert_nonnull (strstr (f->d.vq.error, why));
  g_assert_cmpint (vq_pop (&f->d.vq, &f->chain), ==, VQ_POP_ERROR);
}

static void
test_loop (Fixture *f, gconstpointer data)
{
  uint64_t buf = vq_driver_alloc (&f->d, 8, 8);

  vq_driver_set_desc (&f->d, 0, 0, buf, 8, VIRTQ_DESC_F_NEXT, 1);
  vq_driver_set_desc (&f->d, 0, 1, buf, 8, VIRTQ_DESC_F_NEXT, 0);
  vq_driver_publish (&f->d, 0);
  expect_broken (f, "loops");
}

static void
test_longer_than_queue (Fixture *f, gconstpointer data)
{
  uint64_t buf = vq_driver_alloc (&f->d, 8, 8);

  /* Every descriptor used once, and the last one points back into the
   * chain: QSIZE + 1 descriptors. */
  for (unsigned i = 0; i < QSIZE; i++)
    vq_driver_set_desc (&f->d, 0, i, buf, 8, VIRTQ_DESC_F_NEXT, (i + 1) % QSIZE);
  vq_driver_publish (&f->d, 0);
  expect_broken (f, "loops");
}

static void
test_outside_ram (Fixture *f, gconstpointer data)
{
  vq_driver_set_desc (&f->d, 0, 0, MEM_SIZE - 4, 8, 0, 0);
  vq_driver_publish (&f->d, 0);
  expect_broken (f, "outside guest RAM");
}

static void
test_address_wraps (Fixture *f, gconstpointer data)
{
  vq_driver_set_desc (&f->d, 0, 0, UINT64_MAX - 3, 16, VIRTQ_DESC_F_WRITE, 0);
  vq_driver_publish (&f->d, 0);
  expect_broken (f, "outside guest RAM");
}

static void
test_wrong_direction (Fixture *f, gconstpointer data)
{
  uint64_t buf = vq_driver_alloc (&f->d, 8, 8);

  vq_driver_set_desc (&f->d, 0, 0, buf, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
  vq_driver_set_desc (&f->d, 0, 1, buf, 8, 0, 0);
  vq_driver_publish (&f->d, 0);
  expect_broken (f, "readable descriptor after a writable");
}

static void
test_head_out_of_range (Fixture *f, gconstpointer data)
{
  vq_driver_publish (&f->d, QSIZE);
  expect_broken (f, "out of range");
}

static void
test_next_out_of_range (Fixture *f, gconstpointer data)
{
  uint64_t buf = vq_driver_alloc (&f->d, 8, 8);

  vq_driver_set_desc (&f->d, 0, 0, buf, 8, VIRTQ_DESC_F_NEXT, 0xffff);
  vq_driver_publish (&f->d, 0);
  expect_broken (f, "out of range");
}

static void
test_avail_jump (Fixture *f, gconstpointer data)
{
  vq_driver_set_avail_idx (&f->d, QSIZE + 1);
  expect_broken (f, "avail index");
}

static void
publish_indirect (Fixture *f, uint64_t table, uint32_t len, uint16_t flags)
{
  vq_driver_set_desc (&f->d, 0, 0, table, len, VIRTQ_DESC_F_INDIRECT | flags, 1);
  vq_driver_publish (&f->d, 0);
}

static void
test_indirect_nested (Fixture *f, gconstpointer data)
{
  uint64_t table = vq_driver_alloc (&f->d, 32, 16);

  vq_driver_set_desc (&f->d, table, 0, table, 32, VIRTQ_DESC_F_INDIRECT, 0);
  publish_indirect (f, table, 32, 0);
  expect_broken (f, "inside an indirect table");
}

static void
test_indirect_empty (Fixture *f, gconstpointer data)
{
  publish_indirect (f, vq_driver_alloc (&f->d, 32, 16), 0, 0);
  expect_broken (f, "indirect table length");
}

static void
test_indirect_odd_length (Fixture *f, gconstpointer data)
{
  publish_indirect (f, vq_driver_alloc (&f->d, 32, 16), 24, 0);
  expect_broken (f, "indirect table length");
}

static void
test_indirect_outside_ram (Fixture *f, gconstpointer data)
{
  publish_indirect (f, MEM_SIZE - 16, 32, 0);
  expect_broken (f, "outside guest RAM");
}

static void
test_indirect_with_next (Fixture *f, gconstpointer data)
{
  publish_indirect (f, vq_driver_alloc (&f->d, 32, 16), 32, VIRTQ_DESC_F_NEXT);
  expect_broken (f, "with NEXT");
}

static void
test_indirect_loop (Fixture *f, gconstpointer data)
{
  uint64_t table = vq_driver_alloc (&f->d, 32, 16);
  uint64_t buf = vq_driver_alloc (&f->d, 8, 8);

  vq_driver_set_desc (&f->d, table, 0, buf, 8, VIRTQ_DESC_F_NEXT, 1);
  vq_driver_set_desc (&f->d, table, 1, buf, 8, VIRTQ_DESC_F_NEXT, 0);
  publish_indirect (f, table, 32, 0);
  expect_broken (f, "loops");
}

static void
test_indirect_not_negotiated (Fixture *f, gconstpointer data)
{
  f->d.vq.indirect = FALSE;
  publish_indirect (f, vq_driver_alloc (&f->d, 32, 16), 32, 0);
  expect_broken (f, "not negotiated");
}

static void
test_bad_rings (void)
{
  GuestMemory mem = { g_malloc0 (65536), 65536, 65536, 0 };
  Virtqueue vq;

  vq_reset (&vq, &mem, 16);
  vq.desc_gpa = 0x1008; /* not 16-byte aligned */
  g_assert_false (vq_start (&vq));
  g_assert_true (vq.broken);

  vq_reset (&vq, &mem, 16);
  vq.desc_gpa = 0x1000;
  vq.avail_gpa = 0x2000;
  vq.used_gpa = 65536 - 64; /* runs past the end of RAM */
  g_assert_false (vq_start (&vq));

  vq_reset (&vq, &mem, 12); /* not a power of two */
  g_assert_false (vq_start (&vq));

  vq_reset (&vq, &mem, 16);
  vq.desc_gpa = 0x1000;
  vq.avail_gpa = 0x2000;
  vq.used_gpa = 0x3000;
  g_assert_true (vq_start (&vq));
  g_assert_false (vq.broken);
  g_free (mem.host);
}

#define ADD(path, func) \
  g_test_add ("/vmm/virtqueue/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  ADD ("normal", test_normal);
  ADD ("indirect", test_indirect);
  ADD ("wraparound", test_wraparound);
  ADD ("merge", test_merge);
  ADD ("event-idx", test_event_idx);
  ADD ("no-interrupt-flag", test_no_interrupt_flag);
  ADD ("malformed/loop", test_loop);
  ADD ("malformed/longer-than-queue", test_longer_than_queue);
  ADD ("malformed/outside-ram", test_outside_ram);
  ADD ("malformed/address-wraps", test_address_wraps);
  ADD ("malformed/wrong-direction", test_wrong_direction);
  ADD ("malformed/head-out-of-range", test_head_out_of_range);
  ADD ("malformed/next-out-of-range", test_next_out_of_range);
  ADD ("malformed/avail-jump", test_avail_jump);
  ADD ("malformed/indirect-nested", test_indirect_nested);
  ADD ("malformed/indirect-empty", test_indirect_empty);
  ADD ("malformed/indirect-odd-length", test_indirect_odd_length);
  ADD ("malformed/indirect-outside-ram", test_indirect_outside_ram);
  ADD ("malformed/indirect-with-next", test_indirect_with_next);
  ADD ("malformed/indirect-loop", test_indirect_loop);
  ADD ("malformed/indirect-not-negotiated", test_indirect_not_negotiated);
  g_test_add_func ("/vmm/virtqueue/bad-rings", test_bad_rings);
  return g_test_run ();
}
