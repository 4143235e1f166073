/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hv-net from the host's side, started through libhvcore: DHCP and DNS
 * from the router, switching between ports, an isolated network, frames
 * a guest should never send, a port forward, the control socket; and
 * hv-vmm's `switch` back end on a real hv-net.
 *
 * Everything runs in namespaces of the test's own (net-sandbox.h): the
 * router's host side is a loopback no other program uses, and its DNS
 * server is one this test runs.
 */

#include "config.h"

#include <errno.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <hv/hv.h>
#include <json-glib/json-glib.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "net-backend.h"
#include "net-packets.h"
#include "net-port.h"
#include "net-sandbox.h"

#define TIMEOUT_MS 5000
#define QUIET_MS   500

static const guint8 mac_a[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x0a };
static const guint8 mac_b[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x0b };
static const guint8 mac_c[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x0c };

/* hv-net outlives whoever started it, a failed test included: the pids
 * to kill when a test aborts, so no network is left running. */
static GPid launched[64];
static guint n_launched;

static void
kill_launched (int signum)
{
  for (guint i = 0; i < n_launched; i++)
    kill (launched[i], SIGKILL);
  signal (signum, SIG_DFL);
  raise (signum);
}

typedef struct
{
  char *base;
  HvRuntime *runtime;
  HvNetworkInfo *info;
} Fixture;

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *vms = NULL;

  f->base = g_dir_make_tmp ("hv-net-XXXXXX", &error);
  g_assert_no_error (error);
  vms = g_build_filename (f->base, "vms", NULL);
  f->runtime = hv_runtime_new_for_directory (vms);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autofree char *nets = g_build_filename (f->base, "nets", NULL);
  g_autofree char *lock = g_build_filename (nets, ".launch.lock", NULL);

  if (f->info != NULL)
    g_assert_true (hv_network_stop (f->runtime, f->info, 5000, NULL));
  g_clear_pointer (&f->info, hv_network_info_free);
  g_unlink (lock);
  g_rmdir (nets);
  g_rmdir (f->base);
  g_free (f->base);
  g_object_unref (f->runtime);
}

static HvNetworkInfo *
launch (Fixture *f, const char *name, HvNetworkMode mode, guint forward_host_port)
{
  g_autoptr (HvNetworkConfig) config = hv_network_config_new (name, mode);
  g_autoptr (GError) error = NULL;
  HvNetworkInfo *info;

  if (forward_host_port != 0)
    {
      HvPortForward *forward = g_new0 (HvPortForward, 1);

      forward->protocol = g_strdup ("tcp");
      forward->host_port = forward_host_port;
      forward->guest_address = g_strdup ("10.0.2.15");
      forward->guest_port = 22;
      g_ptr_array_add (config->forwards, forward);
    }
  info = hv_network_launch (f->runtime, config, NULL, &error);
  g_assert_no_error (error);
  if (n_launched < G_N_ELEMENTS (launched))
    launched[n_launched++] = hv_network_info_get_pid (info);
  return info;
}

static TestPort *
connect_port (Fixture *f)
{
  return test_port_connect (hv_network_info_get_switch_path (f->info));
}

/* One command on control.sock: its "return" member. */
static JsonNode *
control_call (Fixture *f, const char *command)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) address =
      g_unix_socket_address_new (hv_network_info_get_control_path (f->info));
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (GDataInputStream) input = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *request = g_strdup_printf ("{\"execute\": \"%s\", \"id\": 7}\n", command);
  g_autofree char *greeting = NULL;
  g_autofree char *reply = NULL;
  JsonObject *object;

  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
  g_assert_no_error (error);
  input = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  greeting = g_data_input_stream_read_line (input, NULL, NULL, &error);
  g_assert_nonnull (strstr (greeting, "\"greeting\""));
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), request,
                             strlen (request), NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_data_input_stream_read_line (input, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, reply, -1, NULL));
  object = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpint (json_object_get_int_member (object, "id"), ==, 7);
  g_assert_true (json_object_has_member (object, "return"));
  return json_node_copy (json_object_get_member (object, "return"));
}

/* The counters of port ID, from query-ports. */
static gint64
port_counter (Fixture *f, guint id, const char *counter)
{
  g_autoptr (JsonNode) ret = control_call (f, "query-ports");
  JsonArray *ports = json_object_get_array_member (json_node_get_object (ret), "ports");

  for (guint i = 0; i < json_array_get_length (ports); i++)
    {
      JsonObject *port = json_array_get_object_element (ports, i);

      if (json_object_get_int_member (port, "id") == id)
        return json_object_get_int_member (port, counter);
    }
  g_assert_not_reached ();
}

