/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The framebuffer as the guest is told about it: screen_info and the e820 map. */
#include <asm/bootparam.h>
#include <glib.h>
#include <string.h>

#include "boot/e820.h"
#include "display/framebuffer.h"

static void
test_announce_efi (void)
{
  g_autoptr (GError) error = NULL;
  Framebuffer *fb = framebuffer_new (1280, 800, NULL, &error);
  g_autofree struct boot_params *zp = g_new0 (struct boot_params, 1);
  const struct screen_info *si = &zp->screen_info;

  g_assert_no_error (error);
  zp->e820_entries = 3;
  framebuffer_announce (fb, zp, FRAMEBUFFER_ANNOUNCE_EFI);
  g_assert_cmphex (si->orig_video_isVGA, ==, VIDEO_TYPE_EFI);
  g_assert_cmpuint (si->lfb_width, ==, 1280);
  g_assert_cmpuint (si->lfb_height, ==, 800);
  g_assert_cmpuint (si->lfb_depth, ==, 32);
  g_assert_cmpuint (si->lfb_linelength, ==, 1280 * 4);
  g_assert_cmphex (si->lfb_base | (guint64) si->ext_lfb_base << 32, ==, FRAMEBUFFER_ADDR);
  g_assert_cmpuint (si->lfb_size, ==, 1280 * 800 * 4);
  g_assert_cmpuint (si->red_pos, ==, 16);
  g_assert_cmpuint (si->green_pos, ==, 8);
  g_assert_cmpuint (si->blue_pos, ==, 0);
  g_assert_cmpuint (si->red_size, ==, 8);
  /* Reserved, after what the loader put there. */
  g_assert_cmpuint (zp->e820_entries, ==, 4);
  g_assert_cmphex (zp->e820_table[3].addr, ==, FRAMEBUFFER_ADDR);
  g_assert_cmpuint (zp->e820_table[3].size, ==, 1280 * 800 * 4);
  g_assert_cmpuint (zp->e820_table[3].type, ==, E820_TYPE_RESERVED);
  framebuffer_free (fb);
}

static void
test_announce_vlfb (void)
{
  Framebuffer *fb = framebuffer_new (3840, 2160, NULL, NULL);
  g_autofree struct boot_params *zp = g_new0 (struct boot_params, 1);

  framebuffer_announce (fb, zp, FRAMEBUFFER_ANNOUNCE_VLFB);
  g_assert_cmphex (zp->screen_info.orig_video_isVGA, ==, VIDEO_TYPE_VLFB);
  /* vesafb counts 64 KiB units. */
  g_assert_cmpuint (zp->screen_info.lfb_size, ==, (3840 * 2160 * 4 + 0xffff) >> 16);
  g_assert_cmpuint (framebuffer_get_size (fb), <=, FRAMEBUFFER_MAX_SIZE);
  framebuffer_free (fb);
}

static void
test_full_e820_left_alone (void)
{
  Framebuffer *fb = framebuffer_new (640, 480, NULL, NULL);
  g_autofree struct boot_params *zp = g_new0 (struct boot_params, 1);

  zp->e820_entries = G_N_ELEMENTS (zp->e820_table);
  framebuffer_announce (fb, zp, FRAMEBUFFER_ANNOUNCE_EFI);
  g_assert_cmpuint (zp->e820_entries, ==, G_N_ELEMENTS (zp->e820_table));
  framebuffer_free (fb);
}

/* Without a VM the dirty log is "everything" once, then nothing. */
static void
test_first_scan_covers_everything (void)
{
  Framebuffer *fb = framebuffer_new (320, 200, NULL, NULL);
  const unsigned long *dirty = framebuffer_take_dirty (fb);
  size_t pages = framebuffer_get_size (fb) / 4096;

  for (size_t i = 0; i < pages; i++)
    g_assert_true (dirty[i / (8 * sizeof (long))] & (1ul << (i % (8 * sizeof (long)))));
  dirty = framebuffer_take_dirty (fb);
  g_assert_cmphex (dirty[0], ==, 0);
  framebuffer_reset (fb);
  dirty = framebuffer_take_dirty (fb);
  g_assert_cmphex (dirty[0] & 1, ==, 1);
  framebuffer_free (fb);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/framebuffer/announce-efi", test_announce_efi);
  g_test_add_func ("/framebuffer/announce-vlfb", test_announce_vlfb);
  g_test_add_func ("/framebuffer/full-e820-left-alone", test_full_e820_left_alone);
  g_test_add_func ("/framebuffer/first-scan-covers-everything", test_first_scan_covers_everything);
  return g_test_run ();
}
