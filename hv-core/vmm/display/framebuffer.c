/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "framebuffer.h"

#include <asm/bootparam.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "boot/e820.h"
#include "vmm.h"

#define PAGE_SIZE 4096u
#define LONG_BITS (8 * sizeof (unsigned long))

struct framebuffer
{
  unsigned width, height, stride;
  uint64_t size; /* page aligned */
  GMutex lock;   /* guards gpa and the slot */
  uint64_t gpa;  /* where the slot is, or 0 */
  uint8_t *pixels;
  int vm_fd;
  gboolean shared; /* written by another program: KVM sees nothing */
  gboolean scan_all;
  unsigned long *dirty;
  size_t dirty_words;
};

static void *
framebuffer_map (uint64_t size, const char *shared_path)
{
  void *map;
  int fd;

  if (shared_path == NULL)
    return mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  fd = open (shared_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || ftruncate (fd, size) < 0)
    {
      int saved = errno;

      if (fd >= 0)
        close (fd);
      errno = saved;
      return MAP_FAILED;
    }
  map = mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close (fd);
  return map;
}

Framebuffer *
framebuffer_new (unsigned width, unsigned height, const char *shared_path, GError **error)
{
  Framebuffer *fb;
  void *pixels;
  uint64_t size;

  g_return_val_if_fail (width >= FRAMEBUFFER_MIN_WIDTH && width <= FRAMEBUFFER_MAX_WIDTH, NULL);
  g_return_val_if_fail (height >= FRAMEBUFFER_MIN_HEIGHT && height <= FRAMEBUFFER_MAX_HEIGHT, NULL);

  size =
      ((uint64_t) width * height * FRAMEBUFFER_BPP + PAGE_SIZE - 1) & ~(uint64_t) (PAGE_SIZE - 1);
  g_assert (size <= FRAMEBUFFER_MAX_SIZE);
  pixels = framebuffer_map (size, shared_path);
  if (pixels == MAP_FAILED)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_NO_MEMORY,
                   _ ("Could not allocate the machine's screen memory: %s."), g_strerror (errno));
      return NULL;
    }
  fb = g_new0 (Framebuffer, 1);
  fb->width = width;
  fb->height = height;
  fb->stride = width * FRAMEBUFFER_BPP;
  fb->size = size;
  fb->pixels = pixels;
  fb->vm_fd = -1;
  fb->gpa = FRAMEBUFFER_ADDR;
  g_mutex_init (&fb->lock);
  fb->shared = shared_path != NULL;
  fb->scan_all = TRUE;
  fb->dirty_words = (size / PAGE_SIZE + LONG_BITS - 1) / LONG_BITS;
  fb->dirty = g_new0 (unsigned long, fb->dirty_words);
  return fb;
}

void
framebuffer_free (Framebuffer *fb)
{
  if (fb == NULL)
    return;
  munmap (fb->pixels, fb->size);
  g_mutex_clear (&fb->lock);
  g_free (fb->dirty);
  g_free (fb);
}

/* SIZE 0 deletes the slot. */
static int
framebuffer_set_slot (Framebuffer *fb, int vm_fd, uint64_t gpa, uint64_t size)
{
  struct kvm_userspace_memory_region region = {
    .slot = FRAMEBUFFER_SLOT,
    .flags = KVM_MEM_LOG_DIRTY_PAGES,
    .guest_phys_addr = gpa,
    .memory_size = size,
    .userspace_addr = (uintptr_t) fb->pixels,
  };

  return ioctl (vm_fd, KVM_SET_USER_MEMORY_REGION, &region);
}

gboolean
framebuffer_register (Framebuffer *fb, int vm_fd, GError **error)
{
  if (framebuffer_set_slot (fb, vm_fd, fb->gpa, fb->size) < 0)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED,
                   _ ("KVM refused the machine's screen memory (%s)."), g_strerror (errno));
      return FALSE;
    }
  fb->vm_fd = vm_fd;
  return TRUE;
}

void
framebuffer_move (Framebuffer *fb, uint64_t gpa)
{
  g_mutex_lock (&fb->lock);
  if (gpa != fb->gpa && fb->vm_fd >= 0)
    {
      if (fb->gpa != 0)
        framebuffer_set_slot (fb, fb->vm_fd, fb->gpa, 0);
      /* A BAR the guest put over other memory decodes nothing here. */
      if (gpa != 0 && framebuffer_set_slot (fb, fb->vm_fd, gpa, fb->size) < 0)
        gpa = 0;
    }
  fb->gpa = gpa;
  /* A new slot starts with a clean log: look at everything once. */
  fb->scan_all = TRUE;
  g_mutex_unlock (&fb->lock);
}

