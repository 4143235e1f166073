/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>
#include <string.h>

#include "acpi/acpi.h"

#define BASE 0xe0000u
#define SIZE 0x10000u

static uint32_t
rd32 (const uint8_t *p)
{
  uint32_t v;

  memcpy (&v, p, 4);
  return v;
}

static uint64_t
rd64 (const uint8_t *p)
{
  uint64_t v;

  memcpy (&v, p, 8);
  return v;
}

static uint8_t
sum (const uint8_t *p, size_t len)
{
  uint8_t s = 0;

  for (size_t i = 0; i < len; i++)
    s += p[i];
  return s;
}

/* The table at guest address GPA, checked to lie inside the buffer. */
static const uint8_t *
table_at (const uint8_t *buf, size_t used, uint64_t gpa)
{
  g_assert_cmpuint (gpa, >=, BASE);
  g_assert_cmpuint (gpa - BASE + ACPI_HEADER_SIZE, <=, used);
  g_assert_cmpuint (gpa - BASE + rd32 (buf + (gpa - BASE) + 4), <=, used);
  return buf + (gpa - BASE);
}

static const uint8_t *
find_table (const uint8_t *buf, size_t used, const char *sig)
{
  const uint8_t *xsdt = table_at (buf, used, rd64 (buf + 24));
  unsigned n = (rd32 (xsdt + 4) - ACPI_HEADER_SIZE) / 8;

  for (unsigned i = 0; i < n; i++)
    {
      const uint8_t *t = table_at (buf, used, rd64 (xsdt + ACPI_HEADER_SIZE + 8 * i));

      if (memcmp (t, sig, 4) == 0)
        return t;
    }
  return NULL;
}

static void
check_checksums (unsigned n_cpus)
{
  g_autofree uint8_t *buf = g_malloc0 (SIZE);
  size_t used = acpi_build_tables (buf, SIZE, BASE, n_cpus);
  const uint8_t *xsdt, *rsdt, *fadt, *dsdt;

  g_assert_cmpuint (used, >, 0);
  g_assert_cmpmem (buf, 8, "RSD PTR ", 8);
  g_assert_cmpuint (buf[15], ==, 2); /* revision */
  g_assert_cmpuint (sum (buf, 20), ==, 0);
  g_assert_cmpuint (sum (buf, rd32 (buf + 20)), ==, 0);

  xsdt = table_at (buf, used, rd64 (buf + 24));
  g_assert_cmpmem (xsdt, 4, "XSDT", 4);
  g_assert_cmpuint (sum (xsdt, rd32 (xsdt + 4)), ==, 0);
  rsdt = table_at (buf, used, rd32 (buf + 16));
  g_assert_cmpmem (rsdt, 4, "RSDT", 4);
  g_assert_cmpuint (sum (rsdt, rd32 (rsdt + 4)), ==, 0);

  for (unsigned i = 0; i < (rd32 (xsdt + 4) - ACPI_HEADER_SIZE) / 8; i++)
    {
      const uint8_t *t = table_at (buf, used, rd64 (xsdt + ACPI_HEADER_SIZE + 8 * i));

      g_assert_cmpuint (sum (t, rd32 (t + 4)), ==, 0);
    }
  fadt = find_table (buf, used, "FACP");
  g_assert_nonnull (fadt);
  dsdt = table_at (buf, used, rd64 (fadt + 140));
  g_assert_cmpmem (dsdt, 4, "DSDT", 4);
  g_assert_cmpuint (sum (dsdt, rd32 (dsdt + 4)), ==, 0);
}

static void
test_checksums (void)
{
  check_checksums (1);
  check_checksums (2);
  check_checksums (64);
}

static void
test_madt_cpus (void)
{
  const unsigned counts[] = { 1, 3, 8, 64 };

  for (unsigned c = 0; c < G_N_ELEMENTS (counts); c++)
    {
      g_autofree uint8_t *buf = g_malloc0 (SIZE);
      size_t used = acpi_build_tables (buf, SIZE, BASE, counts[c]);
      const uint8_t *madt = find_table (buf, used, "APIC");
      uint32_t len;
      unsigned lapics = 0, ioapics = 0, overrides = 0;

      g_assert_nonnull (madt);
      len = rd32 (madt + 4);
      g_assert_cmpuint (rd32 (madt + 36), ==, ACPI_LAPIC_ADDR);
      for (uint32_t off = 44; off < len; off += madt[off + 1])
        {
          g_assert_cmpuint (madt[off + 1], >=, 2);
          g_assert_cmpuint (off + madt[off + 1], <=, len);
          if (madt[off] == 0)
            {
              g_assert_cmpuint (madt[off + 3], ==, lapics); /* APIC id */
              g_assert_cmpuint (rd32 (madt + off + 4) & 1, ==, 1);
              lapics++;
            }
          else if (madt[off] == 1)
            {
              g_assert_cmpuint (rd32 (madt + off + 4), ==, ACPI_IOAPIC_ADDR);
              ioapics++;
            }
          else if (madt[off] == 2)
            {
              overrides++;
              if (madt[off + 3] == 0)
                g_assert_cmpuint (rd32 (madt + off + 4), ==, 2);
              if (madt[off + 3] == ACPI_SCI_IRQ)
                g_assert_cmphex (madt[off + 8], ==, 0x0d); /* level, active high */
            }
        }
      g_assert_cmpuint (lapics, ==, counts[c]);
      g_assert_cmpuint (ioapics, ==, 1);
      g_assert_cmpuint (overrides, ==, 2);
    }
}

