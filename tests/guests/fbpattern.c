/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The "fbpattern" guest: finds the linear framebuffer in the zero page's
 * screen_info (bzImage only: PVH has none) and draws the test pattern, eight
 * colour bars over the top half and a 16-pixel checker over the bottom half,
 * then prints "fbpattern: done <w>x<h>" and waits (the test quits it). With "halt"
 * on its command line it draws nothing and just waits. Before drawing it looks for a
 * PCI display controller (class 0x0300) on bus 0 and prints "fbpattern: pci bar0
 * matches" when its BAR 0 is the framebuffer, or "fbpattern: pci bar0 0x<addr>"
 * (0 without such a device) when not.
 * The pattern's definition is shared with the tests: fbpattern.h.
 */
#include "fbpattern.h"
#include "guest.h"

#define ZP_SCREEN_INFO  0x000
#define SI_IS_VGA       0x0f
#define SI_LFB_WIDTH    0x12
#define SI_LFB_HEIGHT   0x14
#define SI_LFB_DEPTH    0x16
#define SI_LFB_BASE     0x18
#define SI_LFB_LINELEN  0x24
#define SI_EXT_LFB_BASE 0x3a
#define VIDEO_TYPE_VLFB 0x23
#define VIDEO_TYPE_EFI  0x70
#define PCI_CLASS_REV   0x08
#define PCI_BAR0        0x10
#define PCI_CLASS_VGA   0x0300

/* BAR 0 of the first display controller on bus 0, or 0. */
static uint64_t
pci_display_bar0 (void)
{
  for (unsigned dev = 0; dev < 32; dev++)
    {
      uint32_t bar;

      if ((pci_read (dev, 0) & 0xffff) == 0xffff ||
          pci_read (dev, PCI_CLASS_REV) >> 16 != PCI_CLASS_VGA)
        continue;
      bar = pci_read (dev, PCI_BAR0);
      if ((bar & 0x6) == 0x4) /* 64-bit */
        return (bar & ~0xfu) | (uint64_t) pci_read (dev, PCI_BAR0 + 4) << 32;
      return bar & ~0xfu;
    }
  return 0;
}

static bool
strstr_simple (const char *haystack, const char *needle)
{
  for (; *haystack != '\0'; haystack++)
    {
      unsigned i = 0;

      while (needle[i] != '\0' && haystack[i] == needle[i])
        i++;
      if (needle[i] == '\0')
        return true;
    }
  return false;
}

static void
draw (uint8_t *fb, unsigned width, unsigned height, unsigned linelen)
{
  for (unsigned y = 0; y < height; y++)
    {
      uint32_t *row = (uint32_t *) (fb + (uint64_t) y * linelen);

      for (unsigned x = 0; x < width; x++)
        row[x] = fbpattern_pixel (x, y, width, height);
    }
}

void
guest_main (const GuestBoot *boot)
{
  const uint8_t *si;
  uint64_t base;
  unsigned width, height, linelen, type;
  uint8_t *fb;

  if (boot->kind == GUEST_BOOT_PVH || guest_boot_info == 0)
    {
      con_printf ("FAIL fbpattern: no zero page (boot it as a bzImage)\n");
      return;
    }
  si = (const uint8_t *) (uintptr_t) guest_boot_info + ZP_SCREEN_INFO;
  type = si[SI_IS_VGA];
  width = get16 (si + SI_LFB_WIDTH);
  height = get16 (si + SI_LFB_HEIGHT);
  linelen = get16 (si + SI_LFB_LINELEN);
  base = get32 (si + SI_LFB_BASE) | ((uint64_t) get32 (si + SI_EXT_LFB_BASE) << 32);
  if ((type != VIDEO_TYPE_EFI && type != VIDEO_TYPE_VLFB) || get16 (si + SI_LFB_DEPTH) != 32 ||
      width == 0 || height == 0 || linelen < width * 4)
    {
      con_printf ("FAIL fbpattern: no 32 bpp framebuffer (type 0x%x)\n", type);
      return;
    }
  con_printf ("fbpattern: framebuffer 0x%lx %ux%u type 0x%x\n", (unsigned long) base, width, height,
              type);
  if (pci_display_bar0 () == base)
    con_printf ("fbpattern: pci bar0 matches\n");
  else
    con_printf ("fbpattern: pci bar0 0x%lx\n", (unsigned long) pci_display_bar0 ());
  /* "halt" on the command line: announce, draw nothing, idle (bench/display
   * writes the framebuffer from the host and times the VMM alone). */
  if (boot->has_cmdline && strstr_simple (boot->cmdline, "halt"))
    {
      con_printf ("fbpattern: halted\n");
      halt_forever ();
    }
  fb = phys_map (base, (uint64_t) linelen * height, false);
  if (fb == NULL)
    {
      con_printf ("FAIL fbpattern: cannot map the framebuffer\n");
      return;
    }
  draw (fb, width, height, linelen);
  con_printf ("fbpattern: done %ux%u\n", width, height);
  halt_forever ();
}