/* Until hv-net has accepted N ports: frames the router sends on its own
 * (an ARP request) reach only the ports accepted by then. */
static void
wait_for_ports (Fixture *f, guint n)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;

  for (;;)
    {
      g_autoptr (JsonNode) ret = control_call (f, "query-ports");
      JsonObject *object = json_node_get_object (ret);

      if (json_array_get_length (json_object_get_array_member (object, "ports")) >= n)
        return;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10000);
    }
}

/* Matchers. */

typedef struct
{
  TestPort *port; /* answers ARP for IP on it */
  const guint8 *mac;
  guint32 ip;
  TestFrameMatch match;
  gpointer data;
} Guest;

static gboolean
match_answering_arp (const guint8 *frame, gsize len, gpointer data)
{
  Guest *guest = data;
  guint8 asker_mac[6];
  guint32 asker_ip;

  if (pkt_is_arp_request (frame, len, guest->ip, asker_mac, &asker_ip))
    {
      guint8 reply[PKT_BUFFER];
      gsize n = pkt_arp_reply (reply, guest->mac, guest->ip, asker_mac, asker_ip);

      test_port_send (guest->port, reply, n);
      return FALSE;
    }
  return guest->match (frame, len, guest->data);
}

static gboolean
guest_wait (Guest *guest, TestFrameMatch match, gpointer data, guint8 *frame, gsize *len)
{
  guest->match = match;
  guest->data = data;
  return test_port_wait (guest->port, match_answering_arp, guest, TIMEOUT_MS, frame, len);
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

static gboolean
match_any (const guint8 *frame, gsize len, gpointer data)
{
  return TRUE;
}

static gboolean
match_source (const guint8 *frame, gsize len, gpointer data)
{
  return len >= 14 && memcmp (frame + 6, data, 6) == 0;
}

static void
assert_offer_in_range (guint32 yiaddr)
{
  g_assert_cmpuint (yiaddr, >=, pkt_ip ("10.0.2.15"));
  g_assert_cmpuint (yiaddr, <, pkt_ip ("10.0.2.15") + 16);
}

/* Tests. */

static void
test_dhcp (Fixture *f, gconstpointer data)
{
  guint8 frame[PKT_BUFFER];
  DhcpMatch m = { 0x1234abcd, 0 };
  g_autoptr (TestPort) port = NULL;

  f->info = launch (f, "dhcp", HV_NETWORK_MODE_NAT, 0);
  port = connect_port (f);
  test_port_send (port, frame, pkt_dhcp_discover (frame, mac_a, m.xid));
  g_assert_true (test_port_wait (port, match_offer, &m, TIMEOUT_MS, NULL, NULL));
  assert_offer_in_range (m.yiaddr);
  /* The router's port took the DISCOVER and gave the OFFER. */
  g_assert_cmpint (port_counter (f, 1, "frames-in"), >=, 1);
  g_assert_cmpint (port_counter (f, 1, "frames-out"), >=, 1);
}

/* The DNS server that resolv.conf names inside the sandbox: answers one
 * query for any A name with 10.1.2.3. */
static gpointer
dns_server_thread (gpointer data)
{
  int sock = GPOINTER_TO_INT (data);
  struct pollfd pfd = { sock, POLLIN, 0 };
  struct sockaddr_in from;
  socklen_t from_len = sizeof from;
  guint8 msg[512];
  static const guint8 answer[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 1, 2, 3 };
  gssize n;

  if (poll (&pfd, 1, TIMEOUT_MS) <= 0)
    return NULL;
  n = recvfrom (sock, msg, sizeof msg - sizeof answer, 0, (struct sockaddr *) &from, &from_len);
  if (n < 12)
    return NULL;
  msg[2] |= 0x80; /* a response */
  msg[7] = 1;     /* one answer */
  memcpy (msg + n, answer, sizeof answer);
  sendto (sock, msg, n + sizeof answer, 0, (struct sockaddr *) &from, from_len);
  return NULL;
}

static int
bind_dns_server (void)
{
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons (53) };
  int sock = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (sock, (struct sockaddr *) &address, sizeof address), ==, 0);
  return sock;
}

typedef struct
{
  guint16 id;
} DnsMatch;

static gboolean
match_dns_answer (const guint8 *frame, gsize len, gpointer data)
{
  DnsMatch *m = data;
  gsize n;
  const guint8 *p = pkt_udp_payload (frame, len, 5353, &n);
  static const guint8 address[] = { 10, 1, 2, 3 };

  return p != NULL && n >= 16 && ((p[0] << 8) | p[1]) == m->id && (p[2] & 0x80) &&
         memcmp (p + n - 4, address, 4) == 0;
}

