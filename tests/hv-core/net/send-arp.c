/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * send-arp SWITCH_PATH MAC ADDRESS: connects to an hv-net switch as a
 * guest would, sends one ARP request from MAC saying it has ADDRESS, and
 * hangs up. For the shell tests of hvctl net leases.
 */

#include "config.h"

#include <stdio.h>

#include "net-packets.h"
#include "net-port.h"

int
main (int argc, char **argv)
{
  guint8 frame[PKT_BUFFER];
  guint8 mac[6];
  unsigned int bytes[6];
  g_autoptr (TestPort) port = NULL;

  if (argc != 4 || sscanf (argv[2], "%x:%x:%x:%x:%x:%x", &bytes[0], &bytes[1], &bytes[2], &bytes[3],
                           &bytes[4], &bytes[5]) != 6)
    {
      fprintf (stderr, "usage: send-arp SWITCH_PATH MAC ADDRESS\n");
      return 2;
    }
  for (guint i = 0; i < 6; i++)
    mac[i] = bytes[i];
  port = test_port_connect (argv[1]);
  test_port_send (port, frame,
                  pkt_arp_request (frame, mac, pkt_ip (argv[3]), pkt_ip (argv[3]) + 1));
  return 0;
}
