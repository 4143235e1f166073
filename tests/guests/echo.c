/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The "echo" guest: sends back every byte COM1 receives; 'q' ends it (then S5). */
#include "guest.h"

void
guest_main (const GuestBoot *boot)
{
  con_printf ("echo: ready\n");
  for (;;)
    {
      uint8_t c;

      if (!con_getc (&c))
        {
          __asm__ volatile("pause");
          continue;
        }
      con_put_raw (c);
      if (c == 'q')
        break;
    }
  con_printf ("\nbye\n");
}
