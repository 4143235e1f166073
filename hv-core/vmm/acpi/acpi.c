/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "acpi.h"

#include <glib.h>
#include <string.h>

#define ACPI_OEM_ID       "HANGAR"
#define ACPI_OEM_TABLE_ID "HANGARVM"
#define ACPI_CREATOR_ID   "HNGR"

#define ACPI_GAS_SYSTEM_IO    1
#define ACPI_GAS_ACCESS_BYTE  1
#define ACPI_GAS_ACCESS_WORD  2
#define ACPI_GAS_ACCESS_DWORD 3

/* FADT flags */
#define FADT_WBINVD        (1u << 0)
#define FADT_PROC_C1       (1u << 2)
#define FADT_SLP_BUTTON    (1u << 5) /* no fixed-feature sleep button */
#define FADT_TMR_VAL_EXT   (1u << 8) /* 32-bit PM timer */
#define FADT_RESET_REG_SUP (1u << 10)
/* IA-PC boot architecture flags */
#define FADT_LEGACY_DEVICES  (1u << 0)
#define FADT_8042            (1u << 1)
#define FADT_VGA_NOT_PRESENT (1u << 2)

#define MADT_PCAT_COMPAT     1u
#define MADT_LAPIC           0
#define MADT_IOAPIC          1
#define MADT_ISO             2
#define MADT_LAPIC_NMI       4
#define MADT_ISO_ACTIVE_HIGH 0x1
#define MADT_ISO_LEVEL       0xc

typedef struct __attribute__ ((packed))
{
  char signature[4];
  uint32_t length;
  uint8_t revision;
  uint8_t checksum;
  char oem_id[6];
  char oem_table_id[8];
  uint32_t oem_revision;
  char creator_id[4];
  uint32_t creator_revision;
} AcpiHeader;

typedef struct __attribute__ ((packed))
{
  char signature[8];
  uint8_t checksum;
  char oem_id[6];
  uint8_t revision;
  uint32_t rsdt_address;
  uint32_t length;
  uint64_t xsdt_address;
  uint8_t extended_checksum;
  uint8_t reserved[3];
} AcpiRsdp;

typedef struct __attribute__ ((packed))
{
  uint8_t space_id;
  uint8_t bit_width;
  uint8_t bit_offset;
  uint8_t access_size;
  uint64_t address;
} AcpiGas;

typedef struct __attribute__ ((packed))
{
  AcpiHeader header;
  uint32_t firmware_ctrl;
  uint32_t dsdt;
  uint8_t reserved0;
  uint8_t preferred_pm_profile;
  uint16_t sci_int;
  uint32_t smi_cmd;
  uint8_t acpi_enable;
  uint8_t acpi_disable;
  uint8_t s4bios_req;
  uint8_t pstate_cnt;
  uint32_t pm1a_evt_blk;
  uint32_t pm1b_evt_blk;
  uint32_t pm1a_cnt_blk;
  uint32_t pm1b_cnt_blk;
  uint32_t pm2_cnt_blk;
  uint32_t pm_tmr_blk;
  uint32_t gpe0_blk;
  uint32_t gpe1_blk;
  uint8_t pm1_evt_len;
  uint8_t pm1_cnt_len;
  uint8_t pm2_cnt_len;
  uint8_t pm_tmr_len;
  uint8_t gpe0_blk_len;
  uint8_t gpe1_blk_len;
  uint8_t gpe1_base;
  uint8_t cst_cnt;
  uint16_t p_lvl2_lat;
  uint16_t p_lvl3_lat;
  uint16_t flush_size;
  uint16_t flush_stride;
  uint8_t duty_offset;
  uint8_t duty_width;
  uint8_t day_alrm;
  uint8_t mon_alrm;
  uint8_t century;
  uint16_t iapc_boot_arch;
  uint8_t reserved1;
  uint32_t flags;
  AcpiGas reset_reg;
  uint8_t reset_value;
  uint16_t arm_boot_arch;
  uint8_t minor_version;
  uint64_t x_firmware_ctrl;
  uint64_t x_dsdt;
  AcpiGas x_pm1a_evt_blk;
  AcpiGas x_pm1b_evt_blk;
  AcpiGas x_pm1a_cnt_blk;
  AcpiGas x_pm1b_cnt_blk;
  AcpiGas x_pm2_cnt_blk;
  AcpiGas x_pm_tmr_blk;
  AcpiGas x_gpe0_blk;
  AcpiGas x_gpe1_blk;
  AcpiGas sleep_control_reg;
  AcpiGas sleep_status_reg;
  uint64_t hypervisor_vendor_id;
} AcpiFadt;

