/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ACPI, as far as the guests need it: find and verify RSDP, XSDT/RSDT, MADT and FADT,
 * take SLP_TYP for S5 from the DSDT's \_S5 package, and use the FADT's registers to power
 * off (PM1 control, or the sleep control register of hardware-reduced ACPI) and to reset.
 * Every table comes from the (untrusted) platform: lengths are bounded, checksums
 * checked, and everything is mapped before it is read.
 */
#include "guest.h"

#define HDR_LENGTH   4
#define HDR_REVISION 8
#define HDR_SIZE     36
#define TABLE_MAX    (1u << 20)

#define RSDP_REVISION 15
#define RSDP_RSDT     16
#define RSDP_LENGTH   20
#define RSDP_XSDT     24
#define RSDP_V1_SIZE  20
#define RSDP_V2_SIZE  36

#define FADT_DSDT           40
#define FADT_PM1A_CNT_BLK   64
#define FADT_PM1B_CNT_BLK   68
#define FADT_CENTURY        108
#define FADT_FLAGS          112
#define FADT_RESET_REG      116
#define FADT_RESET_VALUE    128
#define FADT_X_DSDT         140
#define FADT_X_PM1A_CNT_BLK 172
#define FADT_X_PM1B_CNT_BLK 184
#define FADT_SLEEP_CONTROL  244
#define FADT_V1_SIZE        116

#define FADT_RESET_REG_SUP (1u << 10)
#define FADT_HW_REDUCED    (1u << 20)

#define GAS_SIZE     12
#define GAS_MEMORY   0
#define GAS_IO       1
#define PM1_SLP_TYP  (7u << 10)
#define PM1_SLP_EN   (1u << 13)
#define SLEEP_CTL_EN (1u << 5)
#define I8042_STATUS 0x64
#define I8042_RESET  0xfe

#define MADT_ENTRIES      44
#define MADT_LOCAL_APIC   0
#define MADT_LOCAL_X2APIC 9

static bool initialized;
static AcpiStatus init_status;
static AcpiStatus rsdp_status = ACPI_NOT_FOUND;
static uint64_t root_addr;
static bool root_is_xsdt;

const char *
acpi_status_name (AcpiStatus status)
{
  switch (status)
    {
      case ACPI_OK:
        return "ok";
      case ACPI_NOT_FOUND:
        return "not found";
      case ACPI_BAD_CHECKSUM:
        return "bad checksum";
      case ACPI_BAD_TABLE:
        return "malformed";
      default:
        return "?";
    }
}

static bool
sum_ok (const uint8_t *p, size_t len)
{
  uint8_t sum = 0;

  while (len--)
    sum += *p++;
  return sum == 0;
}

static AcpiStatus
check_rsdp (uint64_t addr)
{
  const uint8_t *p = phys_map (addr, RSDP_V2_SIZE, false);

  if (!p || memcmp (p, "RSD PTR ", 8) != 0)
    return ACPI_NOT_FOUND;
  if (!sum_ok (p, RSDP_V1_SIZE))
    return ACPI_BAD_CHECKSUM;
  if (p[RSDP_REVISION] >= 2)
    {
      uint32_t len = get32 (p + RSDP_LENGTH);

      if (len < RSDP_V2_SIZE || len > 4096 || !(p = phys_map (addr, len, false)))
        return ACPI_BAD_TABLE;
      if (!sum_ok (p, len))
        return ACPI_BAD_CHECKSUM;
    }
  return ACPI_OK;
}

/* The spec's places: the first KiB of the EBDA, then the BIOS area, 16-byte aligned. */
static uint64_t
scan_rsdp (void)
{
  const uint8_t *bda = phys_map (0x40e, 2, false);
  uint64_t ebda = (uint64_t) get16 (bda) << 4;

  if (ebda >= 0x80000 && ebda < 0xa0000)
    for (uint64_t a = ebda; a < ebda + 1024; a += 16)
      if (check_rsdp (a) == ACPI_OK)
        return a;
  for (uint64_t a = 0xe0000; a < 0x100000; a += 16)
    if (check_rsdp (a) == ACPI_OK)
      return a;
  return 0;
}

/* Maps a whole table and verifies its length and checksum. */
static const uint8_t *
map_table (uint64_t addr, AcpiStatus *status)
{
  const uint8_t *p = addr ? phys_map (addr, HDR_SIZE, false) : NULL;
  uint32_t len;

  *status = ACPI_NOT_FOUND;
  if (!p)
    return NULL;
  len = get32 (p + HDR_LENGTH);
  *status = ACPI_BAD_TABLE;
  if (len < HDR_SIZE || len > TABLE_MAX || !(p = phys_map (addr, len, false)))
    return NULL;
  *status = ACPI_BAD_CHECKSUM;
  if (!sum_ok (p, len))
    return NULL;
  *status = ACPI_OK;
  return p;
}

