/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "rtc.h"

#include <glib.h>
#include <string.h>

#define RTC_CMOS_SIZE     128
#define RTC_REG_A_DEFAULT 0x26 /* 32.768 kHz time base, 1024 Hz rate */
#define RTC_HOUR_PM       0x80
/* The update cycle takes this long at the end of every second. */
#define RTC_UPDATE_USEC 244

struct rtc
{
  GMutex lock;
  RtcClockFunc clock;
  void *clock_data;
  uint8_t index;
  uint8_t cmos[RTC_CMOS_SIZE];
  /* Guest time minus host time, in seconds, after the guest set the clock. */
  int64_t offset;
  int64_t last_update_sec; /* the second register C last reported */
};

static int64_t
rtc_host_clock (void *user_data)
{
  return g_get_real_time ();
}

static void
rtc_reset_locked (Rtc *rtc)
{
  rtc->index = 0;
  rtc->cmos[RTC_REG_A] = RTC_REG_A_DEFAULT;
  rtc->cmos[RTC_REG_B] = RTC_B_24H;
  rtc->cmos[RTC_REG_C] = 0;
  rtc->cmos[RTC_REG_D] = RTC_D_VRT;
}

Rtc *
rtc_new (RtcClockFunc clock, void *clock_data)
{
  Rtc *rtc = g_new0 (Rtc, 1);

  g_mutex_init (&rtc->lock);
  rtc->clock = clock != NULL ? clock : rtc_host_clock;
  rtc->clock_data = clock_data;
  rtc_reset_locked (rtc);
  rtc->last_update_sec = rtc->clock (rtc->clock_data) / G_USEC_PER_SEC;
  return rtc;
}

void
rtc_free (Rtc *rtc)
{
  if (rtc == NULL)
    return;
  g_mutex_clear (&rtc->lock);
  g_free (rtc);
}

void
rtc_reset (Rtc *rtc)
{
  /* A reset leaves the time and the RAM alone, as the battery would. */
  g_mutex_lock (&rtc->lock);
  rtc_reset_locked (rtc);
  g_mutex_unlock (&rtc->lock);
}

static uint8_t
rtc_to_bcd (unsigned v)
{
  return ((v / 10) << 4) | (v % 10);
}

static unsigned
rtc_from_bcd (uint8_t v)
{
  return (v >> 4) * 10 + (v & 0x0f);
}

static uint8_t
rtc_encode (const Rtc *rtc, unsigned v)
{
  return (rtc->cmos[RTC_REG_B] & RTC_B_DM) ? v : rtc_to_bcd (v);
}

static unsigned
rtc_decode (const Rtc *rtc, uint8_t v)
{
  return (rtc->cmos[RTC_REG_B] & RTC_B_DM) ? v : rtc_from_bcd (v);
}

static uint8_t
rtc_encode_hour (const Rtc *rtc, unsigned hour)
{
  unsigned h12;

  if (rtc->cmos[RTC_REG_B] & RTC_B_24H)
    return rtc_encode (rtc, hour);
  /* 12-hour form: 12, 1 .. 11, with bit 7 for PM. */
  h12 = hour % 12 == 0 ? 12 : hour % 12;
  return rtc_encode (rtc, h12) | (hour >= 12 ? RTC_HOUR_PM : 0);
}

static unsigned
rtc_decode_hour (const Rtc *rtc, uint8_t v)
{
  unsigned h;

  if (rtc->cmos[RTC_REG_B] & RTC_B_24H)
    return rtc_decode (rtc, v);
  h = rtc_decode (rtc, v & ~RTC_HOUR_PM) % 12;
  return (v & RTC_HOUR_PM) ? h + 12 : h;
}

static GDateTime *
rtc_now_locked (Rtc *rtc, int64_t *usec_out)
{
  int64_t usec = rtc->clock (rtc->clock_data);

  *usec_out = usec;
  return g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC + rtc->offset);
}

/* Time registers are computed at each read; with SET the guest is
 * changing them and sees what it wrote. */
static uint8_t
rtc_read_time_locked (Rtc *rtc, uint8_t reg)
{
  int64_t usec;
  g_autoptr (GDateTime) now = NULL;

  if (rtc->cmos[RTC_REG_B] & RTC_B_SET)
    return rtc->cmos[reg];
  now = rtc_now_locked (rtc, &usec);
  if (now == NULL)
    return 0;
  switch (reg)
    {
      case RTC_SECONDS:
        return rtc_encode (rtc, g_date_time_get_second (now));
      case RTC_MINUTES:
        return rtc_encode (rtc, g_date_time_get_minute (now));
      case RTC_HOURS:
        return rtc_encode_hour (rtc, g_date_time_get_hour (now));
      case RTC_DAY_OF_WEEK:
        return rtc_encode (rtc, g_date_time_get_day_of_week (now) % 7 + 1); /* Sunday = 1 */
      case RTC_DAY_OF_MONTH:
        return rtc_encode (rtc, g_date_time_get_day_of_month (now));
      case RTC_MONTH:
        return rtc_encode (rtc, g_date_time_get_month (now));
      case RTC_YEAR:
        return rtc_encode (rtc, g_date_time_get_year (now) % 100);
      case RTC_CENTURY:
        return rtc_encode (rtc, g_date_time_get_year (now) / 100);
      default:
        return rtc->cmos[reg];
    }
}