G_STATIC_ASSERT (sizeof (AcpiHeader) == ACPI_HEADER_SIZE);
G_STATIC_ASSERT (sizeof (AcpiRsdp) == 36);
G_STATIC_ASSERT (sizeof (AcpiFadt) == 276);

typedef struct __attribute__ ((packed))
{
  char signature[4];
  uint32_t length;
  uint32_t hardware_signature;
  uint32_t firmware_waking_vector;
  uint32_t global_lock;
  uint32_t flags;
  uint64_t x_firmware_waking_vector;
  uint8_t version;
  uint8_t reserved[31];
} AcpiFacs;

G_STATIC_ASSERT (sizeof (AcpiFacs) == 64);

typedef struct __attribute__ ((packed))
{
  uint8_t type;
  uint8_t length;
  uint8_t processor_uid;
  uint8_t apic_id;
  uint32_t flags;
} MadtLapic;

typedef struct __attribute__ ((packed))
{
  uint8_t type;
  uint8_t length;
  uint8_t ioapic_id;
  uint8_t reserved;
  uint32_t address;
  uint32_t gsi_base;
} MadtIoapic;

typedef struct __attribute__ ((packed))
{
  uint8_t type;
  uint8_t length;
  uint8_t bus;
  uint8_t source;
  uint32_t gsi;
  uint16_t flags;
} MadtIso;

typedef struct __attribute__ ((packed))
{
  uint8_t type;
  uint8_t length;
  uint8_t processor_uid;
  uint16_t flags;
  uint8_t lint;
} MadtLapicNmi;

/* Hands out aligned pieces of the output buffer with their guest address. */
typedef struct
{
  uint8_t *buf;
  size_t size;
  size_t used;
  uint64_t base;
  gboolean overflow;
} AcpiBuilder;

static void *
acpi_alloc (AcpiBuilder *b, size_t len, size_t align, uint64_t *gpa)
{
  size_t start = (b->used + align - 1) & ~(align - 1);

  if (b->overflow || start > b->size || len > b->size - start)
    {
      b->overflow = TRUE;
      *gpa = 0;
      return NULL;
    }
  b->used = start + len;
  *gpa = b->base + start;
  memset (b->buf + start, 0, len);
  return b->buf + start;
}

uint8_t
acpi_checksum (const uint8_t *data, size_t len)
{
  uint8_t sum = 0;

  for (size_t i = 0; i < len; i++)
    sum += data[i];
  return (uint8_t) -sum;
}

static void
acpi_header_init (AcpiHeader *h, const char *signature, uint32_t length, uint8_t revision)
{
  memcpy (h->signature, signature, 4);
  h->length = length;
  h->revision = revision;
  memcpy (h->oem_id, ACPI_OEM_ID, 6);
  memcpy (h->oem_table_id, ACPI_OEM_TABLE_ID, 8);
  h->oem_revision = 1;
  memcpy (h->creator_id, ACPI_CREATOR_ID, 4);
  h->creator_revision = 1;
}

/* The last step for every table: its whole length must sum to zero. */
static void
acpi_header_finish (AcpiHeader *h)
{
  h->checksum = 0;
  h->checksum = acpi_checksum ((const uint8_t *) h, h->length);
}

static AcpiGas
acpi_gas_io (uint16_t port, uint8_t bits, uint8_t access)
{
  return (AcpiGas){ ACPI_GAS_SYSTEM_IO, bits, 0, access, port };
}

