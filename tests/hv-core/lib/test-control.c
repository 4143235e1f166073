/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * control.c and console.c against the fake VMM of fake-vmm.c: the protocol's
 * framing and rules as a raw client sees them, and libhvcore's HvClient
 * speaking to the real server code.
 */

#include "config.h"

#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <hv/hv.h>
#include <json-glib/json-glib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "console.h"
#include "control.h"
#include "fake-vmm.h"

#define TIMEOUT_US (5 * G_USEC_PER_SEC)

typedef struct
{
  char *dir;
  char *control_path;
  char *console_path;
  char *log_path;
  Vmm *vmm;
  ControlServer *control;
  ConsoleServer *console;
} Fixture;

static void
on_vmm_event (const VmmEvent *event, void *user_data)
{
  Fixture *fixture = user_data;

  control_server_emit (fixture->control, event);
}

static void
on_vmm_output (const uint8_t *bytes, size_t len, void *user_data)
{
  Fixture *fixture = user_data;

  console_server_output (fixture->console, bytes, len);
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  VmmConfig config = { .name = "demo",
                       .uuid = "0b5d3f7e-1c2a-4e8b-9a61-2f4c7d9e0a13",
                       .kernel_path = "/nonexistent",
                       .memory_mib = 256,
                       .cpus = 2 };
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("hv-control-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->control_path = g_build_filename (fixture->dir, "control.sock", NULL);
  fixture->console_path = g_build_filename (fixture->dir, "console.sock", NULL);
  fixture->log_path = g_build_filename (fixture->dir, "console.log", NULL);
  fixture->vmm = vmm_new (&config, &error);
  g_assert_no_error (error);
  fixture->control = control_server_new (fixture->vmm, fixture->control_path, &error);
  g_assert_no_error (error);
  fixture->console =
      console_server_new (fixture->vmm, fixture->console_path, fixture->log_path, &error);
  g_assert_no_error (error);
  vmm_set_event_func (fixture->vmm, on_vmm_event, fixture);
  vmm_set_console_output_func (fixture->vmm, on_vmm_output, fixture);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  control_server_free (fixture->control);
  console_server_free (fixture->console);
  /* Both servers unlink their sockets. */
  g_assert_false (g_file_test (fixture->control_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (fixture->console_path, G_FILE_TEST_EXISTS));
  vmm_free (fixture->vmm);
  g_unlink (fixture->log_path);
  g_rmdir (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->control_path);
  g_free (fixture->console_path);
  g_free (fixture->log_path);
}

/* ---- a raw client, driven from the test's main loop ---- */

typedef struct
{
  GSocket *socket;
  GByteArray *buf;
  gboolean eof;
} Conn;

static Conn *
conn_new (const char *path)
{
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (path);
  g_autoptr (GError) error = NULL;
  Conn *conn = g_new0 (Conn, 1);

  conn->socket =
      g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, &error);
  g_assert_no_error (error);
  g_socket_connect (conn->socket, address, NULL, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (conn->socket, FALSE);
  conn->buf = g_byte_array_new ();
  return conn;
}

static void
conn_free (Conn *conn)
{
  g_object_unref (conn->socket);
  g_byte_array_unref (conn->buf);
  g_free (conn);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Conn, conn_free)

static void
conn_send (Conn *conn, const char *data, gsize len)
{
  gsize done = 0;

  while (done < len)
    {
      g_autoptr (GError) error = NULL;
      gssize n = g_socket_send (conn->socket, data + done, len - done, NULL, &error);

      if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        {
          /* Let the server read some. */
          g_main_context_iteration (NULL, FALSE);
          continue;
        }
      if (n < 0)
        return; /* the server closed: callers check for that */
      done += n;
    }
}

/* Reads what is there; runs the main loop (the servers) meanwhile. */
static void
conn_pump (Conn *conn)
{
  char chunk[65536];
  gssize n;

  while (g_main_context_iteration (NULL, FALSE))
    ;
  n = g_socket_receive (conn->socket, chunk, sizeof chunk, NULL, NULL);
  if (n > 0)
    g_byte_array_append (conn->buf, (const guint8 *) chunk, n);
  else if (n == 0)
    conn->eof = TRUE;
  else
    g_usleep (1000);
}

/* The next line as it came, without its newline. */
static char *
conn_read_line (Conn *conn)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;
  guint8 *newline = NULL;
  char *line;

  /* An empty GByteArray's data is NULL, which memchr () must not get. */
  while (conn->buf->len == 0 || (newline = memchr (conn->buf->data, '\n', conn->buf->len)) == NULL)
    {
      g_assert_false (conn->eof);
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      conn_pump (conn);
    }
  line = g_strndup ((const char *) conn->buf->data, newline - conn->buf->data);
  g_byte_array_remove_range (conn->buf, 0, newline - conn->buf->data + 1);
  return line;
}

/* The next line, which must be a JSON object: parsed by json-glib, an
 * implementation apart from the server's. */
static JsonObject *
conn_read_message (Conn *conn)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *line = conn_read_line (conn);

  json_parser_load_from_data (parser, line, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
conn_wait_eof (Conn *conn)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;

  while (!conn->eof)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      conn_pump (conn);
    }
}