static void
test_dns (Fixture *f, gconstpointer data)
{
  guint8 query[512];
  guint8 frame[PKT_BUFFER];
  int sock = bind_dns_server ();
  GThread *server = g_thread_new ("dns", dns_server_thread, GINT_TO_POINTER (sock));
  g_autoptr (TestPort) port = NULL;
  DnsMatch m = { 0x4242 };
  Guest guest = { NULL, mac_a, pkt_ip ("10.0.2.15") };
  gsize n;

  f->info = launch (f, "dns", HV_NETWORK_MODE_NAT, 0);
  port = connect_port (f);
  guest.port = port;
  n = pkt_dns_query (query, m.id, "localhost");
  n = pkt_udp (frame, mac_a, pkt_broadcast, guest.ip, pkt_ip ("10.0.2.3"), 5353, 53, query, n);
  /* The router's MAC is not known yet: broadcast works, the switch floods it. */
  test_port_send (port, frame, n);
  g_assert_true (guest_wait (&guest, match_dns_answer, &m, NULL, NULL));
  g_thread_join (server);
  close (sock);
}

static void
test_switching (Fixture *f, gconstpointer data)
{
  guint8 frame[PKT_BUFFER];
  g_autoptr (TestPort) a = NULL;
  g_autoptr (TestPort) b = NULL;
  g_autoptr (TestPort) c = NULL;
  gsize n;

  f->info = launch (f, "switch", HV_NETWORK_MODE_ISOLATED, 0);
  a = connect_port (f);
  b = connect_port (f);
  c = connect_port (f);
  wait_for_ports (f, 3);

  /* Broadcast: flooded to every other port. */
  n = pkt_arp_request (frame, mac_a, pkt_ip ("192.168.7.1"), pkt_ip ("192.168.7.2"));
  test_port_send (a, frame, n);
  g_assert_true (test_port_wait (b, match_source, (gpointer) mac_a, TIMEOUT_MS, NULL, NULL));
  g_assert_true (test_port_wait (c, match_source, (gpointer) mac_a, TIMEOUT_MS, NULL, NULL));
  g_assert_false (test_port_wait (a, match_any, NULL, QUIET_MS, NULL, NULL));

  /* Unicast to a learnt address: to its port only. */
  n = pkt_arp_reply (frame, mac_b, pkt_ip ("192.168.7.2"), mac_a, pkt_ip ("192.168.7.1"));
  test_port_send (b, frame, n);
  g_assert_true (test_port_wait (a, match_source, (gpointer) mac_b, TIMEOUT_MS, NULL, NULL));
  n = pkt_icmp_echo (frame, mac_a, mac_b, pkt_ip ("192.168.7.1"), pkt_ip ("192.168.7.2"), 1, 1);
  test_port_send (a, frame, n);
  g_assert_true (test_port_wait (b, match_source, (gpointer) mac_a, TIMEOUT_MS, NULL, NULL));
  g_assert_false (test_port_wait (c, match_any, NULL, QUIET_MS, NULL, NULL));

  /* An unknown unicast destination is flooded. */
  n = pkt_icmp_echo (frame, mac_b, mac_c, pkt_ip ("192.168.7.2"), pkt_ip ("192.168.7.3"), 1, 1);
  test_port_send (b, frame, n);
  g_assert_true (test_port_wait (c, match_source, (gpointer) mac_b, TIMEOUT_MS, NULL, NULL));
  g_assert_true (test_port_wait (a, match_source, (gpointer) mac_b, TIMEOUT_MS, NULL, NULL));

  /* Ports are numbered from 1 in the order they connected. */
  g_assert_cmpint (port_counter (f, 1, "frames-in"), ==, 2);
  g_assert_cmpint (port_counter (f, 2, "frames-in"), ==, 2);
  g_assert_cmpint (port_counter (f, 3, "frames-in"), ==, 0);
  g_assert_cmpint (port_counter (f, 1, "frames-out"), ==, 2);
  g_assert_cmpint (port_counter (f, 3, "frames-out"), ==, 2);
  g_assert_cmpint (port_counter (f, 1, "bytes-in"), ==, 42 + 74);
}

static void
test_isolated_no_dhcp (Fixture *f, gconstpointer data)
{
  guint8 frame[PKT_BUFFER];
  DhcpMatch m = { 0x55aa55aa, 0 };
  g_autoptr (TestPort) a = NULL;
  g_autoptr (TestPort) b = NULL;

  f->info = launch (f, "lab", HV_NETWORK_MODE_ISOLATED, 0);
  a = connect_port (f);
  b = connect_port (f);
  wait_for_ports (f, 2);
  test_port_send (a, frame, pkt_dhcp_discover (frame, mac_a, m.xid));
  /* The DISCOVER went round the segment, and nothing answered it. */
  g_assert_true (test_port_wait (b, match_source, (gpointer) mac_a, TIMEOUT_MS, NULL, NULL));
  g_assert_false (test_port_wait (a, match_offer, &m, 1500, NULL, NULL));
}

