/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The MC146818 CMOS real-time clock at 0x70/0x71, showing the host's time
 * (UTC) in BCD or binary, 24- or 12-hour form as register B asks, plus its
 * battery-backed RAM.
 */
#pragma once

#include <stdint.h>

#include "bus/io.h"

#define RTC_INDEX_PORT 0x70
#define RTC_NR_PORTS   2

/* Register numbers */
#define RTC_SECONDS      0x00
#define RTC_MINUTES      0x02
#define RTC_HOURS        0x04
#define RTC_DAY_OF_WEEK  0x06
#define RTC_DAY_OF_MONTH 0x07
#define RTC_MONTH        0x08
#define RTC_YEAR         0x09
#define RTC_REG_A        0x0a
#define RTC_REG_B        0x0b
#define RTC_REG_C        0x0c
#define RTC_REG_D        0x0d
#define RTC_CENTURY      0x32

#define RTC_A_UIP 0x80
#define RTC_B_SET 0x80
#define RTC_B_DM  0x04 /* binary, not BCD */
#define RTC_B_24H 0x02
#define RTC_C_UF  0x10
#define RTC_D_VRT 0x80

typedef struct rtc Rtc;
/* The current time in microseconds since the epoch. */
typedef int64_t (*RtcClockFunc) (void *user_data);

/* CLOCK NULL: the host's real time. */
Rtc *rtc_new (RtcClockFunc clock, void *clock_data);
void rtc_free (Rtc *rtc);
void rtc_reset (Rtc *rtc);
/* Ports 0x70 (index, bit 7 masks NMI) and 0x71 (data): OFFSET 0 and 1. */
extern const IoOps rtc_io_ops;