static void
conn_wait_bytes (Conn *conn, gsize len)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;

  while (conn->buf->len < len)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      conn_pump (conn);
    }
}

/* Nothing more arrives for a while. */
static void
conn_assert_quiet (Conn *conn)
{
  for (int i = 0; i < 50; i++)
    conn_pump (conn);
  g_assert_cmpuint (conn->buf->len, ==, 0);
}

static Conn *
control_conn_new (Fixture *fixture)
{
  Conn *conn = conn_new (fixture->control_path);
  g_autoptr (JsonObject) greeting = conn_read_message (conn);

  g_assert_true (json_object_has_member (greeting, "greeting"));
  return conn;
}

static void
assert_error (JsonObject *reply, const char *klass, gint64 id)
{
  JsonObject *error = json_object_get_object_member (reply, "error");

  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "class"), ==, klass);
  g_assert_nonnull (json_object_get_string_member (error, "desc"));
  if (id < 0)
    g_assert_false (json_object_has_member (reply, "id"));
  else
    g_assert_cmpint (json_object_get_int_member (reply, "id"), ==, id);
}

static void
assert_return (JsonObject *reply, gint64 id)
{
  g_assert_true (json_object_has_member (reply, "return"));
  g_assert_false (json_object_has_member (reply, "error"));
  g_assert_cmpint (json_object_get_int_member (reply, "id"), ==, id);
}

static void
assert_event (JsonObject *message, const char *name)
{
  JsonObject *timestamp = json_object_get_object_member (message, "timestamp");

  g_assert_cmpstr (json_object_get_string_member (message, "event"), ==, name);
  g_assert_nonnull (json_object_get_object_member (message, "data"));
  g_assert_nonnull (timestamp);
  g_assert_cmpint (json_object_get_int_member (timestamp, "seconds"), >, 0);
}

#define SEND(conn, text) conn_send ((conn), (text), strlen (text))

/* ---- control ---- */

static void
test_greeting (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Conn) conn = conn_new (fixture->control_path);
  g_autoptr (JsonObject) message = conn_read_message (conn);
  JsonObject *greeting = json_object_get_object_member (message, "greeting");

  g_assert_nonnull (greeting);
  g_assert_cmpstr (json_object_get_string_member (greeting, "name"), ==, "demo");
  g_assert_cmpstr (json_object_get_string_member (greeting, "uuid"), ==,
                   "0b5d3f7e-1c2a-4e8b-9a61-2f4c7d9e0a13");
  g_assert_cmpint (json_object_get_int_member (greeting, "pid"), ==, getpid ());
  g_assert_cmpstr (json_object_get_string_member (greeting, "version"), ==, PACKAGE_VERSION);
}

static void
test_query_status (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Conn) conn = control_conn_new (fixture);
  g_autoptr (JsonObject) reply = NULL;
  JsonObject *result;

  SEND (conn, "{\"execute\": \"query-status\", \"id\": 7}\n");
  reply = conn_read_message (conn);
  assert_return (reply, 7);
  result = json_object_get_object_member (reply, "return");
  g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, "running");
  g_assert_cmpstr (json_object_get_string_member (result, "name"), ==, "demo");
  g_assert_cmpint (json_object_get_int_member (result, "cpus"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (result, "memory-mib"), ==, 256);
  g_assert_cmpint (json_object_get_int_member (result, "pid"), ==, getpid ());
}

