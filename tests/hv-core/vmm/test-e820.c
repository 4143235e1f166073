/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>

#include "boot/e820.h"
#include "kvm/memory.h"

#define MiB (1ull << 20)
#define GiB (1ull << 30)

static uint64_t
ram_total (const E820Entry *e, unsigned n)
{
  uint64_t total = 0;

  for (unsigned i = 0; i < n; i++)
    {
      if (e[i].type == E820_TYPE_RAM)
        total += e[i].size;
    }
  return total;
}

/* No entry may overlap another, or reach into the 3-4 GiB hole. */
static void
check_map (const E820Entry *e, unsigned n)
{
  for (unsigned i = 0; i < n; i++)
    {
      g_assert_cmpuint (e[i].size, >, 0);
      if (i > 0)
        g_assert_cmpuint (e[i].addr, >=, e[i - 1].addr + e[i - 1].size);
      if (e[i].type == E820_TYPE_RAM)
        g_assert_true (e[i].addr + e[i].size <= GUEST_MEM_HOLE_START ||
                       e[i].addr >= GUEST_MEM_HIGH_START);
    }
}

static void
check_size (uint64_t size, unsigned expect_entries, uint64_t expect_high)
{
  E820Entry e[E820_MAX_ENTRIES];
  uint64_t low, high;
  unsigned n;

  guest_memory_layout (size, &low, &high);
  g_assert_cmpuint (low + high, ==, size);
  g_assert_cmpuint (high, ==, expect_high);
  n = e820_build (low, high, e);
  g_assert_cmpuint (n, ==, expect_entries);
  check_map (e, n);
  /* Everything but the legacy area below 1 MiB is usable. */
  g_assert_cmpuint (ram_total (e, n), ==, size - (0x100000 - 0x9fc00));
  g_assert_cmpuint (e[0].addr, ==, 0);
  g_assert_cmpuint (e[0].size, ==, 0x9fc00);
  g_assert_cmpuint (e[1].type, ==, E820_TYPE_RESERVED);
  if (high > 0)
    {
      g_assert_cmpuint (e[n - 1].addr, ==, GUEST_MEM_HIGH_START);
      g_assert_cmpuint (e[n - 1].size, ==, high);
    }
}

static void
test_small (void)
{
  check_size (64 * MiB, 3, 0);
  check_size (2 * MiB, 3, 0);
}

static void
test_below_hole (void)
{
  check_size (3 * GiB - 4096, 3, 0);
  check_size (3 * GiB, 3, 0);
}

static void
test_hole (void)
{
  check_size (3 * GiB + 4096, 4, 4096);
  check_size (4 * GiB, 4, GiB);
  check_size (16 * GiB, 4, 13 * GiB);
}

/* Where in the mapping GPA lands, as a number: the fake mapping below is
 * far smaller than what it pretends to be. */
static uint64_t
host_offset (const GuestMemory *mem, uint64_t gpa, uint64_t len)
{
  void *p = guest_memory_ptr (mem, gpa, len);

  g_assert_nonnull (p);
  return (uintptr_t) p - (uintptr_t) mem->host;
}

static void
test_gpa_bounds (void)
{
  static uint8_t fake[16];
  /* Pretend 3 GiB + 1 MiB of RAM behind a pointer: only the arithmetic
   * is tested, nothing is dereferenced. */
  GuestMemory mem = { .host = fake, .size = 3 * GiB + MiB, .low_size = 3 * GiB, .high_size = MiB };

  g_assert_cmpuint (host_offset (&mem, 0, 16), ==, 0);
  g_assert_cmpuint (host_offset (&mem, 3 * GiB - 16, 16), ==, 3 * GiB - 16);
  g_assert_null (guest_memory_ptr (&mem, 3 * GiB - 16, 17));
  g_assert_null (guest_memory_ptr (&mem, 3 * GiB, 1)); /* the hole */
  g_assert_null (guest_memory_ptr (&mem, 4 * GiB - 1, 2));
  g_assert_cmpuint (host_offset (&mem, 4 * GiB, MiB), ==, 3 * GiB);
  g_assert_null (guest_memory_ptr (&mem, 4 * GiB, MiB + 1));
  g_assert_null (guest_memory_ptr (&mem, 4 * GiB + MiB, 0));
  g_assert_null (guest_memory_ptr (&mem, 16, UINT64_MAX)); /* would wrap */
  g_assert_null (guest_memory_ptr (&mem, UINT64_MAX, 2));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hv-core/e820/small", test_small);
  g_test_add_func ("/hv-core/e820/below-hole", test_below_hole);
  g_test_add_func ("/hv-core/e820/hole", test_hole);
  g_test_add_func ("/hv-core/memory/gpa-bounds", test_gpa_bounds);
  return g_test_run ();
}
