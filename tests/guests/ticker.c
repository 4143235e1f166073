/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The "ticker" guest: prints "tick <n>" whenever the RTC's seconds change, forever. It
 * prints its first line before anything else, so it also serves to time VMM start-up. */
#include "guest.h"

static void
idle (void)
{
  /* Fewer RTC reads (VM exits) per second, without interrupts to wait for. */
  for (unsigned i = 0; i < 2000; i++)
    __asm__ volatile("pause");
}

void
guest_main (const GuestBoot *boot)
{
  unsigned last, now, n = 0;
  const char *error;

  con_printf ("ticker: ready\n");
  if ((error = rtc_read_seconds (&last)))
    {
      con_printf ("FAIL rtc: %s\n", error);
      return;
    }
  for (;;)
    {
      idle ();
      if (rtc_read_seconds (&now) || now == last)
        continue;
      last = now;
      con_printf ("tick %u\n", ++n);
    }
}