static void
test_query_block (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Conn) conn = control_conn_new (fixture);
  g_autoptr (JsonObject) reply = NULL;
  JsonArray *disks;
  JsonObject *disk;

  SEND (conn, "{\"execute\": \"query-block\", \"id\": 8}\n");
  reply = conn_read_message (conn);
  assert_return (reply, 8);
  disks = json_object_get_array_member (json_object_get_object_member (reply, "return"), "disks");
  g_assert_cmpuint (json_array_get_length (disks), ==, 1);
  disk = json_array_get_object_element (disks, 0);
  g_assert_cmpstr (json_object_get_string_member (disk, "id"), ==, "disk0");
  g_assert_cmpstr (json_object_get_string_member (disk, "path"), ==, "/images/demo.img");
  g_assert_true (json_object_get_boolean_member (disk, "readonly"));
  g_assert_cmpint (json_object_get_int_member (disk, "size"), ==, 1 << 20);
  g_assert_cmpint (json_object_get_int_member (disk, "requests"), ==, 7);
  g_assert_cmpint (json_object_get_int_member (disk, "read-bytes"), ==, 4096);
  g_assert_cmpint (json_object_get_int_member (disk, "written-bytes"), ==, 512);
  g_assert_cmpint (json_object_get_int_member (disk, "errors"), ==, 2);
}

static void
test_query_nics (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Conn) conn = control_conn_new (fixture);
  g_autoptr (JsonObject) reply = NULL;
  JsonArray *nics;
  JsonObject *nic;

  SEND (conn, "{\"execute\": \"query-nics\", \"id\": 9}\n");
  reply = conn_read_message (conn);
  assert_return (reply, 9);
  nics = json_object_get_array_member (json_object_get_object_member (reply, "return"), "nics");
  g_assert_cmpuint (json_array_get_length (nics), ==, 1);
  nic = json_array_get_object_element (nics, 0);
  g_assert_cmpstr (json_object_get_string_member (nic, "id"), ==, "net0");
  g_assert_cmpstr (json_object_get_string_member (nic, "mac"), ==, "52:54:00:12:34:56");
  g_assert_cmpstr (json_object_get_string_member (nic, "backend"), ==, "user");
  g_assert_cmpint (json_object_get_int_member (nic, "rx-frames"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (nic, "rx-bytes"), ==, 1000);
  g_assert_cmpint (json_object_get_int_member (nic, "tx-frames"), ==, 4);
  g_assert_cmpint (json_object_get_int_member (nic, "tx-bytes"), ==, 2000);
  g_assert_cmpint (json_object_get_int_member (nic, "rx-dropped"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (nic, "tx-dropped"), ==, 0);
}

static void
test_malformed (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Conn) conn = control_conn_new (fixture);
  const char *bad[] = { "this is not JSON\n", "[1, 2, 3]\n",         "\"execute\"\n",
                        "{\"execute\": \n",   "{\"execute\": 42}\n", "{\"arguments\": {}}\n",
                        "\xff\xfe{}\n" };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (JsonObject) reply = NULL;

      SEND (conn, bad[i]);
      reply = conn_read_message (conn);
      assert_error (reply, "GenericError", -1);
    }

  /* An id, where there is one, still comes back with the error. */
  {
    g_autoptr (JsonObject) reply = NULL;
    SEND (conn, "{\"id\": 9}\n");
    reply = conn_read_message (conn);
    assert_error (reply, "GenericError", 9);
  }
  /* Blank lines are no requests, and the connection goes on. */
  SEND (conn, "\n  \n");
  {
    g_autoptr (JsonObject) reply = NULL;
    SEND (conn, "{\"execute\": \"query-status\", \"id\": 10}\n");
    reply = conn_read_message (conn);
    assert_return (reply, 10);
  }
}

/* The bytes themselves, as json-glib's generator wrote them before
 * hv-json.c: compact, members in order, the id echoed whatever it is. */