static bool
rtc_is_time_reg (uint8_t reg)
{
  return reg == RTC_SECONDS || reg == RTC_MINUTES || reg == RTC_HOURS ||
         (reg >= RTC_DAY_OF_WEEK && reg <= RTC_YEAR) || reg == RTC_CENTURY;
}

static uint8_t
rtc_read_locked (Rtc *rtc, uint8_t reg)
{
  int64_t usec = rtc->clock (rtc->clock_data);
  int64_t sec = usec / G_USEC_PER_SEC;
  uint8_t value;

  if (rtc_is_time_reg (reg))
    return rtc_read_time_locked (rtc, reg);
  switch (reg)
    {
      case RTC_REG_A:
        /* UIP warns that the time registers are about to change. */
        value = rtc->cmos[RTC_REG_A] & ~RTC_A_UIP;
        if (usec % G_USEC_PER_SEC >= G_USEC_PER_SEC - RTC_UPDATE_USEC)
          value |= RTC_A_UIP;
        return value;
      case RTC_REG_C:
        /* UF: an update cycle ended since the last read; reading clears. */
        value = rtc->cmos[RTC_REG_C];
        if (sec != rtc->last_update_sec && !(rtc->cmos[RTC_REG_B] & RTC_B_SET))
          value |= RTC_C_UF;
        rtc->last_update_sec = sec;
        rtc->cmos[RTC_REG_C] = 0;
        return value;
      case RTC_REG_D:
        return RTC_D_VRT;
      default:
        return rtc->cmos[reg];
    }
}

/* When the guest clears SET, what it wrote becomes the new time. */
static void
rtc_commit_time_locked (Rtc *rtc)
{
  int64_t usec;
  g_autoptr (GDateTime) host = rtc_now_locked (rtc, &usec);
  g_autoptr (GDateTime) guest = NULL;
  unsigned year =
      rtc_decode (rtc, rtc->cmos[RTC_CENTURY]) * 100 + rtc_decode (rtc, rtc->cmos[RTC_YEAR]);

  if (rtc_decode (rtc, rtc->cmos[RTC_CENTURY]) == 0)
    year += 2000;
  guest = g_date_time_new_utc (
      year, rtc_decode (rtc, rtc->cmos[RTC_MONTH]), rtc_decode (rtc, rtc->cmos[RTC_DAY_OF_MONTH]),
      rtc_decode_hour (rtc, rtc->cmos[RTC_HOURS]), rtc_decode (rtc, rtc->cmos[RTC_MINUTES]),
      rtc_decode (rtc, rtc->cmos[RTC_SECONDS]));
  /* A nonsense date from the guest leaves the clock as it was. */
  if (guest == NULL || host == NULL)
    return;
  rtc->offset = g_date_time_to_unix (guest) - usec / G_USEC_PER_SEC;
}

static void
rtc_write_reg_b_locked (Rtc *rtc, uint8_t value)
{
  uint8_t old = rtc->cmos[RTC_REG_B];

  if (!(old & RTC_B_SET) && (value & RTC_B_SET))
    {
      /* Freeze the current time so the guest can change single fields. */
      const uint8_t regs[] = { RTC_SECONDS,      RTC_MINUTES, RTC_HOURS, RTC_DAY_OF_WEEK,
                               RTC_DAY_OF_MONTH, RTC_MONTH,   RTC_YEAR,  RTC_CENTURY };

      for (unsigned i = 0; i < G_N_ELEMENTS (regs); i++)
        rtc->cmos[regs[i]] = rtc_read_time_locked (rtc, regs[i]);
    }
  rtc->cmos[RTC_REG_B] = value;
  if ((old & RTC_B_SET) && !(value & RTC_B_SET))
    rtc_commit_time_locked (rtc);
}

static void
rtc_write_locked (Rtc *rtc, uint8_t reg, uint8_t value)
{
  switch (reg)
    {
      case RTC_REG_A:
        rtc->cmos[RTC_REG_A] = value & ~RTC_A_UIP;
        break;
      case RTC_REG_B:
        rtc_write_reg_b_locked (rtc, value);
        break;
      case RTC_REG_C:
      case RTC_REG_D:
        break; /* read-only */
      default:
        /* Time fields only take effect when SET is cleared. */
        if (!rtc_is_time_reg (reg) || (rtc->cmos[RTC_REG_B] & RTC_B_SET))
          rtc->cmos[reg] = value;
        break;
    }
}

static uint64_t
rtc_io_read (void *opaque, uint64_t offset, unsigned size)
{
  Rtc *rtc = opaque;
  uint8_t value = 0xff;

  g_mutex_lock (&rtc->lock);
  if (offset == 1)
    value = rtc_read_locked (rtc, rtc->index);
  g_mutex_unlock (&rtc->lock);
  return value;
}

static void
rtc_io_write (void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
  Rtc *rtc = opaque;

  g_mutex_lock (&rtc->lock);
  /* Bit 7 of the index masks NMIs on a PC; the index is 7 bits. */
  if (offset == 0)
    rtc->index = value & 0x7f;
  else
    rtc_write_locked (rtc, rtc->index, value);
  g_mutex_unlock (&rtc->lock);
}

const IoOps rtc_io_ops = {
  .read = rtc_io_read,
  .write = rtc_io_write,
};