static void
acpi_fill_fadt_blocks (AcpiFadt *f)
{
  f->sci_int = ACPI_SCI_IRQ;
  f->pm1a_evt_blk = ACPI_PM1A_EVT_PORT;
  f->pm1a_cnt_blk = ACPI_PM1A_CNT_PORT;
  f->pm_tmr_blk = ACPI_PM_TMR_PORT;
  f->gpe0_blk = ACPI_GPE0_PORT;
  f->pm1_evt_len = 4;
  f->pm1_cnt_len = 2;
  f->pm_tmr_len = 4;
  f->gpe0_blk_len = 4;
  f->x_pm1a_evt_blk = acpi_gas_io (ACPI_PM1A_EVT_PORT, 32, ACPI_GAS_ACCESS_WORD);
  f->x_pm1a_cnt_blk = acpi_gas_io (ACPI_PM1A_CNT_PORT, 16, ACPI_GAS_ACCESS_WORD);
  f->x_pm_tmr_blk = acpi_gas_io (ACPI_PM_TMR_PORT, 32, ACPI_GAS_ACCESS_DWORD);
  f->x_gpe0_blk = acpi_gas_io (ACPI_GPE0_PORT, 32, ACPI_GAS_ACCESS_BYTE);
  f->reset_reg = acpi_gas_io (ACPI_RESET_PORT, 8, ACPI_GAS_ACCESS_BYTE);
  f->reset_value = ACPI_RESET_VALUE;
}

static void
acpi_build_fadt (AcpiFadt *f, uint64_t dsdt, uint64_t facs)
{
  acpi_header_init (&f->header, "FACP", sizeof *f, 6);
  f->minor_version = 0;
  /* The 32-bit FACS pointer only: with X_FIRMWARE_CTRL set as well, the
   * specification wants this one zero, and guests list the FACS twice. */
  f->firmware_ctrl = facs;
  f->dsdt = dsdt;
  f->x_dsdt = dsdt;
  /* SMI_CMD 0: the machine is always in ACPI mode, SCI_EN reads as set. */
  f->smi_cmd = 0;
  f->p_lvl2_lat = 101;  /* > 100: C2 not supported */
  f->p_lvl3_lat = 1001; /* > 1000: C3 not supported */
  f->century = 0x32;
  f->iapc_boot_arch = FADT_LEGACY_DEVICES | FADT_8042 | FADT_VGA_NOT_PRESENT;
  f->flags = FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON | FADT_TMR_VAL_EXT | FADT_RESET_REG_SUP;
  acpi_fill_fadt_blocks (f);
  acpi_header_finish (&f->header);
}

static size_t
acpi_madt_size (unsigned n_cpus)
{
  return ACPI_HEADER_SIZE + 8 + n_cpus * sizeof (MadtLapic) + sizeof (MadtIoapic) +
         2 * sizeof (MadtIso) + sizeof (MadtLapicNmi);
}

static uint8_t *
acpi_madt_add_overrides (uint8_t *p)
{
  /* The PIT's IRQ 0 arrives on IOAPIC pin 2, as on every PC. */
  MadtIso timer = { MADT_ISO, sizeof timer, 0, 0, 2, 0 };
  MadtIso sci = { MADT_ISO,     sizeof sci,   0,
                  ACPI_SCI_IRQ, ACPI_SCI_IRQ, MADT_ISO_ACTIVE_HIGH | MADT_ISO_LEVEL };
  /* LINT1 of every CPU is wired to NMI. */
  MadtLapicNmi nmi = { MADT_LAPIC_NMI, sizeof nmi, 0xff, 0, 1 };

  memcpy (p, &timer, sizeof timer);
  p += sizeof timer;
  memcpy (p, &sci, sizeof sci);
  p += sizeof sci;
  memcpy (p, &nmi, sizeof nmi);
  return p + sizeof nmi;
}