static void
test_wire (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Conn) conn = conn_new (fixture->control_path);
  g_autofree char *greeting = conn_read_line (conn);
  g_autofree char *not_found = NULL;
  g_autofree char *not_json = NULL;
  g_autofree char *status = NULL;
  g_autofree char *expected = NULL;

  expected = g_strdup_printf ("{\"greeting\":{\"name\":\"demo\",\"uuid\":"
                              "\"0b5d3f7e-1c2a-4e8b-9a61-2f4c7d9e0a13\",\"pid\":%d,"
                              "\"version\":\"%s\"}}",
                              (int) getpid (), PACKAGE_VERSION);
  g_assert_cmpstr (greeting, ==, expected);

  SEND (conn, "{\"execute\": \"fly\", \"id\": [1, -2.5e0, \"\\u00e9\\t\", null, true, {}]}\n");
  not_found = conn_read_line (conn);
  g_assert_cmpstr (not_found, ==,
                   "{\"error\":{\"class\":\"CommandNotFound\",\"desc\":\"The command “fly” does "
                   "not exist\"},\"id\":[1,-2.5,\"é\\t\",null,true,{}]}");

  SEND (conn, "{\"execute\": x}\n");
  not_json = conn_read_line (conn);
  g_assert_cmpstr (not_json, ==,
                   "{\"error\":{\"class\":\"GenericError\",\"desc\":\"The request is not valid "
                   "JSON: Unexpected character at byte 13\"}}");

  SEND (conn, "{\"execute\": \"query-status\", \"id\": 3}\n");
  status = conn_read_line (conn);
  g_clear_pointer (&expected, g_free);
  expected = g_strdup_printf ("{\"return\":{\"status\":\"running\",\"name\":\"demo\",\"uuid\":"
                              "\"0b5d3f7e-1c2a-4e8b-9a61-2f4c7d9e0a13\",\"pid\":%d,\"cpus\":2,"
                              "\"memory-mib\":256},\"id\":3}",
                              (int) getpid ());
  g_assert_cmpstr (status, ==, expected);
}

static void
test_unknown_command (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Conn) conn = control_conn_new (fixture);
  g_autoptr (JsonObject) reply = NULL;
  g_autoptr (JsonObject) reply2 = NULL;

  SEND (conn, "{\"execute\": \"fly-to-the-moon\", \"id\": \"x\"}\n");
  reply = conn_read_message (conn);
  g_assert_cmpstr (json_object_get_string_member (reply, "id"), ==, "x");
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (reply, "error"), "class"), ==,
      "CommandNotFound");

  SEND (conn, "{\"execute\": \"pause\", \"arguments\": 5, \"id\": 2}\n");
  reply2 = conn_read_message (conn);
  assert_error (reply2, "InvalidParameter", 2);
}

static void
test_in_order (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Conn) conn = control_conn_new (fixture);
  JsonObject *messages[6];

  /* One write, five requests: the replies come in order, and pause's STOP
   * and resume's RESUME come before their replies. */
  SEND (conn, "{\"execute\": \"query-status\", \"id\": 1}\n"
              "{\"execute\": \"pause\", \"id\": 2}\n"
              "{\"execute\": \"pause\", \"id\": 3}\n"
              "{\"execute\": \"resume\", \"id\": 4}\n");
  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    messages[i] = conn_read_message (conn);
  assert_return (messages[0], 1);
  assert_event (messages[1], "STOP");
  assert_return (messages[2], 2);
  assert_error (messages[3], "InvalidState", 3);
  assert_event (messages[4], "RESUME");
  assert_return (messages[5], 4);
  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    json_object_unref (messages[i]);
  g_assert_cmpint (vmm_get_status (fixture->vmm), ==, VMM_STATUS_RUNNING);
}