/* Frames of every bad length, then random frames that parse as far as
 * their Ethernet type: hv-net and its router survive them all. */
static void
send_garbage (TestPort *port)
{
  g_autofree guint8 *huge = g_malloc0 (65535 + 14 + 1);
  guint8 frame[2048];
  GRand *rand = g_rand_new_with_seed (20261126);
  static const guint16 types[] = { 0x0800, 0x0806, 0x86dd, 0x1234 };

  test_port_send (port, frame, 1);
  test_port_send (port, frame, 13);
  memcpy (huge, pkt_broadcast, 6);
  test_port_send (port, huge, 65535 + 14 + 1);
  for (guint i = 0; i < 200; i++)
    {
      gsize len = g_rand_int_range (rand, 14, sizeof frame);

      for (gsize j = 0; j < len; j++)
        frame[j] = g_rand_int (rand);
      memcpy (frame + 6, mac_c, 6);
      frame[12] = types[i % 4] >> 8;
      frame[13] = types[i % 4] & 0xff;
      if (i % 2 == 0)
        frame[14] = 0x45; /* looks like IPv4 */
      test_port_send (port, frame, len);
    }
  g_rand_free (rand);
}

static void
test_malformed (Fixture *f, gconstpointer data)
{
  guint8 frame[PKT_BUFFER];
  DhcpMatch m = { 0x99, 0 };
  g_autoptr (TestPort) bad = NULL;
  g_autoptr (TestPort) good = NULL;

  f->info = launch (f, "bad", HV_NETWORK_MODE_NAT, 0);
  bad = connect_port (f);
  good = connect_port (f);
  wait_for_ports (f, 3);
  send_garbage (bad);
  test_port_send (good, frame, pkt_dhcp_discover (frame, mac_a, m.xid));
  g_assert_true (test_port_wait (good, match_offer, &m, TIMEOUT_MS, NULL, NULL));
  g_assert_true (kill (hv_network_info_get_pid (f->info), 0) == 0);
  /* Port 1 is the router; the bad guest is port 2. */
  g_assert_cmpint (port_counter (f, 2, "dropped-in"), ==, 3);
  g_assert_cmpint (port_counter (f, 2, "frames-in"), ==, 200);
}

static guint16
free_tcp_port (void)
{
  struct sockaddr_in address = { .sin_family = AF_INET };
  socklen_t len = sizeof address;
  int sock = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (bind (sock, (struct sockaddr *) &address, sizeof address), ==, 0);
  g_assert_cmpint (getsockname (sock, (struct sockaddr *) &address, &len), ==, 0);
  close (sock);
  return ntohs (address.sin_port);
}

typedef struct
{
  guint32 ip;
  guint16 port;
} SynMatch;

static gboolean
match_syn (const guint8 *frame, gsize len, gpointer data)
{
  SynMatch *m = data;

  return pkt_is_tcp_syn (frame, len, m->ip, m->port);
}

static void
test_forward (Fixture *f, gconstpointer data)
{
  guint16 host_port = free_tcp_port ();
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_port = htons (host_port) };
  g_autoptr (TestPort) port = NULL;
  SynMatch m = { pkt_ip ("10.0.2.15"), 22 };
  Guest guest = { NULL, mac_a, m.ip };
  int sock;

  f->info = launch (f, "fwd", HV_NETWORK_MODE_NAT, host_port);
  port = connect_port (f);
  wait_for_ports (f, 2);
  guest.port = port;
  address.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  sock = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  g_assert_true (connect (sock, (struct sockaddr *) &address, sizeof address) == 0 ||
                 errno == EINPROGRESS);
  /* The router asks for the guest's MAC (answered), then opens the
   * connection on the guest's side with a SYN to port 22. */
  g_assert_true (guest_wait (&guest, match_syn, &m, NULL, NULL));
  close (sock);
}

