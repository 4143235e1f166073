/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "pvh.h"

#include <elf.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "cpu-tables.h"
#include "layout.h"
#include "vmm.h"

/* One program header, whatever the ELF class. */
typedef struct
{
  uint32_t type;
  uint64_t offset;
  uint64_t paddr;
  uint64_t filesz;
  uint64_t memsz;
} PvhPhdr;

typedef struct
{
  const uint8_t *data;
  size_t len;
  bool is64;
  uint64_t phoff;
  unsigned phnum;
  unsigned phentsize;
} PvhElf;

bool
pvh_probe (const uint8_t *data, size_t len)
{
  return len >= EI_NIDENT && memcmp (data, ELFMAG, SELFMAG) == 0;
}

static gboolean
pvh_damaged (GError **error, const char *name)
{
  g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL,
               _ ("The kernel %s is truncated or damaged. Choose another kernel file."), name);
  return FALSE;
}

static gboolean
pvh_read_ehdr (PvhElf *elf, const char *name, GError **error)
{
  const uint8_t *d = elf->data;
  uint16_t machine, type;

  if (d[EI_DATA] != ELFDATA2LSB || (d[EI_CLASS] != ELFCLASS32 && d[EI_CLASS] != ELFCLASS64))
    goto not_x86;
  elf->is64 = d[EI_CLASS] == ELFCLASS64;
  if (elf->len < (elf->is64 ? sizeof (Elf64_Ehdr) : sizeof (Elf32_Ehdr)))
    return pvh_damaged (error, name);

  if (elf->is64)
    {
      Elf64_Ehdr eh;

      memcpy (&eh, d, sizeof eh);
      type = eh.e_type;
      machine = eh.e_machine;
      elf->phoff = eh.e_phoff;
      elf->phnum = eh.e_phnum;
      elf->phentsize = eh.e_phentsize;
    }
  else
    {
      Elf32_Ehdr eh;

      memcpy (&eh, d, sizeof eh);
      type = eh.e_type;
      machine = eh.e_machine;
      elf->phoff = eh.e_phoff;
      elf->phnum = eh.e_phnum;
      elf->phentsize = eh.e_phentsize;
    }
  if (machine != EM_X86_64 && machine != EM_386)
    goto not_x86;
  if (type != ET_EXEC)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL,
                   _ ("%s is not a Linux kernel (bzImage or ELF with a PVH entry): it is an ELF "
                      "object or library, not an executable. Choose a kernel image."),
                   name);
      return FALSE;
    }
  if (elf->phentsize < (elf->is64 ? sizeof (Elf64_Phdr) : sizeof (Elf32_Phdr)) ||
      elf->phoff > elf->len || (uint64_t) elf->phnum * elf->phentsize > elf->len - elf->phoff)
    return pvh_damaged (error, name);
  return TRUE;

not_x86:
  g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL,
               _ ("The kernel %s is an ELF file for another kind of computer. Use an x86-64 "
                  "kernel."),
               name);
  return FALSE;
}

static void
pvh_read_phdr (const PvhElf *elf, unsigned i, PvhPhdr *ph)
{
  const uint8_t *p = elf->data + elf->phoff + (uint64_t) i * elf->phentsize;

  if (elf->is64)
    {
      Elf64_Phdr h;

      memcpy (&h, p, sizeof h);
      *ph = (PvhPhdr){ h.p_type, h.p_offset, h.p_paddr, h.p_filesz, h.p_memsz };
    }
  else
    {
      Elf32_Phdr h;

      memcpy (&h, p, sizeof h);
      *ph = (PvhPhdr){ h.p_type, h.p_offset, h.p_paddr, h.p_filesz, h.p_memsz };
    }
}

/* Looks through one PT_NOTE segment for Xen's PHYS32_ENTRY note. */
static bool
pvh_find_entry_note (const uint8_t *notes, uint64_t len, uint32_t *entry)
{
  uint64_t pos = 0;

  while (len - pos >= 12)
    {
      uint32_t namesz, descsz, type;
      uint64_t name_pad, desc_pad;

      memcpy (&namesz, notes + pos, 4);
      memcpy (&descsz, notes + pos + 4, 4);
      memcpy (&type, notes + pos + 8, 4);
      pos += 12;
      name_pad = ((uint64_t) namesz + 3) & ~3ull;
      desc_pad = ((uint64_t) descsz + 3) & ~3ull;
      if (name_pad > len - pos || desc_pad > len - pos - name_pad)
        return false;
      if (type == PVH_NOTE_PHYS32_ENTRY && namesz == 4 && memcmp (notes + pos, "Xen", 4) == 0 &&
          descsz >= 4)
        {
          memcpy (entry, notes + pos + name_pad, 4);
          return true;
        }
      pos += name_pad + desc_pad;
    }
  return false;
}

/* Whether the segment shares a byte with [START, END); no sum can wrap as
 * the segment was checked to lie inside RAM. */
static bool
pvh_overlaps (const PvhPhdr *ph, uint64_t start, uint64_t end)
{
  return ph->paddr < end && ph->paddr + ph->memsz > start;
}

