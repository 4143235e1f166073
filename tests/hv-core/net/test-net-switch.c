/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hv-net's switch on its own, with ports that are plain functions: what
 * goes where, what is counted, and the bounds on what a guest can make it
 * keep (the MAC table) or do (a peer that does not keep up).
 */

#include "config.h"

#include <string.h>

#include "net-switch.h"

typedef struct
{
  guint frames;
  gboolean refuse; /* as a peer whose socket buffer is full */
} FakePort;

static gboolean
fake_send (const guint8 *frame, gsize len, gpointer user_data)
{
  FakePort *fake = user_data;

  if (fake->refuse)
    return FALSE;
  fake->frames++;
  return TRUE;
}

/* A 60-byte frame from SRC (last byte of 52:54:00:00:00:SRC) to DST
 * (0xff: broadcast). */
static gsize
frame (guint8 *buf, guint8 dst, guint src)
{
  memset (buf, 0, 60);
  memset (buf, dst == 0xff ? 0xff : 0, 6);
  if (dst != 0xff)
    {
      buf[0] = 0x52;
      buf[1] = 0x54;
      buf[5] = dst;
    }
  buf[6] = 0x52;
  buf[7] = 0x54;
  buf[9] = src >> 16;
  buf[10] = src >> 8;
  buf[11] = src;
  return 60;
}

static void
test_learning (void)
{
  g_autoptr (NetSwitch) sw = net_switch_new ();
  FakePort a = { 0 }, b = { 0 }, c = { 0 };
  NetPort *pa = net_switch_add_port (sw, "a", fake_send, &a);
  NetPort *pb = net_switch_add_port (sw, "b", fake_send, &b);
  NetPort *pc = net_switch_add_port (sw, "c", fake_send, &c);
  guint8 buf[60];

  net_switch_input (sw, pa, buf, frame (buf, 0xff, 1));
  g_assert_cmpuint (a.frames, ==, 0);
  g_assert_cmpuint (b.frames, ==, 1);
  g_assert_cmpuint (c.frames, ==, 1);
  /* b answers a: a's address was learnt on port a. */
  net_switch_input (sw, pb, buf, frame (buf, 1, 2));
  g_assert_cmpuint (a.frames, ==, 1);
  g_assert_cmpuint (c.frames, ==, 1);
  /* To a station behind the port it came from: nowhere. */
  net_switch_input (sw, pa, buf, frame (buf, 1, 1));
  g_assert_cmpuint (a.frames + b.frames + c.frames, ==, 3);
  /* A station that moves is learnt again on its new port. */
  net_switch_input (sw, pc, buf, frame (buf, 2, 1));
  g_assert_cmpuint (b.frames, ==, 2);
  net_switch_input (sw, pb, buf, frame (buf, 1, 2));
  g_assert_cmpuint (c.frames, ==, 2);
  g_assert_cmpuint (a.frames, ==, 1);
  g_assert_cmpuint (net_port_get_stats (pb)->frames_in, ==, 2);
  g_assert_cmpuint (net_port_get_stats (pb)->bytes_out, ==, 120);
}

static void
test_bad_lengths (void)
{
  g_autoptr (NetSwitch) sw = net_switch_new ();
  FakePort a = { 0 }, b = { 0 };
  NetPort *pa = net_switch_add_port (sw, "a", fake_send, &a);
  g_autofree guint8 *huge = g_malloc0 (65535 + 14 + 1);

  net_switch_add_port (sw, "b", fake_send, &b);
  memset (huge, 0xff, 6);
  net_switch_input (sw, pa, huge, 0);
  net_switch_input (sw, pa, huge, 13);
  net_switch_input (sw, pa, huge, 65535 + 14 + 1);
  net_switch_input (sw, pa, huge, 65535 + 14);
  g_assert_cmpuint (net_port_get_stats (pa)->dropped_in, ==, 3);
  g_assert_cmpuint (net_port_get_stats (pa)->frames_in, ==, 1);
  g_assert_cmpuint (b.frames, ==, 1);
}

static void
test_backpressure (void)
{
  g_autoptr (NetSwitch) sw = net_switch_new ();
  FakePort a = { 0 }, slow = { 0, TRUE }, b = { 0 };
  NetPort *pa = net_switch_add_port (sw, "a", fake_send, &a);
  NetPort *pslow = net_switch_add_port (sw, "slow", fake_send, &slow);
  guint8 buf[60];

  net_switch_add_port (sw, "b", fake_send, &b);
  for (guint i = 0; i < 10; i++)
    net_switch_input (sw, pa, buf, frame (buf, 0xff, 1));
  g_assert_cmpuint (net_port_get_stats (pslow)->dropped_out, ==, 10);
  g_assert_cmpuint (net_port_get_stats (pslow)->frames_out, ==, 0);
  g_assert_cmpuint (b.frames, ==, 10);
}

/* A guest inventing source addresses cannot grow the table without end;
 * once it starts again, frames to forgotten stations are flooded, still
 * delivered. */
static void
test_table_bound (void)
{
  g_autoptr (NetSwitch) sw = net_switch_new ();
  FakePort a = { 0 }, b = { 0 }, c = { 0 };
  NetPort *pa = net_switch_add_port (sw, "a", fake_send, &a);
  NetPort *pb = net_switch_add_port (sw, "b", fake_send, &b);
  guint8 buf[60];

  net_switch_add_port (sw, "c", fake_send, &c);
  net_switch_input (sw, pb, buf, frame (buf, 0xff, 2));
  for (guint i = 0; i < 100000; i++)
    net_switch_input (sw, pa, buf, frame (buf, 0xff, 0x100 + i));
  b.frames = c.frames = 0;
  net_switch_input (sw, pa, buf, frame (buf, 2, 1));
  g_assert_cmpuint (b.frames, ==, 1);
}

static void
test_remove_port (void)
{
  g_autoptr (NetSwitch) sw = net_switch_new ();
  FakePort a = { 0 }, b = { 0 }, c = { 0 };
  NetPort *pa = net_switch_add_port (sw, "a", fake_send, &a);
  NetPort *pb = net_switch_add_port (sw, "b", fake_send, &b);
  guint8 buf[60];

  net_switch_add_port (sw, "c", fake_send, &c);
  net_switch_input (sw, pb, buf, frame (buf, 0xff, 2));
  net_switch_remove_port (sw, pb);
  g_assert_cmpuint (net_switch_get_ports (sw)->len, ==, 2);
  /* b's address went with its port: flooded, not sent to a freed port. */
  net_switch_input (sw, pa, buf, frame (buf, 2, 1));
  g_assert_cmpuint (c.frames, ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/net-switch/learning", test_learning);
  g_test_add_func ("/net-switch/bad-lengths", test_bad_lengths);
  g_test_add_func ("/net-switch/backpressure", test_backpressure);
  g_test_add_func ("/net-switch/table-bound", test_table_bound);
  g_test_add_func ("/net-switch/remove-port", test_remove_port);
  return g_test_run ();
}
