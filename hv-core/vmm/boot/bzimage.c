/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "bzimage.h"

#include <asm/bootparam.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "layout.h"
#include "cpu-tables.h"
#include "vmm.h"

#define BZIMAGE_HEADER_OFFSET 0x1f1
#define BZIMAGE_MAGIC         0x53726448 /* "HdrS" */
#define BZIMAGE_BOOT_FLAG     0xaa55
#define BZIMAGE_LOADER_UNDEF  0xff  /* type_of_loader: a loader without an id */
#define BZIMAGE_ENTRY64       0x200 /* startup_64 from the load address */

static uint16_t
read_le16 (const uint8_t *p)
{
  return p[0] | p[1] << 8;
}

static uint32_t
read_le32 (const uint8_t *p)
{
  return (uint32_t) read_le16 (p) | (uint32_t) read_le16 (p + 2) << 16;
}

bool
bzimage_probe (const uint8_t *data, size_t len)
{
  return len >= 0x206 && read_le16 (data + 0x1fe) == BZIMAGE_BOOT_FLAG &&
         read_le32 (data + 0x202) == BZIMAGE_MAGIC;
}

static gboolean
bzimage_bad (GError **error, const char *name)
{
  g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL,
               _ ("The kernel %s is truncated or damaged. Choose another kernel file."), name);
  return FALSE;
}

static gboolean
bzimage_check_header (const struct setup_header *hdr, size_t len, const char *name, GError **error)
{
  if (hdr->version < BZIMAGE_MIN_VERSION)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL,
                   _ ("The kernel %s uses boot protocol %u.%02u, which is too old: Hangar needs "
                      "2.12 or later (Linux 3.8 or later). Use a newer kernel."),
                   name, hdr->version >> 8, hdr->version & 0xff);
      return FALSE;
    }
  if (!(hdr->xloadflags & XLF_KERNEL_64))
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL,
                   _ ("The kernel %s has no 64-bit entry point. Use a 64-bit (x86-64) kernel."),
                   name);
      return FALSE;
    }
  if (!(hdr->loadflags & LOADED_HIGH))
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL,
                   _ ("The kernel %s must be loaded below 1 MiB (zImage), which Hangar does not "
                      "support. Use a bzImage kernel."),
                   name);
      return FALSE;
    }
  return TRUE;
}

/* Where a relocatable kernel prefers to run, rounded to its alignment. */
static uint64_t
bzimage_load_addr (const struct setup_header *hdr)
{
  uint64_t align = hdr->kernel_alignment;
  uint64_t addr = hdr->pref_address;

  if (!hdr->relocatable_kernel)
    return hdr->code32_start;
  /* A broken alignment falls back to the 2 MiB that x86-64 kernels use. */
  if (align == 0 || (align & (align - 1)) != 0 || align > 0x40000000)
    align = 0x200000;
  if (addr < BOOT_HIGH_START)
    addr = BOOT_KERNEL_ADDR;
  return (addr + align - 1) & ~(align - 1);
}

gboolean
bzimage_parse (const uint8_t *data, size_t len, const char *name, BzImageInfo *info, GError **error)
{
  struct setup_header hdr;
  unsigned setup_sects;

  memset (info, 0, sizeof *info);
  if (!bzimage_probe (data, len) || len < BZIMAGE_HEADER_OFFSET + sizeof hdr)
    return bzimage_bad (error, name);
  memcpy (&hdr, data + BZIMAGE_HEADER_OFFSET, sizeof hdr);
  if (!bzimage_check_header (&hdr, len, name, error))
    return FALSE;

  setup_sects = hdr.setup_sects != 0 ? hdr.setup_sects : 4;
  info->version = hdr.version;
  info->setup_size = (setup_sects + 1) * 512;
  /* The header ends where the jump at 0x200 lands. */
  info->header_len = MIN (0x202 + data[0x201] - BZIMAGE_HEADER_OFFSET, sizeof hdr);
  if (info->setup_size >= len)
    return bzimage_bad (error, name);

  info->load_addr = bzimage_load_addr (&hdr);
  if (info->load_addr < BOOT_HIGH_START)
    return bzimage_bad (error, name);
  info->init_size = MAX ((uint64_t) hdr.init_size, len - info->setup_size);
  info->initrd_max = hdr.initrd_addr_max != 0 ? hdr.initrd_addr_max : 0x37ffffff;
  info->cmdline_max = hdr.cmdline_size != 0 ? hdr.cmdline_size : 255;
  return TRUE;
}

static void
bzimage_fill_zero_page (struct boot_params *zp, const uint8_t *data, const BzImageInfo *info,
                        const BootInfo *boot)
{
  memset (zp, 0, sizeof *zp);
  /* The loader copies the kernel's own header, then fills in its part. */
  memcpy (&zp->hdr, data + BZIMAGE_HEADER_OFFSET, info->header_len);
  zp->hdr.type_of_loader = BZIMAGE_LOADER_UNDEF;
  zp->hdr.loadflags &= ~(QUIET_FLAG | KEEP_SEGMENTS | CAN_USE_HEAP);
  zp->hdr.code32_start = info->load_addr;
  zp->hdr.cmd_line_ptr = boot->cmdline_addr;
  zp->ext_cmd_line_ptr = boot->cmdline_addr >> 32;
  zp->hdr.ramdisk_image = boot->initrd_addr;
  zp->hdr.ramdisk_size = boot->initrd_size;
  zp->ext_ramdisk_image = boot->initrd_addr >> 32;
  zp->ext_ramdisk_size = boot->initrd_size >> 32;
  zp->acpi_rsdp_addr = boot->rsdp_addr;

  for (unsigned i = 0; i < boot->n_e820; i++)
    {
      zp->e820_table[i].addr = boot->e820[i].addr;
      zp->e820_table[i].size = boot->e820[i].size;
      zp->e820_table[i].type = boot->e820[i].type;
    }
  zp->e820_entries = boot->n_e820;
}

gboolean
bzimage_load (const uint8_t *data, size_t len, const BzImageInfo *info, const BootInfo *boot,
              GuestMemory *mem, BootEntry *entry, GError **error)
{
  size_t kernel_len = len - info->setup_size;
  void *kernel = guest_memory_ptr (mem, info->load_addr, info->init_size);
  struct boot_params *zp = guest_memory_ptr (mem, BOOT_ZERO_PAGE_ADDR, sizeof *zp);

  if (kernel == NULL || zp == NULL)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_NO_MEMORY,
                   _ ("The kernel does not fit in the machine's memory. Give the machine more "
                      "memory."));
      return FALSE;
    }
  memcpy (kernel, data + info->setup_size, kernel_len);
  bzimage_fill_zero_page (zp, data, info, boot);
  if (!cpu_tables_write (mem, error))
    return FALSE;

  entry->long_mode = true;
  entry->rip = info->load_addr + BZIMAGE_ENTRY64;
  entry->rsi = BOOT_ZERO_PAGE_ADDR;
  entry->rbx = 0;
  return TRUE;
}