static void
test_two_clients (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Conn) a = control_conn_new (fixture);
  g_autoptr (Conn) b = control_conn_new (fixture);
  g_autoptr (JsonObject) a_event = NULL;
  g_autoptr (JsonObject) a_reply = NULL;
  g_autoptr (JsonObject) b_event = NULL;
  g_autoptr (JsonObject) b_reply = NULL;

  SEND (a, "{\"execute\": \"pause\", \"id\": 1}\n");
  a_event = conn_read_message (a);
  a_reply = conn_read_message (a);
  assert_event (a_event, "STOP");
  assert_return (a_reply, 1);
  /* B gets the event, not A's reply. */
  b_event = conn_read_message (b);
  assert_event (b_event, "STOP");
  conn_assert_quiet (b);

  SEND (b, "{\"execute\": \"query-status\", \"id\": 5}\n");
  b_reply = conn_read_message (b);
  assert_return (b_reply, 5);
  conn_assert_quiet (a);
}

static void
test_long_line (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Conn) a = control_conn_new (fixture);
  g_autoptr (Conn) b = control_conn_new (fixture);
  g_autofree char *longest = g_malloc (64 * 1024);
  g_autofree char *too_long = g_malloc (64 * 1024 + 1);
  g_autoptr (JsonObject) reply = NULL;
  g_autoptr (JsonObject) b_reply = NULL;

  /* A line of exactly the limit, newline included, is read (and refused as
   * not JSON); one byte more closes that connection and no other. */
  memset (longest, ' ', 64 * 1024 - 1);
  longest[0] = 'x';
  longest[64 * 1024 - 1] = '\n';
  conn_send (a, longest, 64 * 1024);
  reply = conn_read_message (a);
  assert_error (reply, "GenericError", -1);

  memset (too_long, ' ', 64 * 1024);
  too_long[64 * 1024] = '\n';
  conn_send (a, too_long, 64 * 1024 + 1);
  conn_wait_eof (a);

  SEND (b, "{\"execute\": \"query-status\", \"id\": 1}\n");
  b_reply = conn_read_message (b);
  assert_return (b_reply, 1);
}

static void
test_unterminated_flood (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Conn) a = control_conn_new (fixture);
  g_autofree char *flood = g_malloc (256 * 1024);

  /* No newline at all: the server must not wait for one for ever. */
  memset (flood, '{', 256 * 1024);
  conn_send (a, flood, 256 * 1024);
  conn_wait_eof (a);
  g_assert_cmpint (vmm_get_status (fixture->vmm), ==, VMM_STATUS_RUNNING);
}

static void
test_quit (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Conn) a = control_conn_new (fixture);
  g_autoptr (Conn) b = control_conn_new (fixture);
  g_autoptr (JsonObject) reply = NULL;
  g_autoptr (JsonObject) event = NULL;
  g_autoptr (JsonObject) b_event = NULL;

  SEND (a, "{\"execute\": \"quit\", \"id\": 1}\n");
  reply = conn_read_message (a);
  assert_return (reply, 1);
  event = conn_read_message (a);
  assert_event (event, "SHUTDOWN");
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (event, "data"), "reason"), ==,
      "host-quit");
  b_event = conn_read_message (b);
  assert_event (b_event, "SHUTDOWN");
  g_assert_cmpint (vmm_get_status (fixture->vmm), ==, VMM_STATUS_SHUTDOWN);
}

static void
test_powerdown_reset (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Conn) conn = control_conn_new (fixture);
  g_autoptr (JsonObject) reply = NULL;
  g_autoptr (JsonObject) event = NULL;
  g_autoptr (JsonObject) reply2 = NULL;

  SEND (conn, "{\"execute\": \"powerdown\", \"id\": 1}\n");
  reply = conn_read_message (conn);
  assert_return (reply, 1);
  g_assert_cmpuint (fake_vmm_get_powerdowns (fixture->vmm), ==, 1);

  SEND (conn, "{\"execute\": \"reset\", \"id\": 2}\n");
  event = conn_read_message (conn);
  assert_event (event, "RESET");
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (event, "data"), "reason"), ==,
      "host-reset");
  reply2 = conn_read_message (conn);
  assert_return (reply2, 2);
}