static void
test_fadt (void)
{
  g_autofree uint8_t *buf = g_malloc0 (SIZE);
  size_t used = acpi_build_tables (buf, SIZE, BASE, 2);
  const uint8_t *f = find_table (buf, used, "FACP");

  g_assert_nonnull (f);
  g_assert_cmpuint (f[8], >=, 5);               /* revision */
  g_assert_cmpuint (rd32 (f + 4), ==, 276);     /* ACPI 6 length */
  g_assert_cmpuint (f[46] | f[47] << 8, ==, 9); /* SCI_INT */
  g_assert_cmpuint (rd32 (f + 56), ==, ACPI_PM1A_EVT_PORT);
  g_assert_cmpuint (rd32 (f + 64), ==, ACPI_PM1A_CNT_PORT);
  g_assert_cmpuint (rd32 (f + 76), ==, ACPI_PM_TMR_PORT);
  g_assert_cmpuint (f[88], ==, 4);                       /* PM1_EVT_LEN */
  g_assert_cmpuint (f[89], ==, 2);                       /* PM1_CNT_LEN */
  g_assert_cmpuint (f[91], ==, 4);                       /* PM_TMR_LEN */
  g_assert_cmpuint (rd32 (f + 112) & (1u << 4), ==, 0);  /* power button: fixed */
  g_assert_cmpuint (rd32 (f + 112) & (1u << 10), !=, 0); /* RESET_REG_SUP */
  g_assert_cmpuint (f[116], ==, 1);                      /* RESET_REG in I/O space */
  g_assert_cmpuint (rd64 (f + 120), ==, ACPI_RESET_PORT);
  g_assert_cmpuint (f[128], ==, ACPI_RESET_VALUE);
  g_assert_cmpuint (rd32 (f + 40), ==, rd64 (f + 140)); /* DSDT == X_DSDT */
  g_assert_cmpuint (rd32 (f + 40), !=, 0);
  g_assert_cmpuint (rd32 (f + 36) % 64, ==, 0); /* FACS aligned */
  g_assert_cmpmem (table_at (buf, used, rd32 (f + 36)), 4, "FACS", 4);
}

static gboolean
contains (const uint8_t *data, size_t len, const char *name)
{
  for (size_t i = 0; i + 4 <= len; i++)
    {
      if (memcmp (data + i, name, 4) == 0)
        return TRUE;
    }
  return FALSE;
}

/* \_S5 in the DSDT: NameOp "_S5_" PackageOp PkgLength NumElements, then
 * SLP_TYP as a BytePrefix constant (or Zero/One). */
static void
test_dsdt_s5 (void)
{
  size_t len;
  const uint8_t *aml = acpi_dsdt_get (&len);
  const uint8_t *p = NULL;
  unsigned slp_typ;

  for (size_t i = 0; i + 4 <= len; i++)
    {
      if (memcmp (aml + i, "_S5_", 4) == 0)
        {
          p = aml + i + 4;
          break;
        }
    }
  g_assert_nonnull (p);
  g_assert_cmphex (p[0], ==, 0x12); /* PackageOp */
  p += 3;                           /* PkgLength (1 byte), NumElements */
  if (p[0] == 0x0a)
    slp_typ = p[1];
  else
    slp_typ = p[0] == 0x01 ? 1 : 0;
  g_assert_cmpuint (slp_typ, ==, ACPI_S5_SLP_TYP);
  g_assert_true (contains (aml, len, "PCI0"));
  g_assert_true (contains (aml, len, "COM1"));
  g_assert_true (contains (aml, len, "KBD_"));
  g_assert_true (contains (aml, len, "RTC_"));
}

static void
test_too_small (void)
{
  uint8_t buf[256];

  g_assert_cmpuint (acpi_build_tables (buf, sizeof buf, BASE, 1), ==, 0);
  /* The RSDP must be 16-byte aligned. */
  {
    g_autofree uint8_t *big = g_malloc0 (SIZE);

    g_assert_cmpuint (acpi_build_tables (big, SIZE, BASE + 8, 1), ==, 0);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hv-core/acpi/checksums", test_checksums);
  g_test_add_func ("/hv-core/acpi/madt-cpus", test_madt_cpus);
  g_test_add_func ("/hv-core/acpi/fadt", test_fadt);
  g_test_add_func ("/hv-core/acpi/dsdt-s5", test_dsdt_s5);
  g_test_add_func ("/hv-core/acpi/too-small", test_too_small);
  return g_test_run ();
}
