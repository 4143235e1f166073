/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The CMOS real-time clock (MC146818), read as a driver must: outside update cycles,
 * twice until two reads agree, honouring register B's binary/BCD and 12/24 hour bits. */
#include "guest.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71

#define RTC_SECONDS 0x00
#define RTC_MINUTES 0x02
#define RTC_HOURS   0x04
#define RTC_DAY     0x07
#define RTC_MONTH   0x08
#define RTC_YEAR    0x09
#define RTC_REG_A   0x0a
#define RTC_REG_B   0x0b

#define REG_A_UIP    0x80
#define REG_B_24H    0x02
#define REG_B_BINARY 0x04
#define HOUR_PM      0x80

static uint8_t
cmos_read (uint8_t reg)
{
  outb (CMOS_INDEX, reg);
  return inb (CMOS_DATA);
}

/* An update cycle lasts under 2 ms; a clock stuck in one is a failure, not a hang. A
 * missing RTC reads 0xff everywhere, UIP included: say so rather than time out. */
static const char *
wait_no_update (void)
{
  if (cmos_read (RTC_REG_A) == 0xff && cmos_read (RTC_REG_B) == 0xff)
    return "no RTC (CMOS reads 0xff)";
  for (unsigned i = 0; i < 200000; i++)
    if (!(cmos_read (RTC_REG_A) & REG_A_UIP))
      return NULL;
  return "update-in-progress never clears";
}

static unsigned
from_bcd (uint8_t v, bool binary)
{
  return binary ? v : (v >> 4) * 10u + (v & 0x0f);
}

static const char *
read_raw (uint8_t raw[7], unsigned century_index)
{
  const char *error = wait_no_update ();

  if (error)
    return error;
  raw[0] = cmos_read (RTC_SECONDS);
  raw[1] = cmos_read (RTC_MINUTES);
  raw[2] = cmos_read (RTC_HOURS);
  raw[3] = cmos_read (RTC_DAY);
  raw[4] = cmos_read (RTC_MONTH);
  raw[5] = cmos_read (RTC_YEAR);
  raw[6] = century_index ? cmos_read ((uint8_t) century_index) : 0;
  return NULL;
}

const char *
rtc_read (RtcTime *t)
{
  unsigned century_index = acpi_rtc_century_index ();
  uint8_t a[7], b[7], reg_b;
  bool binary, pm;
  const char *error;

  for (unsigned tries = 0;; tries++)
    {
      if (tries == 10)
        return "the clock never reads the same twice";
      if ((error = read_raw (a, century_index)) || (error = read_raw (b, century_index)))
        return error;
      if (memcmp (a, b, sizeof a) == 0)
        break;
    }

  reg_b = cmos_read (RTC_REG_B);
  binary = reg_b & REG_B_BINARY;
  pm = !(reg_b & REG_B_24H) && (a[2] & HOUR_PM);
  t->second = from_bcd (a[0], binary);
  t->minute = from_bcd (a[1], binary);
  t->hour = from_bcd (a[2] & (uint8_t) ~HOUR_PM, binary);
  if (!(reg_b & REG_B_24H))
    t->hour = t->hour % 12 + (pm ? 12 : 0);
  t->day = from_bcd (a[3], binary);
  t->month = from_bcd (a[4], binary);
  t->year = (century_index ? from_bcd (a[6], binary) : 20) * 100 + from_bcd (a[5], binary);
  if (t->second >= 60 || t->minute >= 60 || t->hour >= 24 || t->day < 1 || t->day > 31 ||
      t->month < 1 || t->month > 12)
    return "impossible date or time";
  return NULL;
}

const char *
rtc_read_seconds (unsigned *second)
{
  const char *error = wait_no_update ();
  uint8_t s;

  if (error)
    return error;
  s = cmos_read (RTC_SECONDS);
  *second = from_bcd (s, cmos_read (RTC_REG_B) & REG_B_BINARY);
  return *second < 60 ? NULL : "impossible seconds";
}
