/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target: whatever guests send into hv-net's switch, with the
 * libslirp router on it (nat mode). The input is a sequence of frames, each
 * a two-byte length, a flags byte (the port it comes in on; whether to make
 * it IPv4) and the frame; after each, the router's main-loop work runs
 * once. Nothing may crash or be read out of bounds. libslirp itself is not
 * instrumented: coverage guides only through the switch.
 *
 * It runs in a network namespace of its own (net-sandbox.c): what the
 * router opens on the host side goes nowhere.
 */

#include "config.h"

#include <stdint.h>
#include <string.h>

#include "net-sandbox.h"
#include "net-slirp.h"
#include "net-switch.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static NetSwitch *sw;
static NetPort *ports[2];
static NetPort *router_port;
static NetSlirp *router;

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

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  NetSlirpConfig config;

  net_sandbox_enter (NULL);
  g_assert_true (net_slirp_config_init (&config, NULL, NULL, NULL));
  sw = net_switch_new ();
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
      net_switch_input (sw, ports[data[2] & 1], frame, len);
      g_main_context_iteration (NULL, FALSE);
      data += 3 + len;
      size -= 3 + len;
    }
  return 0;
}