/* SHUTDOWN after a fatal error carries its message. */
static void
test_internal_error (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Conn) conn = control_conn_new (fixture);
  g_autoptr (JsonObject) event = NULL;
  JsonObject *event_data;

  fake_vmm_fail (fixture->vmm, "KVM hit an internal error on virtual CPU 0");
  event = conn_read_message (conn);
  assert_event (event, "SHUTDOWN");
  event_data = json_object_get_object_member (event, "data");
  g_assert_cmpstr (json_object_get_string_member (event_data, "reason"), ==, "internal-error");
  g_assert_cmpstr (json_object_get_string_member (event_data, "message"), ==,
                   "KVM hit an internal error on virtual CPU 0");
}

/* A client that never reads does not hold up the others. */
static void
test_stuck_client (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Conn) stuck = control_conn_new (fixture);
  g_autoptr (Conn) b = control_conn_new (fixture);

  for (int i = 0; i < 2000; i++)
    {
      g_autoptr (JsonObject) reply = NULL;

      SEND (stuck, "{\"execute\": \"query-status\", \"id\": 1}\n");
      SEND (b, "{\"execute\": \"query-status\", \"id\": 2}\n");
      reply = conn_read_message (b);
      assert_return (reply, 2);
    }
}

/* ---- HvClient against the real server ---- */

typedef struct
{
  const char *path;
  GPtrArray *events;
  GError *error;
  char *status;
} ClientJob;

static void
on_client_event (HvClient *client, const char *name, JsonObject *data, gint64 timestamp,
                 ClientJob *job)
{
  g_ptr_array_add (job->events, g_strdup (name));
}

/* The sync API in a thread of its own, as hvctl uses it, while the main
 * thread runs the servers. */
static gpointer
client_thread (gpointer data)
{
  ClientJob *job = data;
  g_autoptr (HvClient) client = hv_client_new_sync (job->path, NULL, &job->error);
  g_autoptr (JsonObject) result = NULL;
  g_autoptr (JsonObject) status = NULL;

  if (client == NULL)
    return NULL;
  g_assert_cmpstr (hv_client_get_name (client), ==, "demo");
  g_assert_cmpint (hv_client_get_pid (client), ==, getpid ());
  g_signal_connect (client, "event", G_CALLBACK (on_client_event), job);

  result = hv_client_execute_sync (client, "pause", NULL, NULL, &job->error);
  if (result == NULL)
    return NULL;
  /* The STOP event came before pause returned. */
  g_assert_cmpuint (job->events->len, ==, 1);
  status = hv_client_execute_sync (client, "query-status", NULL, NULL, &job->error);
  if (status != NULL)
    job->status = g_strdup (json_object_get_string_member (status, "status"));
  g_assert_null (hv_client_execute_sync (client, "pause", NULL, NULL, &job->error));
  return NULL;
}

static void
test_hv_client_sync (Fixture *fixture, gconstpointer data)
{
  ClientJob job = { fixture->control_path, g_ptr_array_new_with_free_func (g_free), NULL, NULL };
  GThread *thread = g_thread_new ("client", client_thread, &job);
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;

  while (job.error == NULL && job.status == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  while (job.error == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
  g_thread_join (thread);

  g_assert_error (job.error, HV_ERROR, HV_ERROR_INVALID_STATE);
  g_assert_cmpstr (job.status, ==, "paused");
  g_assert_cmpuint (job.events->len, ==, 1);
  g_assert_cmpstr (job.events->pdata[0], ==, "STOP");
  g_clear_error (&job.error);
  g_free (job.status);
  g_ptr_array_unref (job.events);
}

static void
on_async_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **result)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;

  while (*result == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, FALSE);
    }
  return *result;
}

static void
on_closed (HvClient *client, const GError *error, gboolean *closed)
{
  *closed = TRUE;
}

