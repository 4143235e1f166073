/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <elf.h>
#include <glib.h>
#include <string.h>

#include "boot/layout.h"
#include "boot/pvh.h"
#include "vmm.h"

#define RAM_END  (64ull << 20)
#define CODE_LEN 64
#define ENTRY    0x100010u

/* ELF64 executable: Ehdr, two Phdrs (LOAD, NOTE), the note, the code. */
typedef struct
{
  Elf64_Ehdr eh;
  Elf64_Phdr ph[2];
  struct
  {
    uint32_t namesz, descsz, type;
    char name[4];
    uint32_t entry;
  } note;
  uint8_t code[CODE_LEN];
} Image64;

static Image64 *
make_image64 (void)
{
  Image64 *img = g_new0 (Image64, 1);

  memcpy (img->eh.e_ident, ELFMAG, SELFMAG);
  img->eh.e_ident[EI_CLASS] = ELFCLASS64;
  img->eh.e_ident[EI_DATA] = ELFDATA2LSB;
  img->eh.e_ident[EI_VERSION] = EV_CURRENT;
  img->eh.e_type = ET_EXEC;
  img->eh.e_machine = EM_X86_64;
  img->eh.e_version = EV_CURRENT;
  img->eh.e_phoff = offsetof (Image64, ph);
  img->eh.e_ehsize = sizeof img->eh;
  img->eh.e_phentsize = sizeof (Elf64_Phdr);
  img->eh.e_phnum = 2;
  img->ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD,
                             .p_offset = offsetof (Image64, code),
                             .p_paddr = 0x100000,
                             .p_vaddr = 0x100000,
                             .p_filesz = CODE_LEN,
                             .p_memsz = 0x2000 };
  img->ph[1] = (Elf64_Phdr){ .p_type = PT_NOTE,
                             .p_offset = offsetof (Image64, note),
                             .p_filesz = sizeof img->note };
  img->note.namesz = 4;
  img->note.descsz = 4;
  img->note.type = PVH_NOTE_PHYS32_ENTRY;
  memcpy (img->note.name, "Xen", 4);
  img->note.entry = ENTRY;
  memset (img->code, 0x90, CODE_LEN);
  return img;
}

static void
test_good (void)
{
  g_autofree Image64 *img = make_image64 ();
  g_autoptr (GError) error = NULL;
  PvhImage pvh;

  g_assert_true (pvh_probe ((uint8_t *) img, sizeof *img));
  g_assert_true (pvh_parse ((uint8_t *) img, sizeof *img, "k", RAM_END, &pvh, &error));
  g_assert_no_error (error);
  g_assert_cmphex (pvh.entry, ==, ENTRY);
  g_assert_cmpuint (pvh.n_segments, ==, 1);
  g_assert_cmphex (pvh.segments[0].paddr, ==, 0x100000);
  g_assert_cmpuint (pvh.segments[0].memsz, ==, 0x2000);
  g_assert_cmphex (pvh.end, ==, 0x102000);
}

static void
test_no_note (void)
{
  g_autofree Image64 *img = make_image64 ();
  g_autoptr (GError) error = NULL;
  PvhImage pvh;

  img->note.type = 17; /* another Xen note */
  g_assert_false (pvh_parse ((uint8_t *) img, sizeof *img, "k", RAM_END, &pvh, &error));
  g_assert_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL);
  g_assert_nonnull (
      strstr (error->message, "is not a Linux kernel (bzImage or ELF with a PVH entry)"));
  g_clear_error (&error);

  img->note.type = PVH_NOTE_PHYS32_ENTRY;
  memcpy (img->note.name, "Gnu", 4);
  g_assert_false (pvh_parse ((uint8_t *) img, sizeof *img, "k", RAM_END, &pvh, &error));
  g_assert_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL);
}

static void
test_truncated (void)
{
  g_autofree Image64 *img = make_image64 ();
  g_autoptr (GError) error = NULL;
  PvhImage pvh;

  /* Cut in the program headers, then in the code. */
  g_assert_false (
      pvh_parse ((uint8_t *) img, offsetof (Image64, ph) + 10, "k", RAM_END, &pvh, &error));
  g_assert_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL);
  g_clear_error (&error);
  g_assert_false (pvh_parse ((uint8_t *) img, offsetof (Image64, code) + CODE_LEN - 1, "k", RAM_END,
                             &pvh, &error));
  g_assert_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL);
  g_clear_error (&error);
  /* A note whose size runs past its segment. */
  img->note.descsz = 4000;
  g_assert_false (pvh_parse ((uint8_t *) img, sizeof *img, "k", RAM_END, &pvh, &error));
  g_assert_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL);
  g_clear_error (&error);
  g_assert_false (pvh_parse ((uint8_t *) img, 10, "k", RAM_END, &pvh, &error));
  g_assert_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL);
}

