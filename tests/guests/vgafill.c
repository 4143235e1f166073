/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The "vgafill" guest, bench/display's writer inside QEMU (TCG) where no
 * host program can reach the display memory: it finds QEMU's standard VGA
 * (PCI 1234:1111), sets a 1920x1080x32 mode through the Bochs VBE ports,
 * and then fills frame after frame with fbpattern_frame_colour (n), over
 * the whole screen, or over a 64x64 square with "rect" on the command line.
 * It prints "vgafill: running" and never ends.
 */
#include "fbpattern.h"
#include "guest.h"

#define STDVGA_ID       0x11111234u
#define PCI_COMMAND     0x04
#define PCI_BAR0        0x10
#define PCI_CMD_MEMORY  0x02
#define VBE_INDEX       0x1ce
#define VBE_DATA        0x1cf
#define VBE_XRES        1
#define VBE_YRES        2
#define VBE_BPP         3
#define VBE_ENABLE      4
#define VBE_ENABLED     0x01
#define VBE_LFB_ENABLED 0x40
#define WIDTH           1920
#define HEIGHT          1080

static void
vbe_write (uint16_t index, uint16_t value)
{
  outw (VBE_INDEX, index);
  outw (VBE_DATA, value);
}

/* The std VGA's framebuffer, or 0. */
static uint64_t
find_vga (void)
{
  for (unsigned dev = 0; dev < 32; dev++)
    if (pci_read (dev, 0) == STDVGA_ID)
      {
        pci_write (dev, PCI_COMMAND, pci_read (dev, PCI_COMMAND) | PCI_CMD_MEMORY);
        return pci_read (dev, PCI_BAR0) & ~0xfu;
      }
  return 0;
}

static void
fill (uint32_t *p, uint64_t count, uint32_t value)
{
  __asm__ volatile("rep stosl" : "+D"(p), "+c"(count) : "a"(value) : "memory");
}

void
guest_main (const GuestBoot *boot)
{
  bool rect = boot->has_cmdline && boot->cmdline[0] == 'r';
  uint64_t base = find_vga ();
  uint32_t *fb;

  if (base == 0 || (fb = phys_map (base, (uint64_t) WIDTH * HEIGHT * 4, false)) == NULL)
    {
      con_printf ("FAIL vgafill: no standard VGA\n");
      return;
    }
  vbe_write (VBE_ENABLE, 0);
  vbe_write (VBE_XRES, WIDTH);
  vbe_write (VBE_YRES, HEIGHT);
  vbe_write (VBE_BPP, 32);
  vbe_write (VBE_ENABLE, VBE_ENABLED | VBE_LFB_ENABLED);
  con_printf ("vgafill: running\n");
  for (uint32_t n = 1;; n++)
    {
      uint32_t c = fbpattern_frame_colour (n);

      if (!rect)
        {
          fill (fb, (uint64_t) WIDTH * HEIGHT, c);
          continue;
        }
      for (unsigned y = FBPATTERN_RECT_Y; y < FBPATTERN_RECT_Y + FBPATTERN_RECT_SIZE; y++)
        fill (fb + (uint64_t) y * WIDTH + FBPATTERN_RECT_X, FBPATTERN_RECT_SIZE, c);
    }
}