static void
acpi_build_madt (uint8_t *t, unsigned n_cpus)
{
  uint32_t lapic_addr = ACPI_LAPIC_ADDR;
  uint32_t flags = MADT_PCAT_COMPAT;
  MadtIoapic ioapic = { MADT_IOAPIC, sizeof ioapic, 0, 0, ACPI_IOAPIC_ADDR, 0 };
  uint8_t *p = t + ACPI_HEADER_SIZE;

  acpi_header_init ((AcpiHeader *) t, "APIC", acpi_madt_size (n_cpus), 5);
  memcpy (p, &lapic_addr, 4);
  memcpy (p + 4, &flags, 4);
  p += 8;
  for (unsigned i = 0; i < n_cpus; i++)
    {
      /* APIC id = processor uid = vCPU index; all enabled. */
      MadtLapic lapic = { MADT_LAPIC, sizeof lapic, i, i, 1 };

      memcpy (p, &lapic, sizeof lapic);
      p += sizeof lapic;
    }
  memcpy (p, &ioapic, sizeof ioapic);
  p = acpi_madt_add_overrides (p + sizeof ioapic);
  g_assert ((size_t) (p - t) == acpi_madt_size (n_cpus));
  acpi_header_finish ((AcpiHeader *) t);
}

static void
acpi_build_facs (AcpiFacs *facs)
{
  memcpy (facs->signature, "FACS", 4);
  facs->length = sizeof *facs;
  facs->version = 2;
}

/* An RSDT or XSDT listing ADDRS, ENTRY_SIZE bytes each. */
static void
acpi_build_sdt (uint8_t *t, const char *sig, const uint64_t *addrs, unsigned n, size_t entry_size)
{
  acpi_header_init ((AcpiHeader *) t, sig, ACPI_HEADER_SIZE + n * entry_size, 1);
  for (unsigned i = 0; i < n; i++)
    memcpy (t + ACPI_HEADER_SIZE + i * entry_size, &addrs[i], entry_size);
  acpi_header_finish ((AcpiHeader *) t);
}

static void
acpi_build_rsdp (AcpiRsdp *r, uint64_t rsdt, uint64_t xsdt)
{
  memcpy (r->signature, "RSD PTR ", 8);
  memcpy (r->oem_id, ACPI_OEM_ID, 6);
  r->revision = 2;
  r->rsdt_address = rsdt;
  r->length = sizeof *r;
  r->xsdt_address = xsdt;
  /* The first checksum covers the ACPI 1.0 part, the second all of it. */
  r->checksum = acpi_checksum ((const uint8_t *) r, 20);
  r->extended_checksum = acpi_checksum ((const uint8_t *) r, sizeof *r);
}

size_t
acpi_build_tables (uint8_t *buf, size_t size, uint64_t base, unsigned n_cpus)
{
  AcpiBuilder b = { buf, size, 0, base, FALSE };
  size_t dsdt_len;
  const uint8_t *dsdt_aml = acpi_dsdt_get (&dsdt_len);
  uint64_t rsdp_gpa, rsdt_gpa, xsdt_gpa, fadt_gpa, facs_gpa, madt_gpa, dsdt_gpa;
  AcpiRsdp *rsdp = acpi_alloc (&b, sizeof *rsdp, 16, &rsdp_gpa);
  uint8_t *rsdt = acpi_alloc (&b, ACPI_HEADER_SIZE + 2 * 4, 8, &rsdt_gpa);
  uint8_t *xsdt = acpi_alloc (&b, ACPI_HEADER_SIZE + 2 * 8, 8, &xsdt_gpa);
  AcpiFadt *fadt = acpi_alloc (&b, sizeof *fadt, 8, &fadt_gpa);
  AcpiFacs *facs = acpi_alloc (&b, sizeof *facs, 64, &facs_gpa);
  uint8_t *madt = acpi_alloc (&b, acpi_madt_size (n_cpus), 8, &madt_gpa);
  uint8_t *dsdt = acpi_alloc (&b, dsdt_len, 8, &dsdt_gpa);
  uint64_t tables[2];

  if (b.overflow || (base & 15) != 0 || base + b.used > G_MAXUINT32)
    return 0;
  tables[0] = fadt_gpa;
  tables[1] = madt_gpa;
  memcpy (dsdt, dsdt_aml, dsdt_len);
  acpi_build_facs (facs);
  acpi_build_fadt (fadt, dsdt_gpa, facs_gpa);
  acpi_build_madt (madt, n_cpus);
  acpi_build_sdt (rsdt, "RSDT", tables, 2, 4);
  acpi_build_sdt (xsdt, "XSDT", tables, 2, 8);
  acpi_build_rsdp (rsdp, rsdt_gpa, xsdt_gpa);
  return b.used;
}
