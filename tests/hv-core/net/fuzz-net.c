/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target: whatever guests send into hv-net's switch, with the
 * libslirp router on it (nat mode) and the address snooping of hv-net
 * (net-leases.c) watching every frame. The input is a sequence of frames,
 * each a two-byte length, a flags byte (the port it comes in on; whether
 * to make it IPv4, a DHCP reply or ARP) and the frame; after each, the
 * router's main-loop work runs once. Nothing may crash or be read out of
 * bounds. libslirp itself is not instrumented: coverage guides only
 * through the switch and the snooping.
 *
 * It runs in a network namespace of its own (net-sandbox.c): what the
 * router opens on the host side goes nowhere.
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "net-leases.h"
#include "net-sandbox.h"
#include "net-slirp.h"
#include "net-switch.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static NetSwitch *sw;
static NetPort *ports[2];
static NetPort *router_port;
static NetSlirp *router;
static NetLeases *leases;

static gboolean
guest_send (const guint8 *frame, gsize len, gpointer user_data)
{
  /* Read it all, as a guest's socket would take it. */
  volatile guint8 sum = 0;

  for (gsize i = 0; i < len; i++)
    sum += frame[i];
  return TRUE;
}

static gboolean
router_send (const guint8 *frame, gsize len, gpointer user_data)
{
  net_slirp_input (router, frame, len);
  return TRUE;
}

static void
on_router_output (const guint8 *frame, gsize len, gpointer user_data)
{
  net_switch_input (sw, router_port, frame, len);
}

static void
on_switch_frame (NetPort *from, const guint8 *frame, gsize len, gpointer user_data)
{
  net_leases_observe (leases, frame, len, from == router_port, g_get_monotonic_time ());
}

static void
put16 (guint8 *p, guint16 value)
{
  p[0] = value >> 8;
  p[1] = value;
}

/* Bits 2 and 3 of the flags: shape FRAME (LEN bytes) as far as it is long
 * into what the snooping parses past its first checks. */
static void
shape (guint8 *frame, size_t len, guint8 flags)
{
  static const guint8 arp[] = { 0x08, 0x06, 0, 1, 8, 0, 6, 4, 0, 1 };
  /* IPv4 over UDP, not a fragment; ports 67 -> 68. */
  static const guint8 dhcp[] = { 0x08, 0x00, 0x45, 0, 0, 0, 0, 0, 0, 0, 64, 17 };
  static const guint8 ports[] = { 0, 67, 0, 68 };
  static const guint8 bootp[] = { 2, 1, 6 };
  static const guint8 cookie[] = { 99, 130, 83, 99 };
  static const guint8 ack[] = { 53, 1, 5 };

  if ((flags & 12) == 4)
    memcpy (frame + 12, arp, MIN (len - 12, sizeof arp));
  if ((flags & 12) == 8)
    {
      memcpy (frame + 12, dhcp, MIN (len - 12, sizeof dhcp));
      if (len > 34)
        memcpy (frame + 34, ports, MIN (len - 34, sizeof ports));
      if (len > 42)
        memcpy (frame + 42, bootp, MIN (len - 42, sizeof bootp));
      if (len > 42 + 236)
        memcpy (frame + 42 + 236, cookie, MIN (len - 42 - 236, sizeof cookie));
      /* Bit 4: lengths that agree with the frame's; bit 5: an ACK's
       * message type first among the options. */
      if ((flags & 16) && len >= 42)
        {
          put16 (frame + 16, MIN (len - 14, G_MAXUINT16));
          put16 (frame + 38, MIN (len - 34, G_MAXUINT16));
        }
      if ((flags & 32) && len > 42 + 240)
        memcpy (frame + 42 + 240, ack, MIN (len - 42 - 240, sizeof ack));
    }
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  NetSlirpConfig config;

  net_sandbox_enter (NULL);
  g_assert_true (net_slirp_config_init (&config, NULL, NULL, NULL));
  sw = net_switch_new ();
  leases = net_leases_new ();
  net_switch_set_observer (sw, on_switch_frame, NULL);
  ports[0] = net_switch_add_port (sw, "a", guest_send, NULL);
  ports[1] = net_switch_add_port (sw, "b", guest_send, NULL);
  router = net_slirp_new (&config, NULL, on_router_output, NULL, NULL);
  g_assert_nonnull (router);
  router_port = net_switch_add_port (sw, "router", router_send, NULL);
  net_slirp_config_clear (&config);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  while (size >= 3)
    {
      size_t len = MIN ((size_t) (data[0] << 8 | data[1]), size - 3);
      /* A copy of exactly LEN bytes: ASan sees any read past the frame. */
      g_autofree guint8 *frame = g_memdup2 (data + 3, len);

      /* Bit 1: make it look like IPv4 (type 0x0800, version 4, 20-byte
       * header), which libslirp, uninstrumented, would seldom see from
       * random bytes. */
      if ((data[2] & 2) && len >= 15)
        {
          frame[12] = 0x08;
          frame[13] = 0x00;
          frame[14] = 0x45;
        }
      if (len > 12)
        shape (frame, len, data[2]);
      net_switch_input (sw, ports[data[2] & 1], frame, len);
      g_main_context_iteration (NULL, FALSE);
      data += 3 + len;
      size -= 3 + len;
    }
  return 0;
}