static void
test_quit (Fixture *f, gconstpointer data)
{
  g_autoptr (HvNetworkInfo) info = launch (f, "q", HV_NETWORK_MODE_ISOLATED, 0);
  g_autoptr (HvNetworkInfo) other = launch (f, "r", HV_NETWORK_MODE_NAT, 0);
  g_autoptr (GPtrArray) list = hv_network_list (f->runtime, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (HvNetworkInfo) found = NULL;
  g_autoptr (JsonNode) ret = NULL;
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;

  g_assert_cmpuint (list->len, ==, 2);
  g_assert_cmpstr (hv_network_info_get_name (g_ptr_array_index (list, 0)), ==, "q");
  found = hv_network_lookup (f->runtime, "q", &error);
  g_assert_no_error (error);
  g_assert_cmpint (hv_network_info_get_pid (found), ==, hv_network_info_get_pid (info));

  f->info = info;
  ret = control_call (f, "quit");
  f->info = NULL;
  while (g_file_test (hv_network_info_get_runtime_dir (info), G_FILE_TEST_EXISTS) &&
         g_get_monotonic_time () < deadline)
    g_usleep (10000);
  g_assert_false (g_file_test (hv_network_info_get_runtime_dir (info), G_FILE_TEST_EXISTS));
  g_clear_pointer (&found, hv_network_info_free);
  found = hv_network_lookup (f->runtime, "q", &error);
  g_assert_error (error, HV_ERROR, HV_ERROR_NOT_FOUND);
  g_assert_null (found);

  /* hv_network_stop (): through the same quit, from the library. */
  g_assert_true (hv_network_stop (f->runtime, other, 5000, NULL));
  g_assert_false (g_file_test (hv_network_info_get_runtime_dir (other), G_FILE_TEST_EXISTS));
}

/* Lines that are not the protocol get errors of its classes; the client
 * and hv-net go on. The JSON is strict (docs/control-protocol.md): a quit
 * in single quotes, which json-glib took, quits nothing, and the last
 * line shows hv-net still answering. */
static void
test_bad_lines (Fixture *f, gconstpointer data)
{
  static const struct
  {
    const char *line;
    const char *reply;
  } cases[] = {
    { "not json", "\"GenericError\"" },
    { "", "\"GenericError\"" },
    { "{\"execute\": \"query-status\"", "\"GenericError\"" },
    { "{'execute': 'quit'}", "\"GenericError\"" },
    { "{\"execute\": \"quit\", \"id\": 01}", "\"GenericError\"" },
    { "{\"execute\": \"quit\", \"id\": \"\xff\"}", "\"GenericError\"" },
    { "{\"execute\": \"quit\",}", "\"GenericError\"" },
    { "[1, 2]", "\"GenericError\"" },
    { "{\"execute\": 5}", "\"GenericError\"" },
    { "{\"execute\": [\"quit\"]}", "\"GenericError\"" },
    { "{\"execute\": \"reboot\", \"id\": \"x\"}", "\"CommandNotFound\"" },
    { "{\"execute\": \"query-status\", \"id\": 9}", "\"mode\":\"isolated\"" },
  };
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketAddress) address = NULL;
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (GDataInputStream) input = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *greeting = NULL;
  GOutputStream *output;

  f->info = launch (f, "ctl", HV_NETWORK_MODE_ISOLATED, 0);
  address = g_unix_socket_address_new (hv_network_info_get_control_path (f->info));
  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
  g_assert_no_error (error);
  output = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  input = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  greeting = g_data_input_stream_read_line (input, NULL, NULL, &error);
  g_assert_nonnull (greeting);
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *line = g_strconcat (cases[i].line, "\n", NULL);
      g_autofree char *reply = NULL;

      g_assert_true (g_output_stream_write_all (output, line, strlen (line), NULL, NULL, &error));
      reply = g_data_input_stream_read_line (input, NULL, NULL, &error);
      g_assert_no_error (error);
      /* NULL: hv-net closed the connection, or quit. */
      g_assert_nonnull (reply);
      g_assert_nonnull (strstr (reply, cases[i].reply));
    }
}

static void
test_name_in_use (Fixture *f, gconstpointer data)
{
  g_autoptr (HvNetworkConfig) config = hv_network_config_new ("twice", HV_NETWORK_MODE_NAT);
  g_autoptr (GError) error = NULL;
  HvNetworkInfo *second;

  f->info = launch (f, "twice", HV_NETWORK_MODE_NAT, 0);
  second = hv_network_launch (f->runtime, config, NULL, &error);
  g_assert_error (error, HV_ERROR, HV_ERROR_NAME_IN_USE);
  g_assert_null (second);
  /* The running one is untouched. */
  g_assert_true (g_file_test (hv_network_info_get_switch_path (f->info), G_FILE_TEST_EXISTS));
}

static void
on_backend_frame (const guint8 *frame, gsize len, gpointer data)
{
  DhcpMatch *m = data;

  if (pkt_is_dhcp (frame, len, m->xid, 2, &m->yiaddr))
    m->xid = 0; /* seen */
}