static AcpiStatus
find_root (void)
{
  uint64_t rsdp_addr = guest_boot->rsdp_addr;
  const uint8_t *rsdp;
  AcpiStatus status;

  if (rsdp_addr)
    rsdp_status = check_rsdp (rsdp_addr);
  else if ((rsdp_addr = scan_rsdp ()))
    rsdp_status = ACPI_OK;
  if (rsdp_status != ACPI_OK)
    return rsdp_status;
  rsdp = phys_map (rsdp_addr, RSDP_V2_SIZE, false);
  root_is_xsdt = rsdp[RSDP_REVISION] >= 2 && get64 (rsdp + RSDP_XSDT);
  root_addr = root_is_xsdt ? get64 (rsdp + RSDP_XSDT) : get32 (rsdp + RSDP_RSDT);
  if (!map_table (root_addr, &status))
    return status;
  if (memcmp ((const char *) (uintptr_t) root_addr, root_is_xsdt ? "XSDT" : "RSDT", 4) != 0)
    return ACPI_BAD_TABLE;
  return ACPI_OK;
}

AcpiStatus
acpi_init (const GuestBoot *boot)
{
  if (!initialized)
    {
      init_status = find_root ();
      initialized = true;
    }
  return init_status;
}

AcpiStatus
acpi_rsdp_status (void)
{
  acpi_init (guest_boot);
  return rsdp_status;
}

bool
acpi_has_xsdt (void)
{
  return acpi_init (guest_boot) == ACPI_OK && root_is_xsdt;
}

const uint8_t *
acpi_find_table (const char *signature, AcpiStatus *status)
{
  const uint8_t *root;
  unsigned entry_size;
  uint32_t n;

  if ((*status = acpi_init (guest_boot)) != ACPI_OK)
    return NULL;
  entry_size = root_is_xsdt ? 8 : 4;
  root = (const uint8_t *) (uintptr_t) root_addr;
  n = (get32 (root + HDR_LENGTH) - HDR_SIZE) / entry_size;
  for (uint32_t i = 0; i < n; i++)
    {
      const uint8_t *entry = root + HDR_SIZE + i * entry_size;
      uint64_t addr = root_is_xsdt ? get64 (entry) : get32 (entry);
      const uint8_t *hdr = addr ? phys_map (addr, HDR_SIZE, false) : NULL;

      if (hdr && memcmp (hdr, signature, 4) == 0)
        return map_table (addr, status);
    }
  *status = ACPI_NOT_FOUND;
  return NULL;
}

AcpiStatus
acpi_count_cpus (unsigned *cpus)
{
  AcpiStatus status;
  const uint8_t *madt = acpi_find_table ("APIC", &status);
  uint32_t len;

  *cpus = 0;
  if (!madt)
    return status;
  len = get32 (madt + HDR_LENGTH);
  for (uint32_t off = MADT_ENTRIES; off + 2 <= len;)
    {
      const uint8_t *e = madt + off;

      if (e[1] < 2 || off + e[1] > len)
        return ACPI_BAD_TABLE;
      if (e[0] == MADT_LOCAL_APIC && e[1] >= 8 && (get32 (e + 4) & 1))
        (*cpus)++;
      else if (e[0] == MADT_LOCAL_X2APIC && e[1] >= 16 && (get32 (e + 8) & 1))
        (*cpus)++;
      off += e[1];
    }
  return ACPI_OK;
}

/* FADT helpers */

static const uint8_t *
fadt_get (AcpiStatus *status)
{
  const uint8_t *fadt = acpi_find_table ("FACP", status);

  if (fadt && get32 (fadt + HDR_LENGTH) < FADT_V1_SIZE)
    {
      *status = ACPI_BAD_TABLE;
      return NULL;
    }
  return fadt;
}

/* A Generic Address Structure present in this FADT, or NULL. */
static const uint8_t *
fadt_gas (const uint8_t *fadt, unsigned offset)
{
  if (get32 (fadt + HDR_LENGTH) < offset + GAS_SIZE || !get64 (fadt + offset + 4))
    return NULL;
  return fadt + offset;
}

