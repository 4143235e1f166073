/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hv-vmm's network back ends on their own, as the virtio-net device uses
 * them: the `user` NAT answering DHCP in this process, and a tap on a
 * bridge (made here, in a network namespace of the test's own) reaching
 * the bridge's address with ARP and ICMP, both opened directly and
 * through a bridge helper that passes the descriptor back.
 */

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "net-backend.h"
#include "net-packets.h"
#include "net-sandbox.h"

#define TIMEOUT_MS 5000

static const guint8 guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const char *fake_helper;

typedef gboolean (*FrameMatch) (const guint8 *frame, gsize len, gpointer data);

typedef struct
{
  FrameMatch match;
  gpointer data;
  gboolean seen;
  guint8 frame[PKT_BUFFER];
} Receiver;

static void
on_frame (const guint8 *frame, gsize len, gpointer user_data)
{
  Receiver *r = user_data;

  if (!r->seen && r->match (frame, len, r->data))
    {
      r->seen = TRUE;
      memcpy (r->frame, frame, MIN (len, sizeof r->frame));
    }
}

/* Sends FRAME every half second (the first may go before the path is
 * ready: a bridge port coming up, a router starting) until MATCH sees the
 * answer. */
static gboolean
exchange (NetBackend *backend, const guint8 *frame, gsize len, FrameMatch match, gpointer data,
          guint8 *answer)
{
  Receiver r = { match, data, FALSE };
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;
  gint64 next_send = 0;

  net_backend_set_receive_func (backend, on_frame, &r);
  while (!r.seen && g_get_monotonic_time () < deadline)
    {
      if (g_get_monotonic_time () >= next_send)
        {
          g_assert_true (net_backend_send (backend, frame, len));
          next_send = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
        }
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  net_backend_set_receive_func (backend, NULL, NULL);
  if (r.seen && answer != NULL)
    memcpy (answer, r.frame, PKT_BUFFER);
  return r.seen;
}

typedef struct
{
  guint32 xid;
  guint32 yiaddr;
} DhcpMatch;

static gboolean
match_offer (const guint8 *frame, gsize len, gpointer data)
{
  DhcpMatch *m = data;

  return pkt_is_dhcp (frame, len, m->xid, 2, &m->yiaddr);
}

static void
test_user_dhcp (void)
{
  NetSlirpConfig config;
  g_autoptr (GError) error = NULL;
  g_autoptr (NetBackend) backend = NULL;
  guint8 frame[PKT_BUFFER];
  DhcpMatch m = { 0xc0ffee, 0 };
  NetBackendStats stats;

  g_assert_true (net_slirp_config_init (&config, "10.0.5.0/24", NULL, &error));
  backend = net_backend_user_new (&config, guest_mac, NULL, &error);
  net_slirp_config_clear (&config);
  g_assert_no_error (error);
  g_assert_true (exchange (backend, frame, pkt_dhcp_discover (frame, guest_mac, m.xid), match_offer,
                           &m, NULL));
  g_assert_cmpuint (m.yiaddr, ==, pkt_ip ("10.0.5.15"));
  net_backend_get_stats (backend, &stats);
  g_assert_cmpuint (stats.frames_out, >=, 1);
  g_assert_cmpuint (stats.frames_in, >=, 1);
}

static void
test_config_errors (void)
{
  NetSlirpConfig config;
  g_autoptr (GError) error = NULL;

  g_assert_false (net_slirp_config_init (&config, "10.0.2.1/24", NULL, &error));
  g_assert_error (error, NET_SLIRP_ERROR, NET_SLIRP_ERROR_INVALID_ARGUMENT);
  net_slirp_config_clear (&config);
  g_clear_error (&error);
  g_assert_false (net_slirp_config_init (&config, "10.0.2.0/24", "10.0.3.15", &error));
  g_assert_error (error, NET_SLIRP_ERROR, NET_SLIRP_ERROR_INVALID_ARGUMENT);
  net_slirp_config_clear (&config);
  g_clear_error (&error);
  g_assert_true (net_slirp_config_init (&config, "192.168.50.0/24", "192.168.50.100", &error));
  g_assert_true (net_slirp_config_add_forward (&config, "tcp:127.0.0.1:2222-:22", &error));
  g_assert_true (net_slirp_config_add_forward (&config, "udp::5000-192.168.50.7:53", &error));
  g_assert_false (net_slirp_config_add_forward (&config, "tcp:127.0.0.1:2222-10.0.0.1:22", &error));
  g_assert_error (error, NET_SLIRP_ERROR, NET_SLIRP_ERROR_INVALID_ARGUMENT);
  g_assert_cmpuint (config.forwards->len, ==, 2);
  net_slirp_config_clear (&config);
}

/* The bridge the tap tests join, as a host would have it. */
static void
make_bridge (void)
{
  static gboolean made;

  if (made)
    return;
  net_sandbox_ip ("link", "add", "br0", "type", "bridge", NULL);
  net_sandbox_ip ("addr", "add", "10.9.0.1/24", "dev", "br0", NULL);
  net_sandbox_ip ("link", "set", "br0", "up", NULL);
  made = TRUE;
}

static gboolean
match_arp_reply (const guint8 *frame, gsize len, gpointer data)
{
  return pkt_is_arp_reply (frame, len, pkt_ip ("10.9.0.1"), data);
}

static gboolean
match_echo_reply (const guint8 *frame, gsize len, gpointer data)
{
  return pkt_is_icmp_echo_reply (frame, len, pkt_ip ("10.9.0.1"), 0x77, GPOINTER_TO_UINT (data));
}

/* ARP for the bridge's address, then ping it: frames move both ways. */
static void
ping_bridge (NetBackend *backend, guint16 seq)
{
  guint8 frame[PKT_BUFFER];
  guint8 bridge_mac[6];
  guint32 me = pkt_ip ("10.9.0.2") + seq;
  gsize n;

  n = pkt_arp_request (frame, guest_mac, me, pkt_ip ("10.9.0.1"));
  g_assert_true (exchange (backend, frame, n, match_arp_reply, bridge_mac, NULL));
  n = pkt_icmp_echo (frame, guest_mac, bridge_mac, me, pkt_ip ("10.9.0.1"), 0x77, seq);
  g_assert_true (exchange (backend, frame, n, match_echo_reply, GUINT_TO_POINTER (seq), NULL));
}

static void
test_tap_direct (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NetBackend) backend = NULL;
  NetBackendStats stats;

  make_bridge ();
  backend = net_backend_tap_new ("br0", "hvtap0", guest_mac, NULL, &error);
  g_assert_no_error (error);
  ping_bridge (backend, 1);
  net_backend_get_stats (backend, &stats);
  g_assert_cmpuint (stats.frames_out, >=, 2);
  g_assert_cmpuint (stats.frames_in, >=, 2);
}

static void
test_tap_missing_bridge (void)
{
  g_autoptr (GError) error = NULL;
  NetBackend *backend = net_backend_tap_new ("nosuchbr", NULL, guest_mac, NULL, &error);

  g_assert_null (backend);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "nosuchbr"));
}