static void
test_switch_backend (Fixture *f, gconstpointer data)
{
  guint8 frame[PKT_BUFFER];
  DhcpMatch m = { 0xfeed, 0 };
  g_autoptr (NetBackend) backend = NULL;
  g_autoptr (GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;
  NetBackendStats stats;

  f->info = launch (f, "port", HV_NETWORK_MODE_NAT, 0);
  backend = net_backend_switch_new (hv_network_info_get_switch_path (f->info), mac_a, NULL, &error);
  g_assert_no_error (error);
  net_backend_set_receive_func (backend, on_backend_frame, &m);
  g_assert_true (net_backend_send (backend, frame, pkt_dhcp_discover (frame, mac_a, m.xid)));
  while (m.xid != 0 && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_cmpuint (m.xid, ==, 0);
  assert_offer_in_range (m.yiaddr);
  g_assert_false (net_backend_send (backend, frame, 10));
  net_backend_get_stats (backend, &stats);
  g_assert_cmpuint (stats.frames_out, ==, 1);
  g_assert_cmpuint (stats.dropped_out, ==, 1);
  g_assert_cmpuint (stats.frames_in, >=, 1);
}

/* Leases. */

/* query-leases' list. */
static JsonArray *
query_leases (Fixture *f, JsonNode **ret)
{
  *ret = control_call (f, "query-leases");
  return json_object_get_array_member (json_node_get_object (*ret), "leases");
}

static void
assert_lease (JsonArray *leases, guint i, const char *mac, const char *address, const char *source)
{
  JsonObject *lease = json_array_get_object_element (leases, i);

  g_assert_cmpstr (json_object_get_string_member (lease, "mac"), ==, mac);
  g_assert_cmpstr (json_object_get_string_member (lease, "address"), ==, address);
  g_assert_cmpstr (json_object_get_string_member (lease, "source"), ==, source);
  g_assert_cmpint (json_object_get_int_member (lease, "age"), >=, 0);
  g_assert_cmpint (json_object_get_int_member (lease, "age"), <=, 5);
}

static char *
ip_text (guint32 ip)
{
  return g_strdup_printf ("%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff, ip & 0xff);
}

static gboolean
match_ack (const guint8 *frame, gsize len, gpointer data)
{
  DhcpMatch *m = data;

  return pkt_is_dhcp (frame, len, m->xid, 5, &m->yiaddr);
}

static gboolean
match_gateway_arp_reply (const guint8 *frame, gsize len, gpointer data)
{
  return pkt_is_arp_reply (frame, len, pkt_ip ("10.0.2.2"), NULL);
}

static void
test_leases_dhcp (Fixture *f, gconstpointer data)
{
  guint8 frame[PKT_BUFFER];
  DhcpMatch offer = { 0x1ea5e, 0 };
  DhcpMatch acked = { 0x1ea5e, 0 };
  g_autoptr (TestPort) port = NULL;
  g_autoptr (JsonNode) ret = NULL;
  g_autoptr (JsonNode) ret2 = NULL;
  g_autoptr (GPtrArray) leases = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *address = NULL;
  JsonArray *list;
  HvNetworkLease *lease;

  f->info = launch (f, "leases", HV_NETWORK_MODE_NAT, 0);
  port = connect_port (f);
  test_port_send (port, frame, pkt_dhcp_discover (frame, mac_a, offer.xid));
  g_assert_true (test_port_wait (port, match_offer, &offer, TIMEOUT_MS, NULL, NULL));
  assert_offer_in_range (offer.yiaddr);
  /* An OFFER is no lease. */
  list = query_leases (f, &ret);
  g_assert_cmpuint (json_array_get_length (list), ==, 0);

  test_port_send (port, frame,
                  pkt_dhcp_request (frame, mac_a, acked.xid, offer.yiaddr, pkt_ip ("10.0.2.2")));
  g_assert_true (test_port_wait (port, match_ack, &acked, TIMEOUT_MS, NULL, NULL));
  g_assert_cmphex (acked.yiaddr, ==, offer.yiaddr);
  /* The guest ARPs for its gateway, and another claims the gateway's
   * address: the first keeps its DHCP lease, the claim and the router's
   * reply teach nothing. The reply also says both ARPs were taken in. */
  test_port_send (port, frame, pkt_arp_request (frame, mac_b, pkt_ip ("10.0.2.2"), 1));
  test_port_send (port, frame, pkt_arp_request (frame, mac_a, offer.yiaddr, pkt_ip ("10.0.2.2")));
  g_assert_true (test_port_wait (port, match_gateway_arp_reply, NULL, TIMEOUT_MS, NULL, NULL));

  address = ip_text (offer.yiaddr);
  list = query_leases (f, &ret2);
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  assert_lease (list, 0, "52:54:00:00:00:0a", address, "dhcp");

  /* The same through libhvcore. */
  leases = hv_network_query_leases (f->runtime, "leases", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (leases->len, ==, 1);
  lease = g_ptr_array_index (leases, 0);
  g_assert_cmpstr (lease->mac, ==, "52:54:00:00:00:0a");
  g_assert_cmpstr (lease->address, ==, address);
  g_assert_cmpstr (lease->source, ==, "dhcp");
  g_assert_null (hv_network_query_leases (f->runtime, "absent", NULL, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_NOT_FOUND);
}

static void
test_leases_arp (Fixture *f, gconstpointer data)
{
  guint8 frame[PKT_BUFFER];
  g_autoptr (TestPort) a = NULL;
  g_autoptr (TestPort) b = NULL;
  g_autoptr (JsonNode) ret = NULL;
  g_autoptr (GPtrArray) leases = NULL;
  g_autoptr (GError) error = NULL;
  JsonArray *list;

  f->info = launch (f, "lan", HV_NETWORK_MODE_ISOLATED, 0);
  a = connect_port (f);
  b = connect_port (f);
  wait_for_ports (f, 2);
  /* B's reply first: the list is by MAC, not by time. */
  test_port_send (
      b, frame,
      pkt_arp_reply (frame, mac_b, pkt_ip ("192.168.7.2"), mac_a, pkt_ip ("192.168.7.1")));
  g_assert_true (test_port_wait (a, match_source, (gpointer) mac_b, TIMEOUT_MS, NULL, NULL));
  test_port_send (a, frame,
                  pkt_arp_request (frame, mac_a, pkt_ip ("192.168.7.1"), pkt_ip ("192.168.7.2")));
  g_assert_true (test_port_wait (b, match_source, (gpointer) mac_a, TIMEOUT_MS, NULL, NULL));

  list = query_leases (f, &ret);
  g_assert_cmpuint (json_array_get_length (list), ==, 2);
  assert_lease (list, 0, "52:54:00:00:00:0a", "192.168.7.1", "arp");
  assert_lease (list, 1, "52:54:00:00:00:0b", "192.168.7.2", "arp");

  leases = hv_network_query_leases (f->runtime, "lan", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (leases->len, ==, 2);
  g_assert_cmpstr (((HvNetworkLease *) leases->pdata[1])->address, ==, "192.168.7.2");
  g_assert_cmpstr (((HvNetworkLease *) leases->pdata[1])->source, ==, "arp");
}

/* Truncated and lying DHCP ACKs and ARPs from a guest: hv-net lives,
 * and learns nothing until a whole one comes. */
static void
test_leases_malformed (Fixture *f, gconstpointer data)
{
  static const guint8 server_mac[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x5e };
  static const guint8 marker_mac[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0xee };
  guint8 ack[PKT_BUFFER];
  guint8 arp[PKT_BUFFER];
  guint8 frame[PKT_BUFFER];
  gsize ack_len = pkt_dhcp_reply (ack, 5, server_mac, pkt_ip ("192.168.7.254"), mac_a, 3,
                                  pkt_ip ("192.168.7.50"));
  gsize arp_len = pkt_arp_request (arp, mac_b, pkt_ip ("192.168.7.2"), pkt_ip ("192.168.7.1"));
  g_autoptr (TestPort) a = NULL;
  g_autoptr (TestPort) b = NULL;
  g_autoptr (JsonNode) ret = NULL;
  g_autoptr (JsonNode) ret2 = NULL;
  JsonArray *list;

  f->info = launch (f, "junk", HV_NETWORK_MODE_ISOLATED, 0);
  a = connect_port (f);
  b = connect_port (f);
  wait_for_ports (f, 2);
  for (gsize len = 14; len < ack_len; len++)
    test_port_send (a, ack, len);
  for (gsize len = 14; len < arp_len; len++)
    test_port_send (a, arp, len);
  /* Lengths that lie: IPv4 and UDP longer than the frame, an option
   * running past the message, ARP with 8-byte hardware addresses. */
  memcpy (frame, ack, ack_len);
  frame[14 + 2] = 0xff;
  test_port_send (a, frame, ack_len);
  memcpy (frame, ack, ack_len);
  frame[34 + 4] = 0xff;
  test_port_send (a, frame, ack_len);
  memcpy (frame, ack, ack_len);
  frame[42 + 241] = 0xff;
  test_port_send (a, frame, ack_len);
  memcpy (frame, arp, arp_len);
  frame[14 + 4] = 8;
  test_port_send (a, frame, arp_len);
  send_garbage (a);
  /* A last frame reaching B says all of A's went through. */
  test_port_send (a, frame,
                  pkt_icmp_echo (frame, marker_mac, pkt_broadcast, pkt_ip ("192.168.7.9"),
                                 pkt_ip ("192.168.7.255"), 1, 1));
  g_assert_true (test_port_wait (b, match_source, (gpointer) marker_mac, TIMEOUT_MS, NULL, NULL));
  g_assert_true (kill (hv_network_info_get_pid (f->info), 0) == 0);
  list = query_leases (f, &ret);
  g_assert_cmpuint (json_array_get_length (list), ==, 0);

  /* Whole, the same frames teach: a DHCP server on the LAN, and ARP. */
  test_port_send (a, ack, ack_len);
  test_port_send (a, arp, arp_len);
  g_assert_true (test_port_wait (b, match_source, (gpointer) mac_b, TIMEOUT_MS, NULL, NULL));
  list = query_leases (f, &ret2);
  g_assert_cmpuint (json_array_get_length (list), ==, 2);
  assert_lease (list, 0, "52:54:00:00:00:0a", "192.168.7.50", "dhcp");
  assert_lease (list, 1, "52:54:00:00:00:0b", "192.168.7.2", "arp");
}

/* A guest inventing MACs fills the table to its bound (1024, net-leases.h),
 * no further, and the reply to query-leases still comes whole. */
static void
test_leases_full (Fixture *f, gconstpointer data)
{
  const guint max = 1024;
  guint8 frame[PKT_BUFFER];
  g_autoptr (TestPort) a = NULL;
  g_autoptr (GPtrArray) leases = NULL;
  g_autoptr (GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_MS * 1000;
  guint n = 0;

  f->info = launch (f, "full", HV_NETWORK_MODE_ISOLATED, 0);
  a = connect_port (f);
  for (guint i = 0; i < max + 100; i++)
    {
      guint8 mac[6] = { 0x52, 0x54, 0x01, 0, i >> 8, i };

      test_port_send (a, frame, pkt_arp_request (frame, mac, pkt_ip ("10.9.0.1") + i, 1));
    }
  while (n < max && g_get_monotonic_time () < deadline)
    {
      g_autoptr (JsonNode) ret = NULL;

      n = json_array_get_length (query_leases (f, &ret));
      g_usleep (10000);
    }
  g_assert_cmpuint (n, ==, max);
  leases = hv_network_query_leases (f->runtime, "full", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (leases->len, ==, max);
}

int
main (int argc, char **argv)
{
  net_sandbox_enter ("nameserver 127.0.0.1\n");
  signal (SIGABRT, kill_launched);
  signal (SIGTRAP, kill_launched);
  g_test_init (&argc, &argv, NULL);
  if (argc > 1)
    g_setenv ("HV_NET_PATH", argv[1], TRUE);
  /* hv-net inherits this: a critical warning there ends it, and the test
   * that caused it fails. */
  g_setenv ("G_DEBUG", "fatal-criticals,gc-friendly", TRUE);

  g_test_add ("/hv-net/nat/dhcp", Fixture, NULL, fixture_set_up, test_dhcp, fixture_tear_down);
  g_test_add ("/hv-net/nat/dns", Fixture, NULL, fixture_set_up, test_dns, fixture_tear_down);
  g_test_add ("/hv-net/nat/forward", Fixture, NULL, fixture_set_up, test_forward,
              fixture_tear_down);
  g_test_add ("/hv-net/switch/learning-and-flooding", Fixture, NULL, fixture_set_up, test_switching,
              fixture_tear_down);
  g_test_add ("/hv-net/isolated/no-dhcp", Fixture, NULL, fixture_set_up, test_isolated_no_dhcp,
              fixture_tear_down);
  g_test_add ("/hv-net/malformed", Fixture, NULL, fixture_set_up, test_malformed,
              fixture_tear_down);
  g_test_add ("/hv-net/control/quit", Fixture, NULL, fixture_set_up, test_quit, fixture_tear_down);
  g_test_add ("/hv-net/control/bad-lines", Fixture, NULL, fixture_set_up, test_bad_lines,
              fixture_tear_down);
  g_test_add ("/hv-net/launch/name-in-use", Fixture, NULL, fixture_set_up, test_name_in_use,
              fixture_tear_down);
  g_test_add ("/hv-net/leases/dhcp", Fixture, NULL, fixture_set_up, test_leases_dhcp,
              fixture_tear_down);
  g_test_add ("/hv-net/leases/arp", Fixture, NULL, fixture_set_up, test_leases_arp,
              fixture_tear_down);
  g_test_add ("/hv-net/leases/malformed", Fixture, NULL, fixture_set_up, test_leases_malformed,
              fixture_tear_down);
  g_test_add ("/hv-net/leases/full", Fixture, NULL, fixture_set_up, test_leases_full,
              fixture_tear_down);
  g_test_add ("/hv-net/backend/switch", Fixture, NULL, fixture_set_up, test_switch_backend,
              fixture_tear_down);
  return g_test_run ();
}
