/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * guest-pack: turns a linked guest image (an ELF laid out by guest.ld) into the two
 * formats that loaders take:
 *
 *   a bzImage:  the 16-bit setup (the ELF's .setup section) with a Linux boot protocol
 *               2.15 setup header filled in, followed by the flat protected-mode payload;
 *   a PVH ELF:  one PT_LOAD segment with the same payload and a PT_NOTE holding the Xen
 *               note XEN_ELFNOTE_PHYS32_ENTRY, the 32-bit entry point.
 *
 * usage: guest-pack IMAGE.elf OUT.bzImage OUT.pvh.elf
 *
 * It runs on the build machine (a meson native tool) and trusts nothing in its input:
 * every offset is checked against the file's size.
 */
#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest-defs.h"

#define SECTOR                   512
#define MIN_SETUP_SECTS          4
#define SETUP_CODE_OFFSET        0x280
#define HDR_START                0x1f1
#define BOOT_VERSION             0x020f
#define LOADED_HIGH              0x01
#define XLF_KERNEL_64            0x0001
#define XLF_CAN_LOAD_ABOVE_4G    0x0002
#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define PVH_DATA_OFFSET          0x1000

typedef struct
{
  uint8_t *data;
  size_t size;
} Buffer;

typedef struct
{
  uint64_t base;      /* link address: startup_32 */
  uint64_t load_end;  /* end of the bytes in the file (__load_end) */
  uint64_t end;       /* end of the memory the image uses (_end) */
  uint64_t pvh_entry; /* pvh_start32 */
  uint64_t kernel_info;
  Buffer payload; /* [base, load_end) */
  Buffer setup;   /* the .setup section */
} Image;

static const char *input_name;

__attribute__ ((noreturn, format (printf, 1, 2))) static void
die (const char *fmt, ...)
{
  va_list ap;

  fprintf (stderr, "guest-pack: %s: ", input_name ? input_name : "");
  va_start (ap, fmt);
  vfprintf (stderr, fmt, ap);
  va_end (ap);
  fputc ('\n', stderr);
  exit (1);
}

static void *
xcalloc (size_t size)
{
  void *p = calloc (1, size ? size : 1);

  if (!p)
    die ("out of memory");
  return p;
}

static Buffer
read_file (const char *path)
{
  FILE *f = fopen (path, "rb");
  Buffer b = { 0 };
  long size;

  if (!f)
    die ("cannot open: %s", strerror (errno));
  if (fseek (f, 0, SEEK_END) != 0 || (size = ftell (f)) < 0 || fseek (f, 0, SEEK_SET) != 0)
    die ("cannot size: %s", strerror (errno));
  b.size = (size_t) size;
  b.data = xcalloc (b.size);
  if (fread (b.data, 1, b.size, f) != b.size)
    die ("cannot read");
  fclose (f);
  return b;
}

static void
write_file (const char *path, const Buffer *parts, size_t n_parts)
{
  FILE *f = fopen (path, "wb");

  if (!f)
    die ("cannot create %s: %s", path, strerror (errno));
  for (size_t i = 0; i < n_parts; i++)
    if (parts[i].size && fwrite (parts[i].data, 1, parts[i].size, f) != parts[i].size)
      die ("cannot write %s: %s", path, strerror (errno));
  if (fclose (f) != 0)
    die ("cannot write %s: %s", path, strerror (errno));
}

/* A pointer to [offset, offset + size) of the file, or death. */
static const void *
file_range (const Buffer *elf, uint64_t offset, uint64_t size)
{
  if (offset > elf->size || size > elf->size - offset)
    die ("truncated or corrupt ELF file");
  return elf->data + offset;
}

static const Elf64_Ehdr *
elf_header (const Buffer *elf)
{
  const Elf64_Ehdr *eh = file_range (elf, 0, sizeof *eh);

  if (memcmp (eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
      eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != EM_X86_64)
    die ("not an x86-64 ELF file");
  if (eh->e_phentsize != sizeof (Elf64_Phdr) || eh->e_shentsize != sizeof (Elf64_Shdr))
    die ("unexpected ELF header sizes");
  return eh;
}

static const Elf64_Shdr *
section_headers (const Buffer *elf)
{
  const Elf64_Ehdr *eh = elf_header (elf);

  return file_range (elf, eh->e_shoff, (uint64_t) eh->e_shnum * sizeof (Elf64_Shdr));
}

static const char *
string_at (const Buffer *elf, const Elf64_Shdr *strtab, uint32_t offset)
{
  const char *s = file_range (elf, strtab->sh_offset, strtab->sh_size);

  if (offset >= strtab->sh_size || !memchr (s + offset, '\0', strtab->sh_size - offset))
    die ("bad string table offset");
  return s + offset;
}

static const Elf64_Shdr *
find_section (const Buffer *elf, const char *name)
{
  const Elf64_Ehdr *eh = elf_header (elf);
  const Elf64_Shdr *sh = section_headers (elf);

  if (eh->e_shstrndx >= eh->e_shnum)
    die ("no section name table");
  for (unsigned i = 0; i < eh->e_shnum; i++)
    if (strcmp (string_at (elf, &sh[eh->e_shstrndx], sh[i].sh_name), name) == 0)
      return &sh[i];
  die ("no section %s", name);
}

static uint64_t
find_symbol (const Buffer *elf, const char *name)
{
  const Elf64_Ehdr *eh = elf_header (elf);
  const Elf64_Shdr *sh = section_headers (elf);

  for (unsigned i = 0; i < eh->e_shnum; i++)
    {
      const Elf64_Sym *syms;
      uint64_t n;

      if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum)
        continue;
      n = sh[i].sh_size / sizeof (Elf64_Sym);
      syms = file_range (elf, sh[i].sh_offset, n * sizeof (Elf64_Sym));
      for (uint64_t j = 0; j < n; j++)
        if (strcmp (string_at (elf, &sh[sh[i].sh_link], syms[j].st_name), name) == 0)
          return syms[j].st_value;
    }
  die ("no symbol %s", name);
}

/* The bytes of every PT_LOAD segment, placed by physical address into [base, load_end). */
static Buffer
flatten (const Buffer *elf, uint64_t base, uint64_t load_end)
{
  const Elf64_Ehdr *eh = elf_header (elf);
  const Elf64_Phdr *ph = file_range (elf, eh->e_phoff, (uint64_t) eh->e_phnum * sizeof *ph);
  Buffer out = { xcalloc (load_end - base), load_end - base };

  for (unsigned i = 0; i < eh->e_phnum; i++)
    {
      if (ph[i].p_type != PT_LOAD || !ph[i].p_filesz)
        continue;
      if (ph[i].p_paddr < base || ph[i].p_paddr + ph[i].p_filesz > load_end)
        die ("segment %u at 0x%llx outside the image", i, (unsigned long long) ph[i].p_paddr);
      memcpy (out.data + (ph[i].p_paddr - base), file_range (elf, ph[i].p_offset, ph[i].p_filesz),
              ph[i].p_filesz);
    }
  return out;
}

static Image
load_image (const char *path)
{
  Buffer elf = read_file (path);
  const Elf64_Shdr *setup;
  Image im;

  im.base = find_symbol (&elf, "startup_32");
  im.load_end = find_symbol (&elf, "__load_end");
  im.end = find_symbol (&elf, "_end");
  im.pvh_entry = find_symbol (&elf, "pvh_start32");
  im.kernel_info = find_symbol (&elf, "kernel_info");
  if (im.base != GUEST_LINK_ADDRESS || im.load_end <= im.base || im.end < im.load_end ||
      im.end - im.base > GUEST_ALIGNMENT)
    die ("unexpected layout (see guest.ld)");
  if (find_symbol (&elf, "startup_64") != im.base + 0x200)
    die ("startup_64 is not at payload offset 0x200");
  if (im.pvh_entry < im.base || im.pvh_entry >= im.load_end || im.kernel_info < im.base ||
      im.kernel_info >= im.load_end)
    die ("entry point or kernel_info outside the payload");
  im.payload = flatten (&elf, im.base, im.load_end);

  setup = find_section (&elf, ".setup");
  im.setup.size = setup->sh_size;
  im.setup.data = xcalloc (setup->sh_size);
  memcpy (im.setup.data, file_range (&elf, setup->sh_offset, setup->sh_size), setup->sh_size);
  return im;
}

static void
put16 (uint8_t *p, uint16_t v)
{
  p[0] = (uint8_t) v;
  p[1] = (uint8_t) (v >> 8);
}

static void
put32 (uint8_t *p, uint32_t v)
{
  put16 (p, (uint16_t) v);
  put16 (p + 2, (uint16_t) (v >> 16));
}

static void
put64 (uint8_t *p, uint64_t v)
{
  put32 (p, (uint32_t) v);
  put32 (p + 4, (uint32_t) (v >> 32));
}

/* The setup header, field by field (Documentation/arch/x86/boot.rst of Linux). */
static void
fill_setup_header (uint8_t *s, unsigned setup_sects, const Image *im)
{
  uint64_t init_size = (im->end - im->base + 4095) & ~4095ull;

  s[0x1f1] = (uint8_t) setup_sects;
  put32 (s + 0x1f4, (uint32_t) ((im->payload.size + 15) / 16)); /* syssize */
  put16 (s + 0x1fa, 0xffff);                                    /* vid_mode: normal */
  put16 (s + 0x1fe, 0xaa55);                                    /* boot_flag */
  s[0x200] = 0xeb;                                              /* jump: jmp short */
  s[0x201] = SETUP_CODE_OFFSET - 0x202;
  memcpy (s + 0x202, "HdrS", 4);
  put16 (s + 0x206, BOOT_VERSION);
  s[0x211] = LOADED_HIGH;                                     /* loadflags */
  put32 (s + 0x214, (uint32_t) im->base);                     /* code32_start */
  put32 (s + 0x22c, 0x7fffffff);                              /* initrd_addr_max */
  put32 (s + 0x230, GUEST_ALIGNMENT);                         /* kernel_alignment */
  s[0x234] = 1;                                               /* relocatable_kernel */
  s[0x235] = (uint8_t) __builtin_ctz (GUEST_ALIGNMENT);       /* min_alignment */
  put16 (s + 0x236, XLF_KERNEL_64 | XLF_CAN_LOAD_ABOVE_4G);   /* xloadflags */
  put32 (s + 0x238, GUEST_CMDLINE_MAX);                       /* cmdline_size */
  put64 (s + 0x258, im->base);                                /* pref_address */
  put32 (s + 0x260, (uint32_t) init_size);                    /* init_size */
  put32 (s + 0x268, (uint32_t) (im->kernel_info - im->base)); /* kernel_info_offset */
}

static void
write_bzimage (const char *path, const Image *im)
{
  size_t sectors = (im->setup.size + SECTOR - 1) / SECTOR;
  unsigned setup_sects = sectors - 1 < MIN_SETUP_SECTS ? MIN_SETUP_SECTS : (unsigned) sectors - 1;
  Buffer parts[2] = { { xcalloc ((setup_sects + 1) * SECTOR), (setup_sects + 1) * SECTOR },
                      im->payload };

  if (im->setup.size <= SETUP_CODE_OFFSET)
    die (".setup has no code after the header");
  for (size_t i = HDR_START; i < SETUP_CODE_OFFSET; i++)
    if (im->setup.data[i])
      die (".setup overlaps the setup header at 0x%zx", i);
  memcpy (parts[0].data, im->setup.data, im->setup.size);
  fill_setup_header (parts[0].data, setup_sects, im);
  write_file (path, parts, 2);
}

static void
write_pvh_elf (const char *path, const Image *im)
{
  struct __attribute__ ((packed))
  {
    Elf64_Ehdr eh;
    Elf64_Phdr note_ph;
    Elf64_Phdr load_ph;
    Elf64_Nhdr nh;
    char name[4];
    uint64_t entry;
  } head = { 0 };
  Buffer parts[2] = { { xcalloc (PVH_DATA_OFFSET), PVH_DATA_OFFSET }, im->payload };

  memcpy (head.eh.e_ident, ELFMAG, SELFMAG);
  head.eh.e_ident[EI_CLASS] = ELFCLASS64;
  head.eh.e_ident[EI_DATA] = ELFDATA2LSB;
  head.eh.e_ident[EI_VERSION] = EV_CURRENT;
  head.eh.e_type = ET_EXEC;
  head.eh.e_machine = EM_X86_64;
  head.eh.e_version = EV_CURRENT;
  head.eh.e_entry = im->pvh_entry;
  head.eh.e_phoff = offsetof (__typeof__ (head), note_ph);
  head.eh.e_ehsize = sizeof head.eh;
  head.eh.e_phentsize = sizeof (Elf64_Phdr);
  head.eh.e_phnum = 2;

  /* The note: an 8-byte descriptor, as Linux's vmlinux has it (and QEMU reads). */
  head.note_ph.p_type = PT_NOTE;
  head.note_ph.p_flags = PF_R;
  head.note_ph.p_offset = offsetof (__typeof__ (head), nh);
  head.note_ph.p_filesz = sizeof head - head.note_ph.p_offset;
  head.note_ph.p_align = 4;
  head.nh.n_namesz = 4;
  head.nh.n_descsz = 8;
  head.nh.n_type = XEN_ELFNOTE_PHYS32_ENTRY;
  memcpy (head.name, "Xen", 4);
  head.entry = im->pvh_entry;

  head.load_ph.p_type = PT_LOAD;
  head.load_ph.p_flags = PF_R | PF_W | PF_X;
  head.load_ph.p_offset = PVH_DATA_OFFSET;
  head.load_ph.p_vaddr = im->base;
  head.load_ph.p_paddr = im->base;
  head.load_ph.p_filesz = im->payload.size;
  head.load_ph.p_memsz = im->end - im->base;
  head.load_ph.p_align = 0x1000;

  memcpy (parts[0].data, &head, sizeof head);
  write_file (path, parts, 2);
}

int
main (int argc, char **argv)
{
  Image im;

  if (argc != 4)
    {
      fprintf (stderr, "usage: guest-pack IMAGE.elf OUT.bzImage OUT.pvh.elf\n");
      return 2;
    }
  input_name = argv[1];
  im = load_image (argv[1]);
  write_bzimage (argv[2], &im);
  write_pvh_elf (argv[3], &im);
  return 0;
}
