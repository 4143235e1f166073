/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>

#include "acpi/acpi.h"
#include "dev/acpi-pm.h"

typedef struct
{
  AcpiPm *pm;
  int sci;
  int poweroffs;
  int resets;
  int64_t now_ns;
} Fixture;

static void
record_irq (void *opaque, unsigned irq, int level)
{
  Fixture *f = opaque;

  g_assert_cmpuint (irq, ==, ACPI_SCI_IRQ);
  f->sci = level;
}

static void
record_request (AcpiPmRequest request, void *user_data)
{
  Fixture *f = user_data;

  if (request == ACPI_PM_REQUEST_POWEROFF)
    f->poweroffs++;
  else
    f->resets++;
}

static int64_t
fake_clock (void *user_data)
{
  Fixture *f = user_data;

  return f->now_ns;
}

static void
setup (Fixture *f, gconstpointer data)
{
  f->pm = acpi_pm_new ((IrqLine){ record_irq, f }, record_request, f, fake_clock, f);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  acpi_pm_free (f->pm);
}

static uint64_t
rd (Fixture *f, unsigned port, unsigned size)
{
  return acpi_pm_io_ops.read (f->pm, port - ACPI_PM_BASE, size);
}

static void
wr (Fixture *f, unsigned port, uint64_t value, unsigned size)
{
  acpi_pm_io_ops.write (f->pm, port - ACPI_PM_BASE, value, size);
}

static void
test_s5 (Fixture *f, gconstpointer data)
{
  g_assert_cmphex (rd (f, ACPI_PM1A_CNT_PORT, 2) & 1, ==, 1); /* SCI_EN */
  /* SLP_TYP without SLP_EN, or another sleep type, does nothing. */
  wr (f, ACPI_PM1A_CNT_PORT, ACPI_S5_SLP_TYP << 10, 2);
  wr (f, ACPI_PM1A_CNT_PORT, (1 << 10) | (1 << 13), 2);
  g_assert_cmpint (f->poweroffs, ==, 0);
  wr (f, ACPI_PM1A_CNT_PORT, (ACPI_S5_SLP_TYP << 10) | (1 << 13), 2);
  g_assert_cmpint (f->poweroffs, ==, 1);
  g_assert_cmpint (f->resets, ==, 0);
  /* SLP_EN reads back as zero. */
  g_assert_cmphex (rd (f, ACPI_PM1A_CNT_PORT, 2) & (1 << 13), ==, 0);
}

static void
test_s5_bytewise (Fixture *f, gconstpointer data)
{
  uint16_t v = (ACPI_S5_SLP_TYP << 10) | (1 << 13);

  wr (f, ACPI_PM1A_CNT_PORT, v & 0xff, 1);
  g_assert_cmpint (f->poweroffs, ==, 0);
  wr (f, ACPI_PM1A_CNT_PORT + 1, v >> 8, 1);
  g_assert_cmpint (f->poweroffs, ==, 1);
}

static void
test_reset_register (Fixture *f, gconstpointer data)
{
  wr (f, ACPI_RESET_PORT, 0x02, 1);
  g_assert_cmpint (f->resets, ==, 0);
  wr (f, ACPI_RESET_PORT, ACPI_RESET_VALUE, 1);
  g_assert_cmpint (f->resets, ==, 1);
}

static void
test_power_button (Fixture *f, gconstpointer data)
{
  /* Pressed while disabled: status set, no interrupt. */
  acpi_pm_power_button (f->pm);
  g_assert_cmphex (rd (f, ACPI_PM1A_EVT_PORT, 2), ==, ACPI_PM1_PWRBTN_STS);
  g_assert_cmpint (f->sci, ==, 0);
  /* Enabling it raises the SCI; writing the status bit back clears it. */
  wr (f, ACPI_PM1A_EVT_PORT + 2, ACPI_PM1_PWRBTN_EN, 2);
  g_assert_cmpint (f->sci, ==, 1);
  wr (f, ACPI_PM1A_EVT_PORT, ACPI_PM1_PWRBTN_STS, 2);
  g_assert_cmpint (f->sci, ==, 0);
  g_assert_cmphex (rd (f, ACPI_PM1A_EVT_PORT, 2), ==, 0);
  acpi_pm_power_button (f->pm);
  g_assert_cmpint (f->sci, ==, 1);
  /* A 32-bit access covers status and enable at once. */
  g_assert_cmphex (rd (f, ACPI_PM1A_EVT_PORT, 4), ==,
                   ACPI_PM1_PWRBTN_EN << 16 | ACPI_PM1_PWRBTN_STS);
  acpi_pm_reset (f->pm);
  g_assert_cmpint (f->sci, ==, 0);
}

static void
test_timer (Fixture *f, gconstpointer data)
{
  uint32_t t0, t1;

  f->now_ns = 5 * G_GINT64_CONSTANT (1000000000);
  t0 = rd (f, ACPI_PM_TMR_PORT, 4);
  g_assert_cmpuint (t0, ==, 5 * 3579545u);
  f->now_ns += 1000000; /* 1 ms */
  t1 = rd (f, ACPI_PM_TMR_PORT, 4);
  g_assert_cmpuint (t1 - t0, ==, 3579);
  /* Writes do not move it. */
  wr (f, ACPI_PM_TMR_PORT, 0, 4);
  g_assert_cmpuint (rd (f, ACPI_PM_TMR_PORT, 4), ==, t1);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, setup, fn, teardown)
  ADD ("/hv-core/acpi-pm/s5", test_s5);
  ADD ("/hv-core/acpi-pm/s5-bytewise", test_s5_bytewise);
  ADD ("/hv-core/acpi-pm/reset-register", test_reset_register);
  ADD ("/hv-core/acpi-pm/power-button", test_power_button);
  ADD ("/hv-core/acpi-pm/timer", test_timer);
  return g_test_run ();
}
