/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The "checks" guest: reports, one machine-readable line each, what the VMM gave it and
 * whether that is sound, then powers off (ACPI S5). A line starting with "FAIL" is a
 * failed check; tests compare the rest with what they configured.
 */
#include "guest.h"

#define FNV_OFFSET 0x811c9dc5u
#define FNV_PRIME  0x01000193u
#define MIB        (1024u * 1024u)

static void
check_cmdline (const GuestBoot *boot)
{
  con_printf ("cmdline: ");
  /* Printable ASCII only, so that the line stays one line. */
  for (const char *p = boot->cmdline; *p; p++)
    con_putc (*p >= 0x20 && *p < 0x7f ? *p : '?');
  con_putc ('\n');
}

static const char *
mem_type_name (uint32_t type)
{
  switch (type)
    {
      case 1:
        return "ram";
      case 2:
        return "reserved";
      case 3:
        return "acpi";
      case 4:
        return "nvs";
      case 5:
        return "unusable";
      default:
        return "other";
    }
}

static bool
ram_overlaps (const GuestBoot *boot)
{
  for (unsigned i = 0; i < boot->n_mem; i++)
    for (unsigned j = i + 1; j < boot->n_mem; j++)
      {
        const GuestMemRange *a = &boot->mem[i], *b = &boot->mem[j];

        if (a->type == 1 && b->type == 1 && a->addr < b->addr + b->size &&
            b->addr < a->addr + a->size)
          return true;
      }
  return false;
}

static void
check_e820 (const GuestBoot *boot)
{
  uint64_t ram = 0;
  unsigned n = 0;

  if (!boot->has_mem || !boot->n_mem)
    {
      con_printf ("FAIL e820: no memory map\n");
      return;
    }

  /* Empty entries mean nothing (some firmware ends its map with one): skip them. */
  for (unsigned i = 0; i < boot->n_mem; i++)
    if (boot->mem[i].size)
      {
        n++;
        ram += boot->mem[i].type == 1 ? boot->mem[i].size : 0;
      }
  con_printf ("e820: %u entries, ram %lu MiB\n", n, ram / MIB);
  for (unsigned i = 0; i < boot->n_mem; i++)
    {
      const GuestMemRange *m = &boot->mem[i];

      if (!m->size)
        continue;
      con_printf ("e820: [mem 0x%016lx-0x%016lx] %s\n", m->addr, m->addr + m->size - 1,
                  mem_type_name (m->type));
      if (m->addr + m->size < m->addr)
        con_printf ("FAIL e820: bad entry %u\n", i);
    }
  if (ram_overlaps (boot))
    con_printf ("FAIL e820: overlapping RAM entries\n");
}

static void
check_initrd (const GuestBoot *boot)
{
  const uint8_t *p;
  uint32_t hash = FNV_OFFSET;

  if (!boot->has_initrd)
    {
      con_printf ("initrd: none\n");
      return;
    }
  if (!(p = phys_map (boot->initrd_addr, boot->initrd_size, false)))
    {
      con_printf ("FAIL initrd: 0x%lx+0x%lx out of reach\n", boot->initrd_addr, boot->initrd_size);
      return;
    }
  for (uint64_t i = 0; i < boot->initrd_size; i++)
    hash = (hash ^ p[i]) * FNV_PRIME;
  con_printf ("initrd: size %lu sum %08x\n", boot->initrd_size, hash);
}

static void
report (const char *what, AcpiStatus status)
{
  if (status == ACPI_OK)
    con_printf ("%s: ok\n", what);
  else
    con_printf ("FAIL %s: %s\n", what, acpi_status_name (status));
}

static void
check_acpi (const GuestBoot *boot)
{
  AcpiStatus root = acpi_init (boot), status;
  unsigned cpus, slp_typa, slp_typb;

  report ("rsdp", acpi_rsdp_status ());
  report (root == ACPI_OK && !acpi_has_xsdt () ? "rsdt" : "xsdt", root);
  if ((status = acpi_count_cpus (&cpus)) == ACPI_OK)
    con_printf ("madt: ok cpus %u\n", cpus);
  else
    report ("madt", status);
  report ("fadt", acpi_check_fadt ());
  if ((status = acpi_s5 (&slp_typa, &slp_typb)) == ACPI_OK)
    con_printf ("dsdt: ok s5 %u\n", slp_typa);
  else
    report ("dsdt", status);
}

static void
check_rtc (void)
{
  RtcTime t;
  const char *error = rtc_read (&t);

  if (error)
    {
      con_printf ("FAIL rtc: %s\n", error);
      return;
    }
  con_printf ("rtc: %04u-%02u-%02u %02u:%02u:%02u\n", t.year, t.month, t.day, t.hour, t.minute,
              t.second);
}

void
guest_main (const GuestBoot *boot)
{
  con_printf ("boot: %s\n", boot_kind_name (boot->kind));
  if (boot->error)
    con_printf ("FAIL boot: %s\n", boot->error);
  check_cmdline (boot);
  check_e820 (boot);
  check_initrd (boot);
  check_acpi (boot);
  check_rtc ();
  con_printf ("checks: done\n");
}
