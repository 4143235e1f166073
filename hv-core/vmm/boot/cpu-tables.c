/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "cpu-tables.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "layout.h"
#include "vmm.h"

#define PTE_PRESENT  0x001ull
#define PTE_WRITE    0x002ull
#define PTE_LARGE    0x080ull
#define PAGE_SIZE_2M 0x200000ull

/* Descriptors: base 0, limit 4 GiB, present, ring 0. */
static const uint64_t boot_gdt[] = {
  0,                     /* null */
  0x00cf9b000000ffffull, /* 0x08: 32-bit code, execute/read */
  0x00af9b000000ffffull, /* 0x10: 64-bit code */
  0x00cf93000000ffffull, /* 0x18: data, read/write */
};

static gboolean
cpu_tables_write_paging (GuestMemory *mem)
{
  uint64_t *pml4 = guest_memory_ptr (mem, BOOT_PML4_ADDR, 0x1000);
  uint64_t *pdpt = guest_memory_ptr (mem, BOOT_PDPT_ADDR, 0x1000);
  uint64_t *pd = guest_memory_ptr (mem, BOOT_PD_ADDR, 4 * 0x1000);

  if (pml4 == NULL || pdpt == NULL || pd == NULL)
    return FALSE;
  memset (pml4, 0, 0x1000);
  memset (pdpt, 0, 0x1000);
  pml4[0] = BOOT_PDPT_ADDR | PTE_PRESENT | PTE_WRITE;
  for (unsigned i = 0; i < 4; i++)
    pdpt[i] = (BOOT_PD_ADDR + i * 0x1000) | PTE_PRESENT | PTE_WRITE;
  for (unsigned i = 0; i < 4 * 512; i++)
    pd[i] = i * PAGE_SIZE_2M | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
  return TRUE;
}

gboolean
cpu_tables_write (GuestMemory *mem, GError **error)
{
  void *gdt = guest_memory_ptr (mem, BOOT_GDT_ADDR, sizeof boot_gdt);

  if (gdt == NULL || !cpu_tables_write_paging (mem))
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_NO_MEMORY,
                   _ ("The machine has too little memory to boot. Give it more memory."));
      return FALSE;
    }
  memcpy (gdt, boot_gdt, sizeof boot_gdt);
  return TRUE;
}
