/* SPDX-License-Identifier: GPL-3.0-or-later */
#include <glib.h>

#include "dev/rtc.h"

/* 2024-02-29 21:45:56.5 UTC, a Thursday. */
static int64_t fake_now = G_GINT64_CONSTANT (1709243156500000);

static int64_t
fake_clock (void *user_data)
{
  return fake_now;
}

static uint8_t
rd (Rtc *rtc, uint8_t reg)
{
  rtc_io_ops.write (rtc, 0, reg, 1);
  return rtc_io_ops.read (rtc, 1, 1);
}

static void
wr (Rtc *rtc, uint8_t reg, uint8_t value)
{
  rtc_io_ops.write (rtc, 0, reg, 1);
  rtc_io_ops.write (rtc, 1, value, 1);
}

static void
test_bcd (void)
{
  Rtc *rtc = rtc_new (fake_clock, NULL);

  g_assert_cmphex (rd (rtc, RTC_REG_B) & RTC_B_DM, ==, 0); /* BCD by default */
  g_assert_cmphex (rd (rtc, RTC_SECONDS), ==, 0x56);
  g_assert_cmphex (rd (rtc, RTC_MINUTES), ==, 0x45);
  g_assert_cmphex (rd (rtc, RTC_HOURS), ==, 0x21);
  g_assert_cmphex (rd (rtc, RTC_DAY_OF_MONTH), ==, 0x29);
  g_assert_cmphex (rd (rtc, RTC_MONTH), ==, 0x02);
  g_assert_cmphex (rd (rtc, RTC_YEAR), ==, 0x24);
  g_assert_cmphex (rd (rtc, RTC_CENTURY), ==, 0x20);
  g_assert_cmphex (rd (rtc, RTC_DAY_OF_WEEK), ==, 5); /* Sunday = 1 */
  /* Bit 7 of the index masks NMI and is not part of the register number. */
  rtc_io_ops.write (rtc, 0, 0x80 | RTC_MINUTES, 1);
  g_assert_cmphex (rtc_io_ops.read (rtc, 1, 1), ==, 0x45);
  rtc_free (rtc);
}

static void
test_binary (void)
{
  Rtc *rtc = rtc_new (fake_clock, NULL);

  wr (rtc, RTC_REG_B, RTC_B_24H | RTC_B_DM);
  g_assert_cmpuint (rd (rtc, RTC_SECONDS), ==, 56);
  g_assert_cmpuint (rd (rtc, RTC_MINUTES), ==, 45);
  g_assert_cmpuint (rd (rtc, RTC_HOURS), ==, 21);
  g_assert_cmpuint (rd (rtc, RTC_YEAR), ==, 24);
  g_assert_cmpuint (rd (rtc, RTC_CENTURY), ==, 20);
  rtc_free (rtc);
}

static void
test_12_hour (void)
{
  Rtc *rtc = rtc_new (fake_clock, NULL);

  wr (rtc, RTC_REG_B, 0);
  g_assert_cmphex (rd (rtc, RTC_HOURS), ==, 0x80 | 0x09); /* 9 PM */
  wr (rtc, RTC_REG_B, RTC_B_DM);
  g_assert_cmphex (rd (rtc, RTC_HOURS), ==, 0x80 | 9);
  rtc_free (rtc);
}

static void
test_status_registers (void)
{
  Rtc *rtc = rtc_new (fake_clock, NULL);
  int64_t saved = fake_now;

  g_assert_cmphex (rd (rtc, RTC_REG_D), ==, RTC_D_VRT);
  g_assert_cmphex (rd (rtc, RTC_REG_A) & RTC_A_UIP, ==, 0);
  fake_now = saved - 500000 + 999900; /* in the last 244 us of the second */
  g_assert_cmphex (rd (rtc, RTC_REG_A) & RTC_A_UIP, ==, RTC_A_UIP);
  fake_now = saved;
  (void) rd (rtc, RTC_REG_C);
  g_assert_cmphex (rd (rtc, RTC_REG_C) & RTC_C_UF, ==, 0);
  fake_now = saved + 1000000; /* a second later an update has ended */
  g_assert_cmphex (rd (rtc, RTC_REG_C) & RTC_C_UF, ==, RTC_C_UF);
  g_assert_cmphex (rd (rtc, RTC_REG_C) & RTC_C_UF, ==, 0);
  fake_now = saved;
  rtc_free (rtc);
}

static void
test_set_time (void)
{
  Rtc *rtc = rtc_new (fake_clock, NULL);

  /* The guest sets 23:00:00 (BCD) while SET holds the clock. */
  wr (rtc, RTC_REG_B, RTC_B_24H | RTC_B_SET);
  g_assert_cmphex (rd (rtc, RTC_HOURS), ==, 0x21);
  wr (rtc, RTC_HOURS, 0x23);
  wr (rtc, RTC_MINUTES, 0x00);
  wr (rtc, RTC_SECONDS, 0x00);
  g_assert_cmphex (rd (rtc, RTC_HOURS), ==, 0x23);
  wr (rtc, RTC_REG_B, RTC_B_24H);
  g_assert_cmphex (rd (rtc, RTC_HOURS), ==, 0x23);
  g_assert_cmphex (rd (rtc, RTC_MINUTES), ==, 0x00);
  fake_now += 61 * G_USEC_PER_SEC;
  g_assert_cmphex (rd (rtc, RTC_MINUTES), ==, 0x01);
  g_assert_cmphex (rd (rtc, RTC_SECONDS), ==, 0x01);
  fake_now -= 61 * G_USEC_PER_SEC;
  /* Without SET, writes to the time do nothing. */
  wr (rtc, RTC_HOURS, 0x05);
  g_assert_cmphex (rd (rtc, RTC_HOURS), ==, 0x23);
  rtc_free (rtc);
}

static void
test_nvram (void)
{
  Rtc *rtc = rtc_new (fake_clock, NULL);

  wr (rtc, 0x40, 0xab);
  g_assert_cmphex (rd (rtc, 0x40), ==, 0xab);
  rtc_reset (rtc);
  g_assert_cmphex (rd (rtc, 0x40), ==, 0xab); /* battery-backed */
  rtc_free (rtc);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/hv-core/rtc/bcd", test_bcd);
  g_test_add_func ("/hv-core/rtc/binary", test_binary);
  g_test_add_func ("/hv-core/rtc/12-hour", test_12_hour);
  g_test_add_func ("/hv-core/rtc/status-registers", test_status_registers);
  g_test_add_func ("/hv-core/rtc/set-time", test_set_time);
  g_test_add_func ("/hv-core/rtc/nvram", test_nvram);
  return g_test_run ();
}