static void
test_hv_client_async (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GAsyncResult) new_result = NULL;
  g_autoptr (GAsyncResult) quit_result = NULL;
  g_autoptr (HvClient) client = NULL;
  g_autoptr (JsonObject) reply = NULL;
  g_autoptr (GError) error = NULL;
  ClientJob job = { .events = events };
  gboolean closed = FALSE;

  hv_client_new (fixture->control_path, NULL, on_async_result, &new_result);
  client = hv_client_new_finish (wait_result (&new_result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hv_client_get_uuid (client), ==, "0b5d3f7e-1c2a-4e8b-9a61-2f4c7d9e0a13");
  g_signal_connect (client, "event", G_CALLBACK (on_client_event), &job);
  g_signal_connect (client, "closed", G_CALLBACK (on_closed), &closed);

  hv_client_execute (client, "quit", NULL, NULL, on_async_result, &quit_result);
  reply = hv_client_execute_finish (client, wait_result (&quit_result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (reply);

  /* The SHUTDOWN that follows quit; then the server goes away. */
  {
    gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;
    while (events->len == 0 && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, FALSE);
  }
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpstr (events->pdata[0], ==, "SHUTDOWN");
  control_server_free (fixture->control);
  fixture->control = control_server_new (fixture->vmm, fixture->control_path, &error);
  g_assert_no_error (error);
  {
    gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;
    while (!closed && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, FALSE);
  }
  g_assert_true (closed);
  g_assert_true (hv_client_is_closed (client));
}

static void
on_closed_error (HvClient *client, const GError *error, GError **out)
{
  *out = error != NULL ? g_error_copy (error) : NULL;
}

/* A peer that does not speak the protocol ends the connection with an
 * error, and fails the calls waiting on it. */
static void
test_hv_client_protocol_error (void)
{
  const char *const bad[] = { "{\"greeting\": 5}\n", "not json\n", "{\"event\": \"STOP\"}\n",
                              "{\"greeting\": {\"name\": \"x\", \"uuid\": \"y\"}}\n"
                              "{\"return\": {}, \"id\": 99}\n" };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GError) closed = NULL;
      g_autoptr (GSocket) ours = NULL;
      g_autoptr (GSocket) theirs = NULL;
      g_autoptr (GSocketConnection) connection = NULL;
      g_autoptr (HvClient) client = NULL;
      int fds[2];

      g_assert_cmpint (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), ==, 0);
      ours = g_socket_new_from_fd (fds[0], &error);
      theirs = g_socket_new_from_fd (fds[1], &error);
      g_assert_no_error (error);
      connection = g_socket_connection_factory_create_connection (ours);
      client = hv_client_new_for_connection (connection);
      g_signal_connect (client, "closed", G_CALLBACK (on_closed_error), &closed);
      g_socket_send (theirs, bad[i], strlen (bad[i]), NULL, &error);
      g_assert_no_error (error);
      {
        gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;
        while (!hv_client_is_closed (client) && g_get_monotonic_time () < deadline)
          g_main_context_iteration (NULL, FALSE);
      }
      g_assert_true (hv_client_is_closed (client));
      g_assert_error (closed, HV_ERROR, HV_ERROR_PROTOCOL);
    }
}

/* ---- console ---- */

static void
test_console_readers (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Conn) a = conn_new (fixture->console_path);
  g_autoptr (Conn) b = conn_new (fixture->console_path);
  g_autoptr (Conn) late = NULL;
  g_autofree char *log = NULL;

  /* Let the server accept both before the guest writes. */
  conn_assert_quiet (a);
  fake_vmm_output_from_thread (fixture->vmm, "hello ", 6, 2);
  conn_wait_bytes (a, 6);
  conn_wait_bytes (b, 6);
  g_assert_cmpmem (a->buf->data, 6, "hello ", 6);
  g_assert_cmpmem (b->buf->data, 6, "hello ", 6);

  /* A reader sees what comes from its connection on, not before. */
  late = conn_new (fixture->console_path);
  conn_assert_quiet (late);
  fake_vmm_output_from_thread (fixture->vmm, "world", 5, 5);
  conn_wait_bytes (late, 5);
  conn_wait_bytes (a, 11);
  g_assert_cmpmem (late->buf->data, late->buf->len, "world", 5);
  g_assert_cmpmem (a->buf->data, a->buf->len, "hello world", 11);

  g_assert_true (g_file_get_contents (fixture->log_path, &log, NULL, NULL));
  g_assert_cmpstr (log, ==, "hello world");
}

/* What the guest wrote before anyone connected goes to the first reader
 * only, so that `hvctl run` sees a quick guest's first lines. */