static uint64_t
fadt_dsdt (const uint8_t *fadt)
{
  if (get32 (fadt + HDR_LENGTH) >= FADT_X_DSDT + 8 && get64 (fadt + FADT_X_DSDT))
    return get64 (fadt + FADT_X_DSDT);
  return get32 (fadt + FADT_DSDT);
}

/* The PM1 control block as a GAS: the extended one if set, else the legacy I/O port. */
static bool
fadt_pm1_cnt (const uint8_t *fadt, unsigned x_offset, unsigned offset, uint8_t gas[GAS_SIZE])
{
  const uint8_t *x = fadt_gas (fadt, x_offset);
  uint32_t port = get32 (fadt + offset);

  if (x)
    {
      memcpy (gas, x, GAS_SIZE);
      return true;
    }
  if (!port)
    return false;
  memset (gas, 0, GAS_SIZE);
  gas[0] = GAS_IO;
  gas[1] = 16;
  memcpy (gas + 4, &port, 4);
  return true;
}

static bool
fadt_hw_reduced (const uint8_t *fadt)
{
  return (get32 (fadt + FADT_FLAGS) & FADT_HW_REDUCED) != 0;
}

AcpiStatus
acpi_check_fadt (void)
{
  AcpiStatus status;
  const uint8_t *fadt = fadt_get (&status);
  uint8_t gas[GAS_SIZE];

  if (!fadt)
    return status;
  if (!fadt_dsdt (fadt))
    return ACPI_BAD_TABLE;
  /* Some way to enter S5 must be described. */
  if (fadt_hw_reduced (fadt) ? !fadt_gas (fadt, FADT_SLEEP_CONTROL)
                             : !fadt_pm1_cnt (fadt, FADT_X_PM1A_CNT_BLK, FADT_PM1A_CNT_BLK, gas))
    return ACPI_BAD_TABLE;
  return ACPI_OK;
}

unsigned
acpi_rtc_century_index (void)
{
  AcpiStatus status;
  const uint8_t *fadt = fadt_get (&status);

  return fadt ? fadt[FADT_CENTURY] : 0;
}

/* AML: the integer encodings a \_S5 package uses. Returns the bytes consumed, 0 if none. */
static unsigned
aml_integer (const uint8_t *p, const uint8_t *end, unsigned *value)
{
  if (p >= end)
    return 0;
  switch (*p)
    {
      case 0x00: /* ZeroOp */
      case 0x01: /* OneOp */
        *value = *p;
        return 1;
      case 0xff: /* OnesOp */
        *value = 0xffffffff;
        return 1;
      case 0x0a: /* BytePrefix */
        if (end - p < 2)
          return 0;
        *value = p[1];
        return 2;
      case 0x0b: /* WordPrefix */
        if (end - p < 3)
          return 0;
        *value = get16 (p + 1);
        return 3;
      case 0x0c: /* DWordPrefix */
        if (end - p < 5)
          return 0;
        *value = get32 (p + 1);
        return 5;
      default:
        return 0;
    }
}

/* Name (_S5, Package () { a, b, ... }): NameOp, NameSeg, PackageOp PkgLength NumElements. */
static bool
parse_s5 (const uint8_t *p, const uint8_t *end, unsigned *a, unsigned *b)
{
  unsigned n;

  if (end - p < 3 || p[0] != 0x12)
    return false;
  p += 2 + (p[1] >> 6); /* PackageOp, then PkgLength's lead byte and follow bytes */
  if (p >= end || *p < 2)
    return false;
  p++;
  if (!(n = aml_integer (p, end, a)))
    return false;
  return aml_integer (p + n, end, b) != 0;
}

AcpiStatus
acpi_s5 (unsigned *slp_typa, unsigned *slp_typb)
{
  AcpiStatus status;
  const uint8_t *fadt = fadt_get (&status);
  const uint8_t *dsdt, *end;

  if (!fadt)
    return status;
  if (!(dsdt = map_table (fadt_dsdt (fadt), &status)))
    return status;
  end = dsdt + get32 (dsdt + HDR_LENGTH);
  for (const uint8_t *p = dsdt + HDR_SIZE + 1; p + 4 <= end; p++)
    {
      if (memcmp (p, "_S5_", 4) != 0 || (p[-1] != 0x08 && p[-1] != '\\'))
        continue;
      if (parse_s5 (p + 4, end, slp_typa, slp_typb))
        return ACPI_OK;
    }
  return ACPI_NOT_FOUND;
}

/* Register access through a GAS: I/O ports or (uncached) memory, 1, 2 or 4 bytes. */

static unsigned
gas_bytes (const uint8_t *gas)
{
  unsigned bytes = gas[3] ? 1u << (gas[3] - 1) : gas[1] / 8u;

  return bytes == 1 || bytes == 2 || bytes == 4 ? bytes : 0;
}

