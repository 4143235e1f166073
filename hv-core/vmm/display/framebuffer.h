/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The guest's linear framebuffer: 32 bpp xRGB memory in the 32-bit hole, in a
 * KVM memory slot of its own with dirty-page logging, announced to bzImage
 * kernels in boot_params.screen_info (efifb, vesafb or simplefb take it).
 *
 * Threads: the guest writes the pixels from any vCPU; everything else here
 * runs on the main thread.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* Where it starts: below the IOAPIC, above the PCI BAR window and ECAM;
 * 32 MiB hold the largest mode. A PCI display (pci-display.h) then moves it
 * to its BAR. */
#define FRAMEBUFFER_ADDR       0xFC000000ull
#define FRAMEBUFFER_MAX_SIZE   0x2000000ull
#define FRAMEBUFFER_SLOT       8 /* after the RAM slots */
#define FRAMEBUFFER_MIN_WIDTH  320
#define FRAMEBUFFER_MIN_HEIGHT 200
#define FRAMEBUFFER_MAX_WIDTH  3840
#define FRAMEBUFFER_MAX_HEIGHT 2160
#define FRAMEBUFFER_BPP        4

typedef struct framebuffer Framebuffer;

/* The kind of screen_info the guest gets. */
typedef enum
{
  FRAMEBUFFER_ANNOUNCE_EFI,  /* VIDEO_TYPE_EFI: efifb */
  FRAMEBUFFER_ANNOUNCE_VLFB, /* VIDEO_TYPE_VLFB: vesafb, simplefb */
} FramebufferAnnounce;

/* WIDTH x HEIGHT pixels. With SHARED_PATH the pixels live in that file
 * (created, MAP_SHARED) so that another program can write them: a
 * benchmark's stand-in for the guest. KVM cannot see such writes, so then
 * every page counts as dirty. */
Framebuffer *framebuffer_new (unsigned width, unsigned height, const char *shared_path,
                              GError **error);
void framebuffer_free (Framebuffer *fb);
/* Adds the memory slot to the VM (with KVM_MEM_LOG_DIRTY_PAGES). */
gboolean framebuffer_register (Framebuffer *fb, int vm_fd, GError **error);
/* Moves the memory slot to guest physical GPA (a PCI BAR moved); 0 removes
 * it (the BAR no longer decodes). Any thread. */
void framebuffer_move (Framebuffer *fb, uint64_t gpa);
/* Where the guest sees it now; 0: nowhere. */
uint64_t framebuffer_get_address (Framebuffer *fb);
/* Black screen, and the next dirty scan covers everything. */
void framebuffer_reset (Framebuffer *fb);
/* Writes screen_info (and an e820 reservation) into the zero page at ZERO_PAGE. */
void framebuffer_announce (Framebuffer *fb, void *zero_page, FramebufferAnnounce kind);

unsigned framebuffer_get_width (Framebuffer *fb);
unsigned framebuffer_get_height (Framebuffer *fb);
unsigned framebuffer_get_stride (Framebuffer *fb);
uint64_t framebuffer_get_size (Framebuffer *fb); /* the slot's size, page aligned */
/* The pixels, as the guest sees them. */
const uint8_t *framebuffer_get_pixels (Framebuffer *fb);

/* Takes the dirty log: returns one bit a page (framebuffer_get_size () /
 * 4096 bits), valid until the next call, or NULL on an error. */
const unsigned long *framebuffer_take_dirty (Framebuffer *fb);
