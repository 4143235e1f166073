/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The "kbdecho" guest: enables the i8042's PS/2 mouse port and the mouse's
 * data reporting, prints "kbdecho: ready", then prints every byte the
 * controller delivers as "kbd: xx" or "aux: xx" (hex). Never ends: the test
 * quits it.
 */
#include "guest.h"

#define I8042_DATA      0x60
#define I8042_STATUS    0x64
#define I8042_COMMAND   0x64
#define STATUS_OBF      0x01
#define STATUS_IBF      0x02
#define STATUS_AUXOBF   0x20
#define CMD_AUX_ENABLE  0xa8
#define CMD_WRITE_AUX   0xd4
#define AUX_ENABLE_DATA 0xf4
#define ACK             0xfa
#define WAIT_LOOPS      100000

static bool
wait_output (void)
{
  for (unsigned i = 0; i < WAIT_LOOPS; i++)
    if (inb (I8042_STATUS) & STATUS_OBF)
      return true;
  return false;
}

static void
wait_input_empty (void)
{
  for (unsigned i = 0; i < WAIT_LOOPS && (inb (I8042_STATUS) & STATUS_IBF); i++)
    ;
}

static void
enable_mouse (void)
{
  uint8_t ack;

  wait_input_empty ();
  outb (I8042_COMMAND, CMD_AUX_ENABLE);
  wait_input_empty ();
  outb (I8042_COMMAND, CMD_WRITE_AUX);
  wait_input_empty ();
  outb (I8042_DATA, AUX_ENABLE_DATA);
  if (!wait_output ())
    {
      con_printf ("FAIL kbdecho: no answer from the mouse\n");
      return;
    }
  ack = inb (I8042_DATA);
  if (ack != ACK)
    con_printf ("FAIL kbdecho: mouse answered 0x%x, not ACK\n", ack);
}

void
guest_main (const GuestBoot *boot)
{
  /* Whatever the controller holds from before (a reset's 0xaa) is not input. */
  while (inb (I8042_STATUS) & STATUS_OBF)
    inb (I8042_DATA);
  enable_mouse ();
  con_printf ("kbdecho: ready\n");
  for (;;)
    {
      uint8_t status = inb (I8042_STATUS);

      if (!(status & STATUS_OBF))
        {
          __asm__ volatile("pause");
          continue;
        }
      con_printf ("%s: %02x\n", (status & STATUS_AUXOBF) ? "aux" : "kbd", inb (I8042_DATA));
    }
}