static bool
gas_write (const uint8_t *gas, uint32_t value)
{
  uint64_t addr = get64 (gas + 4);
  unsigned bytes = gas_bytes (gas);
  volatile void *mem;

  if (!addr || !bytes)
    return false;
  if (gas[0] == GAS_IO && addr <= 0xffff)
    {
      if (bytes == 1)
        outb ((uint16_t) addr, (uint8_t) value);
      else if (bytes == 2)
        outw ((uint16_t) addr, (uint16_t) value);
      else
        outl ((uint16_t) addr, value);
      return true;
    }
  if (gas[0] != GAS_MEMORY || !(mem = phys_map (addr, bytes, true)))
    return false;
  if (bytes == 1)
    *(volatile uint8_t *) mem = (uint8_t) value;
  else if (bytes == 2)
    *(volatile uint16_t *) mem = (uint16_t) value;
  else
    *(volatile uint32_t *) mem = value;
  return true;
}

static uint32_t
gas_read (const uint8_t *gas)
{
  uint64_t addr = get64 (gas + 4);
  unsigned bytes = gas_bytes (gas);
  volatile void *mem;

  if (gas[0] == GAS_IO && addr <= 0xffff)
    return bytes == 1   ? inb ((uint16_t) addr)
           : bytes == 2 ? inw ((uint16_t) addr)
                        : inl ((uint16_t) addr);
  if (gas[0] != GAS_MEMORY || !(mem = phys_map (addr, bytes, true)))
    return 0;
  return bytes == 1   ? *(volatile uint8_t *) mem
         : bytes == 2 ? *(volatile uint16_t *) mem
                      : *(volatile uint32_t *) mem;
}

/* As the spec orders it: SLP_TYP first, then SLP_EN, keeping the other bits (SCI_EN). */
static void
pm1_sleep (const uint8_t *gas, unsigned slp_typ)
{
  uint32_t value = (gas_read (gas) & ~(PM1_SLP_TYP | PM1_SLP_EN)) | ((slp_typ & 7) << 10);

  gas_write (gas, value);
  gas_write (gas, value | PM1_SLP_EN);
}

static uint64_t
rdtsc (void)
{
  uint32_t lo, hi;

  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return lo | ((uint64_t) hi << 32);
}

/* VMMs may act on a power-off or reset request a little later, from another thread (QEMU
 * does): give them about a second (2^31 TSC cycles) before calling it a failure. */
static void
settle (void)
{
  uint64_t start = rdtsc ();

  while (rdtsc () - start < (1ull << 31))
    __asm__ volatile("pause");
}

void
acpi_poweroff (void)
{
  AcpiStatus status;
  const uint8_t *fadt = fadt_get (&status);
  const uint8_t *sleep_ctl;
  uint8_t pm1a[GAS_SIZE], pm1b[GAS_SIZE];
  unsigned slp_typa, slp_typb;

  if (!fadt || acpi_s5 (&slp_typa, &slp_typb) != ACPI_OK)
    return;
  sleep_ctl = fadt_gas (fadt, FADT_SLEEP_CONTROL);
  if (fadt_hw_reduced (fadt) && sleep_ctl)
    gas_write (sleep_ctl, ((slp_typa & 7) << 2) | SLEEP_CTL_EN);
  else if (fadt_pm1_cnt (fadt, FADT_X_PM1A_CNT_BLK, FADT_PM1A_CNT_BLK, pm1a))
    {
      pm1_sleep (pm1a, slp_typa);
      if (fadt_pm1_cnt (fadt, FADT_X_PM1B_CNT_BLK, FADT_PM1B_CNT_BLK, pm1b))
        pm1_sleep (pm1b, slp_typb);
    }
  settle ();
}

void
acpi_reset (void)
{
  AcpiStatus status;
  const uint8_t *fadt = fadt_get (&status);
  const uint8_t *reset_reg = fadt ? fadt_gas (fadt, FADT_RESET_REG) : NULL;

  if (reset_reg && (get32 (fadt + FADT_FLAGS) & FADT_RESET_REG_SUP))
    {
      gas_write (reset_reg, fadt[FADT_RESET_VALUE]);
      settle ();
    }
  /* The keyboard controller's reset line: wait for its input buffer, then pulse. */
  for (unsigned i = 0; i < 100000 && (inb (I8042_STATUS) & 0x02); i++)
    ;
  outb (I8042_STATUS, I8042_RESET);
  settle ();
}