uint64_t
framebuffer_get_address (Framebuffer *fb)
{
  uint64_t gpa;

  g_mutex_lock (&fb->lock);
  gpa = fb->gpa;
  g_mutex_unlock (&fb->lock);
  return gpa;
}

void
framebuffer_reset (Framebuffer *fb)
{
  memset (fb->pixels, 0, fb->size);
  g_mutex_lock (&fb->lock);
  fb->scan_all = TRUE;
  g_mutex_unlock (&fb->lock);
}

/* The guest must not take the framebuffer for free address space (for PCI
 * BARs): a reserved entry says it is taken. */
static void
framebuffer_reserve_e820 (struct boot_params *zp, uint64_t size)
{
  unsigned n = zp->e820_entries;

  if (n >= G_N_ELEMENTS (zp->e820_table))
    return;
  zp->e820_table[n].addr = FRAMEBUFFER_ADDR;
  zp->e820_table[n].size = size;
  zp->e820_table[n].type = E820_TYPE_RESERVED;
  zp->e820_entries = n + 1;
}

void
framebuffer_announce (Framebuffer *fb, void *zero_page, FramebufferAnnounce kind)
{
  struct boot_params *zp = zero_page;
  struct screen_info *si = &zp->screen_info;
  uint64_t gpa = framebuffer_get_address (fb);

  memset (si, 0, sizeof *si);
  if (gpa == 0)
    return;
  si->orig_video_isVGA = kind == FRAMEBUFFER_ANNOUNCE_EFI ? VIDEO_TYPE_EFI : VIDEO_TYPE_VLFB;
  si->lfb_width = fb->width;
  si->lfb_height = fb->height;
  si->lfb_depth = 32;
  si->lfb_linelength = fb->stride;
  si->lfb_base = (uint32_t) gpa;
  si->ext_lfb_base = (uint32_t) (gpa >> 32);
  si->capabilities = VIDEO_CAPABILITY_SKIP_QUIRKS | VIDEO_CAPABILITY_64BIT_BASE;
  /* efifb counts bytes, vesafb 64 KiB units. */
  si->lfb_size = kind == FRAMEBUFFER_ANNOUNCE_EFI ? fb->size : (fb->size + 0xffff) >> 16;
  si->pages = 1;
  si->red_size = si->green_size = si->blue_size = si->rsvd_size = 8;
  si->blue_pos = 0;
  si->green_pos = 8;
  si->red_pos = 16;
  si->rsvd_pos = 24;
  /* In a PCI BAR it belongs to the PCI window; outside one it is reserved. */
  if (gpa == FRAMEBUFFER_ADDR)
    framebuffer_reserve_e820 (zp, fb->size);
}

unsigned
framebuffer_get_width (Framebuffer *fb)
{
  return fb->width;
}

unsigned
framebuffer_get_height (Framebuffer *fb)
{
  return fb->height;
}

unsigned
framebuffer_get_stride (Framebuffer *fb)
{
  return fb->stride;
}

uint64_t
framebuffer_get_size (Framebuffer *fb)
{
  return fb->size;
}

const uint8_t *
framebuffer_get_pixels (Framebuffer *fb)
{
  return fb->pixels;
}

static void
framebuffer_mark_all (Framebuffer *fb)
{
  size_t pages = fb->size / PAGE_SIZE;

  memset (fb->dirty, 0, fb->dirty_words * sizeof *fb->dirty);
  for (size_t i = 0; i < pages; i++)
    fb->dirty[i / LONG_BITS] |= 1ul << (i % LONG_BITS);
}

const unsigned long *
framebuffer_take_dirty (Framebuffer *fb)
{
  struct kvm_dirty_log log = { .slot = FRAMEBUFFER_SLOT, .dirty_bitmap = fb->dirty };
  gboolean ok = TRUE;

  g_mutex_lock (&fb->lock);
  /* Always taken, so that what is marked now is not reported again. */
  if (fb->vm_fd < 0 || fb->gpa == 0)
    memset (fb->dirty, 0, fb->dirty_words * sizeof *fb->dirty);
  else if (ioctl (fb->vm_fd, KVM_GET_DIRTY_LOG, &log) < 0)
    ok = FALSE;
  if (ok && (fb->scan_all || fb->shared))
    framebuffer_mark_all (fb);
  if (ok)
    fb->scan_all = FALSE;
  g_mutex_unlock (&fb->lock);
  return ok ? fb->dirty : NULL;
}
