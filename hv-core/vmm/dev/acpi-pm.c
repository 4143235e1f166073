/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "acpi-pm.h"

#include <glib.h>
#include <stdbool.h>
#include <time.h>

#include "acpi/acpi.h"

#define PM1_STS_OFF  (ACPI_PM1A_EVT_PORT - ACPI_PM_BASE)
#define PM1_EN_OFF   (PM1_STS_OFF + 2)
#define PM1_CNT_OFF  (ACPI_PM1A_CNT_PORT - ACPI_PM_BASE)
#define PM_TMR_OFF   (ACPI_PM_TMR_PORT - ACPI_PM_BASE)
#define GPE0_STS_OFF (ACPI_GPE0_PORT - ACPI_PM_BASE)
#define GPE0_EN_OFF  (GPE0_STS_OFF + 2)
#define RESET_OFF    (ACPI_RESET_PORT - ACPI_PM_BASE)

#define PM1_CNT_SCI_EN        0x0001
#define PM1_CNT_SLP_TYP_SHIFT 10
#define PM1_CNT_SLP_TYP       (7u << PM1_CNT_SLP_TYP_SHIFT)
#define PM1_CNT_SLP_EN        0x2000 /* write-only */
#define PM1_STS_WAK           0x8000

#define PM_TIMER_HZ 3579545ull

struct acpi_pm
{
  GMutex lock;
  IrqLine irq;
  int sci_level;
  AcpiPmRequestFunc request;
  void *request_data;
  AcpiPmClockFunc clock;
  void *clock_data;
  uint16_t pm1_sts, pm1_en, pm1_cnt;
  uint16_t gpe0_sts, gpe0_en;
};

static int64_t
acpi_pm_host_clock (void *user_data)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

static void
acpi_pm_reset_locked (AcpiPm *pm)
{
  pm->pm1_sts = 0;
  pm->pm1_en = 0;
  /* Always in ACPI mode: there is no SMI handler to switch to it. */
  pm->pm1_cnt = PM1_CNT_SCI_EN;
  pm->gpe0_sts = 0;
  pm->gpe0_en = 0;
}

AcpiPm *
acpi_pm_new (IrqLine irq, AcpiPmRequestFunc request, void *request_data, AcpiPmClockFunc clock,
             void *clock_data)
{
  AcpiPm *pm = g_new0 (AcpiPm, 1);

  g_mutex_init (&pm->lock);
  pm->irq = irq;
  pm->request = request;
  pm->request_data = request_data;
  pm->clock = clock != NULL ? clock : acpi_pm_host_clock;
  pm->clock_data = clock_data;
  acpi_pm_reset_locked (pm);
  return pm;
}

void
acpi_pm_free (AcpiPm *pm)
{
  if (pm == NULL)
    return;
  g_mutex_clear (&pm->lock);
  g_free (pm);
}

/* The SCI is level-triggered: asserted while an enabled event is pending. */
static void
acpi_pm_update_sci_locked (AcpiPm *pm)
{
  int level = (pm->pm1_sts & pm->pm1_en) != 0 || (pm->gpe0_sts & pm->gpe0_en) != 0;

  if (level == pm->sci_level)
    return;
  pm->sci_level = level;
  pm->irq.set_level (pm->irq.opaque, ACPI_SCI_IRQ, level);
}

void
acpi_pm_reset (AcpiPm *pm)
{
  g_mutex_lock (&pm->lock);
  acpi_pm_reset_locked (pm);
  acpi_pm_update_sci_locked (pm);
  g_mutex_unlock (&pm->lock);
}

void
acpi_pm_power_button (AcpiPm *pm)
{
  g_mutex_lock (&pm->lock);
  pm->pm1_sts |= ACPI_PM1_PWRBTN_STS;
  acpi_pm_update_sci_locked (pm);
  g_mutex_unlock (&pm->lock);
}

static uint32_t
acpi_pm_timer_locked (AcpiPm *pm)
{
  uint64_t ns = pm->clock (pm->clock_data);

  /* Split to keep ns * 3579545 from overflowing 64 bits. */
  return (ns / 1000000000ull) * PM_TIMER_HZ + (ns % 1000000000ull) * PM_TIMER_HZ / 1000000000ull;
}