static void
test_outside_ram (void)
{
  g_autofree Image64 *img = make_image64 ();
  g_autoptr (GError) error = NULL;
  PvhImage pvh;

  img->ph[0].p_paddr = RAM_END - 0x1000; /* memsz 0x2000 runs past the end */
  g_assert_false (pvh_parse ((uint8_t *) img, sizeof *img, "k", RAM_END, &pvh, &error));
  g_assert_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL);
  g_clear_error (&error);
  img->ph[0].p_paddr = UINT64_MAX - 0x100; /* the sum would wrap */
  g_assert_false (pvh_parse ((uint8_t *) img, sizeof *img, "k", RAM_END, &pvh, &error));
  g_assert_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL);
  g_clear_error (&error);
  img->ph[0].p_paddr = 0x8000; /* over the zero page and page tables */
  g_assert_false (pvh_parse ((uint8_t *) img, sizeof *img, "k", RAM_END, &pvh, &error));
  g_assert_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL);
  g_clear_error (&error);
  img->ph[0].p_paddr = BOOT_ACPI_ADDR; /* over the ACPI tables */
  g_assert_false (pvh_parse ((uint8_t *) img, sizeof *img, "k", RAM_END, &pvh, &error));
  g_assert_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL);
  g_clear_error (&error);
  img->ph[0].p_filesz = 0x3000; /* more file than memory */
  img->ph[0].p_paddr = 0x100000;
  g_assert_false (pvh_parse ((uint8_t *) img, sizeof *img, "k", RAM_END, &pvh, &error));
  g_assert_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL);
}

static void
test_not_x86 (void)
{
  g_autofree Image64 *img = make_image64 ();
  g_autoptr (GError) error = NULL;
  PvhImage pvh;

  img->eh.e_machine = EM_AARCH64;
  g_assert_false (pvh_parse ((uint8_t *) img, sizeof *img, "k", RAM_END, &pvh, &error));
  g_assert_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL);
  g_clear_error (&error);
  img->eh.e_machine = EM_X86_64;
  img->eh.e_type = ET_REL;
  g_assert_false (pvh_parse ((uint8_t *) img, sizeof *img, "k", RAM_END, &pvh, &error));
  g_assert_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BAD_KERNEL);
}

static void
test_start_info (void)
{
  g_autofree Image64 *img = make_image64 ();
  g_autoptr (GError) error = NULL;
  GuestMemory mem;
  PvhImage pvh;
  BootEntry entry;
  BootInfo boot = {
    .cmdline_addr = BOOT_CMDLINE_ADDR,
    .cmdline_len = 3,
    .initrd_addr = 0x2000000,
    .initrd_size = 0x1234,
    .rsdp_addr = BOOT_ACPI_ADDR,
    .e820 = { { 0, 0x9fc00, 1 }, { 0x9fc00, 0x60400, 2 }, { 0x100000, 0x3f00000, 1 } },
    .n_e820 = 3,
  };
  const HvmStartInfo *si;
  const HvmModlistEntry *mod;
  const HvmMemmapEntry *map;
  const uint8_t *seg;

  g_assert_true (guest_memory_init (&mem, RAM_END, &error));
  g_assert_true (pvh_parse ((uint8_t *) img, sizeof *img, "k", RAM_END, &pvh, &error));
  memset (guest_memory_ptr (&mem, 0x100000, 0x2000), 0xaa, 0x2000);
  g_assert_true (pvh_load ((uint8_t *) img, sizeof *img, &pvh, &boot, &mem, &entry, &error));
  g_assert_no_error (error);

  g_assert_false (entry.long_mode);
  g_assert_cmphex (entry.rip, ==, ENTRY);
  g_assert_cmphex (entry.rbx, ==, BOOT_START_INFO_ADDR);
  si = guest_memory_ptr (&mem, entry.rbx, sizeof *si);
  g_assert_cmphex (si->magic, ==, HVM_START_MAGIC);
  g_assert_cmpuint (si->version, ==, 1);
  g_assert_cmphex (si->cmdline_paddr, ==, BOOT_CMDLINE_ADDR);
  g_assert_cmphex (si->rsdp_paddr, ==, BOOT_ACPI_ADDR);
  g_assert_cmpuint (si->nr_modules, ==, 1);
  mod = guest_memory_ptr (&mem, si->modlist_paddr, sizeof *mod);
  g_assert_cmphex (mod->paddr, ==, 0x2000000);
  g_assert_cmphex (mod->size, ==, 0x1234);
  g_assert_cmpuint (si->memmap_entries, ==, 3);
  map = guest_memory_ptr (&mem, si->memmap_paddr, 3 * sizeof *map);
  g_assert_cmphex (map[2].addr, ==, 0x100000);
  g_assert_cmpuint (map[1].type, ==, 2);
  /* File bytes copied, the rest of the segment zeroed. */
  seg = guest_memory_ptr (&mem, 0x100000, 0x2000);
  g_assert_cmphex (seg[0], ==, 0x90);
  g_assert_cmphex (seg[CODE_LEN], ==, 0);
  g_assert_cmphex (seg[0x1fff], ==, 0);
  guest_memory_fini (&mem);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hv-core/boot/pvh-good", test_good);
  g_test_add_func ("/hv-core/boot/pvh-no-note", test_no_note);
  g_test_add_func ("/hv-core/boot/pvh-truncated", test_truncated);
  g_test_add_func ("/hv-core/boot/pvh-segments-outside-ram", test_outside_ram);
  g_test_add_func ("/hv-core/boot/pvh-not-x86", test_not_x86);
  g_test_add_func ("/hv-core/boot/pvh-start-info", test_start_info);
  return g_test_run ();
}