static void
test_console_early (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Conn) first = NULL;
  g_autoptr (Conn) second = NULL;

  fake_vmm_output_from_thread (fixture->vmm, "booting\n", 8, 8);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  first = conn_new (fixture->console_path);
  conn_wait_bytes (first, 8);
  g_assert_cmpmem (first->buf->data, first->buf->len, "booting\n", 8);
  second = conn_new (fixture->console_path);
  conn_assert_quiet (second);

  fake_vmm_output_from_thread (fixture->vmm, "$ ", 2, 2);
  conn_wait_bytes (first, 10);
  conn_wait_bytes (second, 2);
  g_assert_cmpmem (second->buf->data, second->buf->len, "$ ", 2);
}

static void
test_console_writer (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Conn) a = conn_new (fixture->console_path);
  g_autoptr (Conn) b = conn_new (fixture->console_path);
  GByteArray *input = fake_vmm_get_input (fixture->vmm);

  /* B types first and holds the input; A's keys are dropped. */
  conn_send (b, "ls", 2);
  conn_assert_quiet (a);
  conn_send (a, "rm", 2);
  conn_assert_quiet (a);
  conn_send (b, "\r", 1);
  conn_assert_quiet (a);
  g_assert_cmpmem (input->data, input->len, "ls\r", 3);

  /* Once B leaves, the next to type gets it. */
  g_clear_pointer (&b, conn_free);
  conn_assert_quiet (a);
  conn_send (a, "q", 1);
  conn_assert_quiet (a);
  g_assert_cmpmem (input->data, input->len, "ls\rq", 4);
}

/* A reader that never reads costs it its own output, and blocks neither
 * the vCPU nor the other readers. */
static void
test_console_slow_reader (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Conn) slow = conn_new (fixture->console_path);
  g_autoptr (Conn) fast = conn_new (fixture->console_path);
  gsize total = 8 * 1024 * 1024;
  g_autofree char *bytes = g_malloc (64 * 1024);
  gint64 start;

  memset (bytes, 'x', 64 * 1024);
  conn_assert_quiet (fast);
  start = g_get_monotonic_time ();
  for (gsize done = 0; done < total; done += 64 * 1024)
    {
      fake_vmm_output_from_thread (fixture->vmm, bytes, 64 * 1024, 4096);
      conn_pump (fast);
    }
  /* The vCPU side never waited on a socket. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 20 * G_USEC_PER_SEC);
  conn_wait_bytes (fast, 1024 * 1024);

  /* The server still serves newcomers. */
  {
    g_autoptr (Conn) late = conn_new (fixture->console_path);
    conn_assert_quiet (late);
    fake_vmm_output_from_thread (fixture->vmm, "!", 1, 1);
    conn_wait_bytes (late, 1);
  }
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD ("/hv-core/control/greeting", test_greeting);
  ADD ("/hv-core/control/query-status", test_query_status);
  ADD ("/hv-core/control/query-block", test_query_block);
  ADD ("/hv-core/control/query-nics", test_query_nics);
  ADD ("/hv-core/control/malformed", test_malformed);
  ADD ("/hv-core/control/wire", test_wire);
  ADD ("/hv-core/control/unknown-command", test_unknown_command);
  ADD ("/hv-core/control/in-order", test_in_order);
  ADD ("/hv-core/control/two-clients", test_two_clients);
  ADD ("/hv-core/control/long-line", test_long_line);
  ADD ("/hv-core/control/unterminated-flood", test_unterminated_flood);
  ADD ("/hv-core/control/quit", test_quit);
  ADD ("/hv-core/control/powerdown-reset", test_powerdown_reset);
  ADD ("/hv-core/control/internal-error", test_internal_error);
  ADD ("/hv-core/control/stuck-client", test_stuck_client);
  ADD ("/hv-core/control/hv-client-sync", test_hv_client_sync);
  ADD ("/hv-core/control/hv-client-async", test_hv_client_async);
  g_test_add_func ("/hv-core/control/hv-client-protocol-error", test_hv_client_protocol_error);
  ADD ("/hv-core/console/readers", test_console_readers);
  ADD ("/hv-core/console/early", test_console_early);
  ADD ("/hv-core/console/writer", test_console_writer);
  ADD ("/hv-core/console/slow-reader", test_console_slow_reader);

  return g_test_run ();
}