/* The block as bytes: guests may access the 16-bit registers bytewise. */
static uint8_t
acpi_pm_read_byte_locked (AcpiPm *pm, unsigned off)
{
  unsigned shift = (off & 1) * 8;

  switch (off & ~1u)
    {
      case PM1_STS_OFF:
        return pm->pm1_sts >> shift;
      case PM1_EN_OFF:
        return pm->pm1_en >> shift;
      case PM1_CNT_OFF:
        return (pm->pm1_cnt & ~PM1_CNT_SLP_EN) >> shift;
      case GPE0_STS_OFF:
        return pm->gpe0_sts >> shift;
      case GPE0_EN_OFF:
        return pm->gpe0_en >> shift;
      case PM_TMR_OFF:
      case PM_TMR_OFF + 2:
        return acpi_pm_timer_locked (pm) >> ((off - PM_TMR_OFF) * 8);
      default:
        return 0xff;
    }
}

static uint64_t
acpi_pm_io_read (void *opaque, uint64_t offset, unsigned size)
{
  AcpiPm *pm = opaque;
  uint64_t value = 0;

  g_mutex_lock (&pm->lock);
  for (unsigned i = 0; i < size; i++)
    value |= (uint64_t) acpi_pm_read_byte_locked (pm, offset + i) << (8 * i);
  g_mutex_unlock (&pm->lock);
  return value;
}

/* Merges the bytes of a write into a 16-bit register: MASK marks which. */
static void
acpi_pm_split16 (uint64_t offset, uint64_t value, unsigned size, unsigned reg, uint16_t *bits,
                 uint16_t *mask)
{
  *bits = 0;
  *mask = 0;
  for (unsigned i = 0; i < size; i++)
    {
      if (offset + i == reg || offset + i == reg + 1)
        {
          unsigned shift = (offset + i - reg) * 8;

          *bits |= ((value >> (8 * i)) & 0xff) << shift;
          *mask |= 0xff << shift;
        }
    }
}

/* Returns true when the write asks for soft-off (S5). */
static bool
acpi_pm_write_cnt_locked (AcpiPm *pm, uint16_t bits, uint16_t mask)
{
  uint16_t cnt = (pm->pm1_cnt & ~mask) | (bits & mask);
  unsigned slp_typ = (cnt & PM1_CNT_SLP_TYP) >> PM1_CNT_SLP_TYP_SHIFT;

  /* SCI_EN stays set; SLP_EN is an action, not state. */
  pm->pm1_cnt = (cnt & ~PM1_CNT_SLP_EN) | PM1_CNT_SCI_EN;
  return (cnt & PM1_CNT_SLP_EN) && slp_typ == ACPI_S5_SLP_TYP;
}

static void
acpi_pm_write_locked (AcpiPm *pm, uint64_t offset, uint64_t value, unsigned size)
{
  uint16_t bits, mask;

  /* Status bits are write-one-to-clear. */
  acpi_pm_split16 (offset, value, size, PM1_STS_OFF, &bits, &mask);
  pm->pm1_sts &= ~(bits & mask);
  acpi_pm_split16 (offset, value, size, PM1_EN_OFF, &bits, &mask);
  pm->pm1_en = (pm->pm1_en & ~mask) | (bits & mask);
  acpi_pm_split16 (offset, value, size, GPE0_STS_OFF, &bits, &mask);
  pm->gpe0_sts &= ~(bits & mask);
  acpi_pm_split16 (offset, value, size, GPE0_EN_OFF, &bits, &mask);
  pm->gpe0_en = (pm->gpe0_en & ~mask) | (bits & mask);
}

static void
acpi_pm_io_write (void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
  AcpiPm *pm = opaque;
  bool poweroff = false;
  bool reset = false;
  uint16_t bits, mask;

  g_mutex_lock (&pm->lock);
  acpi_pm_write_locked (pm, offset, value, size);
  acpi_pm_split16 (offset, value, size, PM1_CNT_OFF, &bits, &mask);
  if (mask != 0)
    poweroff = acpi_pm_write_cnt_locked (pm, bits, mask);
  reset = offset == RESET_OFF && (value & 0xff) == ACPI_RESET_VALUE;
  acpi_pm_update_sci_locked (pm);
  g_mutex_unlock (&pm->lock);

  /* Outside the lock: the handler stops every vCPU, this one included. */
  if (pm->request == NULL)
    return;
  if (poweroff)
    pm->request (ACPI_PM_REQUEST_POWEROFF, pm->request_data);
  else if (reset)
    pm->request (ACPI_PM_REQUEST_RESET, pm->request_data);
}

const IoOps acpi_pm_io_ops = {
  .read = acpi_pm_io_read,
  .write = acpi_pm_io_write,
};
