/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The "reset" guest: announces itself and asks for a reset (FADT RESET_REG, else the
 * i8042 reset line). Each boot prints "reset: start" once. */
#include "guest.h"

void
guest_main (const GuestBoot *boot)
{
  con_printf ("reset: start\n");
  acpi_reset ();
  con_printf ("RESET FAILED\n");
  halt_forever ();
}