static gboolean
pvh_check_segment (const PvhElf *elf, const PvhPhdr *ph, const char *name, uint64_t ram_end,
                   GError **error)
{
  if (ph->filesz > ph->memsz || ph->offset > elf->len || ph->filesz > elf->len - ph->offset)
    return pvh_damaged (error, name);
  if (ph->paddr > ram_end || ph->memsz > ram_end - ph->paddr)
    {
      g_autofree char *ram = g_format_size_full (ram_end, G_FORMAT_SIZE_IEC_UNITS);

      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL,
                   _ ("The kernel %s wants to load at %#llx-%#llx, beyond the machine's %s of "
                      "memory below 3 GiB. Give the machine more "
                      "memory, or use another kernel."),
                   name, (unsigned long long) ph->paddr,
                   (unsigned long long) (ph->paddr + ph->memsz), ram);
      return FALSE;
    }
  if (pvh_overlaps (ph, 0, BOOT_LOW_RESERVED_END) ||
      pvh_overlaps (ph, BOOT_ACPI_ADDR, BOOT_ACPI_ADDR + BOOT_ACPI_SIZE))
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL,
                   _ ("The kernel %s wants to load at %#llx-%#llx, where Hangar keeps boot data. "
                      "Link the kernel at 1 MiB or above."),
                   name, (unsigned long long) ph->paddr,
                   (unsigned long long) (ph->paddr + ph->memsz));
      return FALSE;
    }
  return TRUE;
}

static gboolean
pvh_add_segment (PvhImage *image, const PvhPhdr *ph, const char *name, GError **error)
{
  if (image->n_segments == PVH_MAX_SEGMENTS)
    return pvh_damaged (error, name);
  image->segments[image->n_segments++] =
      (PvhSegment){ ph->offset, ph->paddr, ph->filesz, ph->memsz };
  image->end = MAX (image->end, ph->paddr + ph->memsz);
  return TRUE;
}

gboolean
pvh_parse (const uint8_t *data, size_t len, const char *name, uint64_t ram_end, PvhImage *image,
           GError **error)
{
  PvhElf elf = { .data = data, .len = len };
  bool have_entry = false;

  memset (image, 0, sizeof *image);
  if (!pvh_probe (data, len))
    return pvh_damaged (error, name);
  if (!pvh_read_ehdr (&elf, name, error))
    return FALSE;

  for (unsigned i = 0; i < elf.phnum; i++)
    {
      PvhPhdr ph;

      pvh_read_phdr (&elf, i, &ph);
      if (ph.type == PT_NOTE && ph.offset <= len && ph.filesz <= len - ph.offset && !have_entry)
        have_entry = pvh_find_entry_note (data + ph.offset, ph.filesz, &image->entry);
      if (ph.type != PT_LOAD || ph.memsz == 0)
        continue;
      if (!pvh_check_segment (&elf, &ph, name, ram_end, error) ||
          !pvh_add_segment (image, &ph, name, error))
        return FALSE;
    }

  if (!have_entry)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL,
                   _ ("%s is not a Linux kernel (bzImage or ELF with a PVH entry): it is an ELF "
                      "file without a PVH entry note. Use the kernel's bzImage, or one built "
                      "with CONFIG_PVH=y."),
                   name);
      return FALSE;
    }
  if (image->n_segments == 0)
    return pvh_damaged (error, name);
  return TRUE;
}

static void
pvh_copy_segments (const uint8_t *data, const PvhImage *image, GuestMemory *mem)
{
  for (unsigned i = 0; i < image->n_segments; i++)
    {
      const PvhSegment *s = &image->segments[i];
      /* pvh_parse checked the range against RAM and the file. */
      uint8_t *dst = guest_memory_ptr (mem, s->paddr, s->memsz);

      g_assert (dst != NULL);
      memcpy (dst, data + s->offset, s->filesz);
      memset (dst + s->filesz, 0, s->memsz - s->filesz);
    }
}

/* hvm_start_info, then the module list, then the memory map: one page. */
static gboolean
pvh_write_start_info (const BootInfo *boot, GuestMemory *mem)
{
  uint64_t modlist_addr = BOOT_START_INFO_ADDR + sizeof (HvmStartInfo);
  uint64_t memmap_addr = modlist_addr + sizeof (HvmModlistEntry);
  HvmStartInfo *si = guest_memory_ptr (mem, BOOT_START_INFO_ADDR, 0x1000);
  HvmModlistEntry *mod = guest_memory_ptr (mem, modlist_addr, sizeof *mod);
  HvmMemmapEntry *map = guest_memory_ptr (mem, memmap_addr, boot->n_e820 * sizeof *map);

  G_STATIC_ASSERT (sizeof (HvmStartInfo) + sizeof (HvmModlistEntry) +
                       E820_MAX_ENTRIES * sizeof (HvmMemmapEntry) <=
                   0x1000);
  if (si == NULL || mod == NULL || map == NULL)
    return FALSE;
  memset (si, 0, 0x1000);
  si->magic = HVM_START_MAGIC;
  si->version = 1;
  si->cmdline_paddr = boot->cmdline_addr;
  si->rsdp_paddr = boot->rsdp_addr;
  if (boot->initrd_size != 0)
    {
      si->nr_modules = 1;
      si->modlist_paddr = modlist_addr;
      *mod = (HvmModlistEntry){ .paddr = boot->initrd_addr, .size = boot->initrd_size };
    }
  si->memmap_paddr = memmap_addr;
  si->memmap_entries = boot->n_e820;
  for (unsigned i = 0; i < boot->n_e820; i++)
    map[i] = (HvmMemmapEntry){ boot->e820[i].addr, boot->e820[i].size, boot->e820[i].type, 0 };
  return TRUE;
}

gboolean
pvh_load (const uint8_t *data, size_t len, const PvhImage *image, const BootInfo *boot,
          GuestMemory *mem, BootEntry *entry, GError **error)
{
  pvh_copy_segments (data, image, mem);
  if (!pvh_write_start_info (boot, mem))
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_NO_MEMORY,
                   _ ("The machine has too little memory to boot. Give it more memory."));
      return FALSE;
    }
  /* The GDT is what the 32-bit segment registers were loaded from. */
  if (!cpu_tables_write (mem, error))
    return FALSE;
  entry->long_mode = false;
  entry->rip = image->entry;
  entry->rsi = 0;
  entry->rbx = BOOT_START_INFO_ADDR;
  return TRUE;
}
