/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reads the loader's boot information (Linux zero page or PVH hvm_start_info) into one
 * GuestBoot. Every pointer the loader gave is mapped and bounded before use. */
#include "guest.h"

/* Linux zero page (struct boot_params) offsets. */
#define ZP_ACPI_RSDP_ADDR    0x070
#define ZP_EXT_RAMDISK_IMAGE 0x0c0
#define ZP_EXT_RAMDISK_SIZE  0x0c4
#define ZP_EXT_CMD_LINE_PTR  0x0c8
#define ZP_E820_ENTRIES      0x1e8
#define ZP_RAMDISK_IMAGE     0x218
#define ZP_RAMDISK_SIZE      0x21c
#define ZP_CMD_LINE_PTR      0x228
#define ZP_E820_TABLE        0x2d0
#define ZP_E820_MAX          128
#define ZP_SIZE              0x1000

/* PVH hvm_start_info, version 1. */
#define PVH_MAGIC          0x336ec578
#define PVH_VERSION        4
#define PVH_NR_MODULES     12
#define PVH_MODLIST_PADDR  16
#define PVH_CMDLINE_PADDR  24
#define PVH_RSDP_PADDR     32
#define PVH_MEMMAP_PADDR   40
#define PVH_MEMMAP_ENTRIES 48
#define PVH_INFO_SIZE      56
#define PVH_MODLIST_ENTRY  32
#define PVH_MEMMAP_ENTRY   24

const char *
boot_kind_name (unsigned kind)
{
  switch (kind)
    {
      case GUEST_BOOT_PVH:
        return "pvh";
      case GUEST_BOOT_LINUX32:
        return "linux32";
      case GUEST_BOOT_LINUX64:
        return "linux64";
      default:
        return "unknown";
    }
}

static void
copy_cmdline (GuestBoot *boot, uint64_t addr)
{
  const char *src;
  size_t n = 0;

  if (!addr)
    return;
  src = phys_map (addr, GUEST_CMDLINE_MAX + 1, false);
  if (!src)
    {
      boot->error = "command line out of reach";
      return;
    }
  while (n < GUEST_CMDLINE_MAX && src[n])
    {
      boot->cmdline[n] = src[n];
      n++;
    }
  boot->cmdline[n] = '\0';
  boot->has_cmdline = true;
}

static void
add_mem (GuestBoot *boot, uint64_t addr, uint64_t size, uint32_t type)
{
  if (boot->n_mem == GUEST_MAX_MEM)
    {
      boot->error = "memory map too long";
      return;
    }
  boot->mem[boot->n_mem++] = (GuestMemRange){ addr, size, type };
  boot->has_mem = true;
}

static void
parse_zero_page (GuestBoot *boot, uint64_t info)
{
  const uint8_t *zp = phys_map (info, ZP_SIZE, false);
  const uint8_t *e820;
  unsigned entries;

  if (!info || !zp)
    {
      boot->error = "no zero page";
      return;
    }
  boot->rsdp_addr = get64 (zp + ZP_ACPI_RSDP_ADDR);
  copy_cmdline (boot,
                get32 (zp + ZP_CMD_LINE_PTR) | ((uint64_t) get32 (zp + ZP_EXT_CMD_LINE_PTR) << 32));
  boot->initrd_addr =
      get32 (zp + ZP_RAMDISK_IMAGE) | ((uint64_t) get32 (zp + ZP_EXT_RAMDISK_IMAGE) << 32);
  boot->initrd_size =
      get32 (zp + ZP_RAMDISK_SIZE) | ((uint64_t) get32 (zp + ZP_EXT_RAMDISK_SIZE) << 32);
  boot->has_initrd = boot->initrd_addr && boot->initrd_size;

  entries = zp[ZP_E820_ENTRIES];
  if (entries > ZP_E820_MAX)
    {
      boot->error = "e820_entries beyond the table";
      entries = ZP_E820_MAX;
    }
  e820 = zp + ZP_E820_TABLE;
  for (unsigned i = 0; i < entries; i++, e820 += 20)
    add_mem (boot, get64 (e820), get64 (e820 + 8), get32 (e820 + 16));
}

static void
parse_pvh_modules (GuestBoot *boot, const uint8_t *si)
{
  uint32_t n = get32 (si + PVH_NR_MODULES);
  const uint8_t *mod;

  if (!n)
    return;
  mod = phys_map (get64 (si + PVH_MODLIST_PADDR), PVH_MODLIST_ENTRY, false);
  if (!mod)
    {
      boot->error = "module list out of reach";
      return;
    }
  /* The first module is the initrd, as Linux takes it. */
  boot->initrd_addr = get64 (mod);
  boot->initrd_size = get64 (mod + 8);
  boot->has_initrd = true;
}

static void
parse_pvh_memmap (GuestBoot *boot, const uint8_t *si)
{
  uint32_t entries;
  const uint8_t *map;

  if (get32 (si + PVH_VERSION) < 1)
    return; /* version 0 has no memory map; the check reports it */
  entries = get32 (si + PVH_MEMMAP_ENTRIES);
  if (entries > GUEST_MAX_MEM)
    {
      boot->error = "memory map too long";
      entries = GUEST_MAX_MEM;
    }
  map = phys_map (get64 (si + PVH_MEMMAP_PADDR), (uint64_t) entries * PVH_MEMMAP_ENTRY, false);
  if (!map)
    {
      boot->error = "memory map out of reach";
      return;
    }
  for (unsigned i = 0; i < entries; i++, map += PVH_MEMMAP_ENTRY)
    add_mem (boot, get64 (map), get64 (map + 8), get32 (map + 16));
  boot->has_mem = true;
}

static void
parse_pvh (GuestBoot *boot, uint64_t info)
{
  const uint8_t *si = phys_map (info, PVH_INFO_SIZE, false);

  if (!info || !si || get32 (si) != PVH_MAGIC)
    {
      boot->error = "no hvm_start_info (bad magic)";
      return;
    }
  boot->rsdp_addr = get64 (si + PVH_RSDP_PADDR);
  copy_cmdline (boot, get64 (si + PVH_CMDLINE_PADDR));
  parse_pvh_modules (boot, si);
  parse_pvh_memmap (boot, si);
}

void
boot_parse (unsigned kind, uint64_t info, GuestBoot *boot)
{
  boot->kind = kind;
  if (kind == GUEST_BOOT_PVH)
    parse_pvh (boot, info);
  else
    parse_zero_page (boot, info);
}