static void
test_tap_helper (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (NetBackend) backend = NULL;
  int fd;

  make_bridge ();
  fd = net_tap_open_with_helper (fake_helper, "br0", &error);
  g_assert_no_error (error);
  g_assert_cmpint (fd, >=, 0);
  /* The helper opened it with a virtio-net header (--use-vnet). */
  backend = net_backend_tap_new_for_fd (fd, guest_mac, NULL, &error);
  g_assert_no_error (error);
  ping_bridge (backend, 2);
}

/* hv-vmm's command line: each kind by its spec, and what is refused. */
static void
test_specs (void)
{
  static const char *const bad[] = { "", "switch", "switch:", "tap", "vde:/tmp/x" };
  g_autoptr (GError) error = NULL;
  g_autoptr (NetBackend) user = NULL;
  g_autoptr (NetBackend) helper = NULL;
  guint8 frame[PKT_BUFFER];
  DhcpMatch m = { 0x5bec, 0 };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_null (net_backend_new_for_spec (bad[i], guest_mac, NULL, &error));
      g_assert_error (error, HV_VMM_ERROR, HV_VMM_ERROR_INVALID_ARGUMENT);
      g_clear_error (&error);
    }
  /* A bad subnet is the router's to tell. */
  g_assert_null (net_backend_new_for_spec ("user:10.0.2.1/24", guest_mac, NULL, &error));
  g_assert_error (error, NET_SLIRP_ERROR, NET_SLIRP_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (net_backend_new_for_spec ("switch:/nonexistent/switch.sock", NULL, NULL, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);

  user = net_backend_new_for_spec ("user:10.0.7.0/24", guest_mac, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (
      exchange (user, frame, pkt_dhcp_discover (frame, guest_mac, m.xid), match_offer, &m, NULL));
  g_assert_cmpuint (m.yiaddr, ==, pkt_ip ("10.0.7.15"));

  make_bridge ();
  g_setenv ("HV_BRIDGE_HELPER", fake_helper, TRUE);
  helper = net_backend_new_for_spec ("bridge-helper:br0", guest_mac, NULL, &error);
  g_unsetenv ("HV_BRIDGE_HELPER");
  g_assert_no_error (error);
  ping_bridge (helper, 3);
}

static void
test_mac_parse (void)
{
  guint8 mac[6] = { 0 };
  static const guint8 expected[6] = { 0x52, 0x54, 0x00, 0xab, 0xCD, 0x0f };

  g_assert_true (net_mac_parse ("52:54:00:ab:CD:0f", mac));
  g_assert_cmpmem (mac, 6, expected, 6);
  g_assert_false (net_mac_parse ("52:54:00:ab:cd", mac));
  g_assert_false (net_mac_parse ("52:54:00:ab:cd:0g", mac));
  g_assert_false (net_mac_parse ("52-54-00-ab-cd-0f", mac));
  g_assert_false (net_mac_parse ("52:54:00:ab:cd:0f:", mac));
}

static void
test_tap_helper_fails (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (net_tap_open_with_helper (fake_helper, "nosuchbr", &error), ==, -1);
  g_assert_error (error, HV_VMM_ERROR, HV_VMM_ERROR_PERMISSION_DENIED);
}

int
main (int argc, char **argv)
{
  net_sandbox_enter (NULL);
  g_test_init (&argc, &argv, NULL);
  g_assert_cmpint (argc, >, 1);
  fake_helper = argv[1];

  g_test_add_func ("/net-backend/user/dhcp", test_user_dhcp);
  g_test_add_func ("/net-backend/user/config-errors", test_config_errors);
  g_test_add_func ("/net-backend/tap/direct", test_tap_direct);
  g_test_add_func ("/net-backend/tap/missing-bridge", test_tap_missing_bridge);
  g_test_add_func ("/net-backend/tap/helper", test_tap_helper);
  g_test_add_func ("/net-backend/tap/helper-fails", test_tap_helper_fails);
  g_test_add_func ("/net-backend/specs", test_specs);
  g_test_add_func ("/net-backend/mac-parse", test_mac_parse);
  return g_test_run ();
}
