/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libhvcore against the real hv-vmm and the tiny guests of tests/guests:
 * launch, pause/resume/powerdown/quit, the order of events, several clients,
 * malformed requests while the guest runs, the console, name clashes, and
 * that nothing is left in the runtime directory afterwards.
 *
 *   test-vmm HV_VMM TICKER_IMAGE ECHO_IMAGE [GTest options]
 */

#include "config.h"

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <hv/hv.h>
#include <signal.h>

#define TIMEOUT_US (60 * G_USEC_PER_SEC)
#define MAX_GUESTS 8

typedef struct
{
  char *base;
  char *vms;
  HvRuntime *runtime;
} Fixture;

typedef struct
{
  HvGuestInfo *info;
  HvClient *client;
  GSocketConnection *console;
  GString *output;
  GPtrArray *events; /* "NAME" or "NAME:reason" */
  gboolean closed;
} Guest;

/* The hv-vmm processes of the guests still running: a failed assertion
 * aborts the test, and they must not outlive it (they run in sessions of
 * their own, so nothing else would end them). */
static volatile pid_t running_guests[MAX_GUESTS];

static void
on_fatal_signal (int signum)
{
  for (guint i = 0; i < MAX_GUESTS; i++)
    if (running_guests[i] > 0)
      kill (running_guests[i], SIGKILL);
  signal (signum, SIG_DFL);
  raise (signum);
}

static void
track_guest (pid_t pid, gboolean running)
{
  for (guint i = 0; i < MAX_GUESTS; i++)
    if (running_guests[i] == (running ? 0 : pid))
      {
        running_guests[i] = running ? pid : 0;
        return;
      }
  g_assert_not_reached ();
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->base = g_dir_make_tmp ("hv-vmm-test-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->vms = g_build_filename (fixture->base, "hangar", "vms", NULL);
  fixture->runtime = hv_runtime_new_for_directory (fixture->vms);
}

/* Only the launch lock may remain: no guest directory, no socket. */
static void
assert_runtime_empty (Fixture *fixture)
{
  g_autoptr (GDir) dir = g_dir_open (fixture->vms, 0, NULL);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    g_assert_cmpstr (entry, ==, ".launch.lock");
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_autofree char *lock = g_build_filename (fixture->vms, ".launch.lock", NULL);
  g_autofree char *hangar = g_path_get_dirname (fixture->vms);

  assert_runtime_empty (fixture);
  g_unlink (lock);
  g_rmdir (fixture->vms);
  g_rmdir (hangar);
  g_rmdir (fixture->base);
  g_object_unref (fixture->runtime);
  g_free (fixture->base);
  g_free (fixture->vms);
}

static const char *
guest_image (const char *variable)
{
  const char *path = g_getenv (variable);

  g_assert_nonnull (path);
  return path;
}

static void
on_event (HvClient *client, const char *name, JsonObject *data, gint64 timestamp, Guest *guest)
{
  const char *reason = json_object_get_string_member_with_default (data, "reason", NULL);

  g_assert_cmpint (timestamp, >, 0);
  g_ptr_array_add (guest->events,
                   reason != NULL ? g_strdup_printf ("%s:%s", name, reason) : g_strdup (name));
}

static void
on_closed (HvClient *client, const GError *error, Guest *guest)
{
  guest->closed = TRUE;
}

static Guest *
guest_start (Fixture *fixture, const char *kernel, const char *name)
{
  g_autoptr (HvLaunchOptions) options = hv_launch_options_new ();
  g_autoptr (GSocketConnection) control = NULL;
  g_autoptr (GError) error = NULL;
  Guest *guest = g_new0 (Guest, 1);

  options->kernel = g_strdup (kernel);
  options->name = g_strdup (name);
  options->memory_mib = 64;
  guest->info =
      hv_runtime_launch (fixture->runtime, options, &control, &guest->console, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (guest->info);
  track_guest (hv_guest_info_get_pid (guest->info), TRUE);
  g_assert_cmpstr (hv_guest_info_get_name (guest->info), ==, name);
  g_assert_true (g_file_test (hv_guest_info_get_control_path (guest->info), G_FILE_TEST_EXISTS));

  guest->output = g_string_new (NULL);
  guest->events = g_ptr_array_new_with_free_func (g_free);
  guest->client = hv_client_new_for_connection (control);
  g_signal_connect (guest->client, "event", G_CALLBACK (on_event), guest);
  g_signal_connect (guest->client, "closed", G_CALLBACK (on_closed), guest);
  return guest;
}

static void
guest_free (Guest *guest)
{
  track_guest (hv_guest_info_get_pid (guest->info), FALSE);
  g_signal_handlers_disconnect_by_data (guest->client, guest);
  g_object_unref (guest->client);
  g_object_unref (guest->console);
  hv_guest_info_unref (guest->info);
  g_string_free (guest->output, TRUE);
  g_ptr_array_unref (guest->events);
  g_free (guest);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Guest, guest_free)

/* Runs the main loop a little and collects console output. */
static void
guest_pump (Guest *guest)
{
  GSocket *socket = g_socket_connection_get_socket (guest->console);
  char buf[4096];
  gssize n;

  while (g_main_context_iteration (NULL, FALSE))
    ;
  if (!g_socket_condition_timed_wait (socket, G_IO_IN, 10000, NULL, NULL))
    return;
  n = g_socket_receive (socket, buf, sizeof buf, NULL, NULL);
  if (n > 0)
    g_string_append_len (guest->output, buf, n);
  else
    g_usleep (10000);
}

static void
guest_wait_output (Guest *guest, const char *needle)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;

  while (strstr (guest->output->str, needle) == NULL)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("“%s” did not come; the console showed:\n%s", needle, guest->output->str);
      guest_pump (guest);
    }
}

static void
guest_wait_closed (Guest *guest)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;

  while (!guest->closed)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      guest_pump (guest);
    }
}

static JsonObject *
guest_execute (Guest *guest, const char *command, GError **error)
{
  return hv_client_execute_sync (guest->client, command, NULL, NULL, error);
}

static void
guest_type (Guest *guest, const char *text)
{
  GSocket *socket = g_socket_connection_get_socket (guest->console);

  g_assert_cmpint (g_socket_send_with_blocking (socket, text, strlen (text), TRUE, NULL, NULL), ==,
                   strlen (text));
}

static void
assert_status (Guest *guest, const char *status)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) result = guest_execute (guest, "query-status", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, status);
  g_assert_cmpstr (json_object_get_string_member (result, "name"), ==,
                   hv_guest_info_get_name (guest->info));
  g_assert_cmpint (json_object_get_int_member (result, "memory-mib"), ==, 64);
  g_assert_cmpint (json_object_get_int_member (result, "cpus"), ==, 1);
}

static void
assert_events (Guest *guest, const char *const *expected)
{
  g_assert_cmpuint (guest->events->len, ==, g_strv_length ((char **) expected));
  for (guint i = 0; expected[i] != NULL; i++)
    g_assert_cmpstr (guest->events->pdata[i], ==, expected[i]);
}

static void
test_lifecycle (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Guest) guest = guest_start (fixture, guest_image ("HV_TEST_GUEST_TICKER"), "ticker");
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) paused = NULL;
  g_autoptr (JsonObject) again = NULL;
  g_autoptr (JsonObject) resumed = NULL;
  g_autoptr (JsonObject) powered = NULL;
  g_autoptr (JsonObject) quit = NULL;

  guest_wait_output (guest, "ticker: ready");
  assert_status (guest, "running");

  /* STOP comes before pause's reply. */
  paused = guest_execute (guest, "pause", &error);
  g_assert_no_error (error);
  assert_events (guest, (const char *[]){ "STOP", NULL });
  assert_status (guest, "paused");
  again = guest_execute (guest, "pause", &error);
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_STATE);
  g_assert_null (again);
  g_clear_error (&error);

  resumed = guest_execute (guest, "resume", &error);
  g_assert_no_error (error);
  assert_events (guest, (const char *[]){ "STOP", "RESUME", NULL });
  assert_status (guest, "running");

  /* The ticker ignores the power button; the press itself works. */
  powered = guest_execute (guest, "powerdown", &error);
  g_assert_no_error (error);

  quit = guest_execute (guest, "quit", &error);
  g_assert_no_error (error);
  guest_wait_closed (guest);
  assert_events (guest, (const char *[]){ "STOP", "RESUME", "SHUTDOWN:host-quit", NULL });
  g_assert_true (hv_runtime_wait_for_exit (fixture->runtime, guest->info, 10000, &error));
  g_assert_no_error (error);
}

static void
on_second_event (HvClient *client, const char *name, JsonObject *data, gint64 timestamp,
                 GPtrArray *events)
{
  g_ptr_array_add (events, g_strdup (name));
}

static void
on_new_client (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HvClient **client = user_data;
  g_autoptr (GError) error = NULL;

  *client = hv_client_new_finish (result, &error);
  g_assert_no_error (error);
}

/* A raw client that speaks bad JSON, while the guest runs. */
static void
send_malformed (Guest *guest)
{
  g_autoptr (GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr (GSocketAddress) address =
      g_unix_socket_address_new (hv_guest_info_get_control_path (guest->info));
  g_autoptr (GSocketConnection) raw = NULL;
  g_autoptr (GDataInputStream) in = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *reply2 = NULL;
  const char *requests = "{\"execute\": oops\n{\"execute\": \"query-status\", \"id\": 3}\n";
  GOutputStream *out;

  raw = g_socket_client_connect (socket_client, G_SOCKET_CONNECTABLE (address), NULL, &error);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (raw)));
  out = g_io_stream_get_output_stream (G_IO_STREAM (raw));
  greeting = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_nonnull (strstr (greeting, "\"greeting\""));

  g_output_stream_write_all (out, requests, strlen (requests), NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_nonnull (strstr (reply, "\"GenericError\""));
  reply2 = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_nonnull (strstr (reply2, "\"running\""));
  g_assert_nonnull (strstr (reply2, "\"id\":3"));
}

static void
test_clients (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Guest) guest = guest_start (fixture, guest_image ("HV_TEST_GUEST_TICKER"), "two");
  g_autoptr (GPtrArray) second_events = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (HvClient) second = NULL;
  g_autoptr (GPtrArray) guests = NULL;
  g_autoptr (HvGuestInfo) found = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) paused = NULL;
  g_autoptr (JsonObject) resumed = NULL;
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;

  guest_wait_output (guest, "ticker: ready");
  hv_client_new (hv_guest_info_get_control_path (guest->info), NULL, on_new_client, &second);
  while (second == NULL && g_get_monotonic_time () < deadline)
    guest_pump (guest);
  g_assert_nonnull (second);
  g_assert_cmpstr (hv_client_get_name (second), ==, "two");
  g_signal_connect (second, "event", G_CALLBACK (on_second_event), second_events);

  /* The malformed request is answered and changes nothing for anyone. */
  send_malformed (guest);

  paused = guest_execute (guest, "pause", &error);
  g_assert_no_error (error);
  resumed = guest_execute (guest, "resume", &error);
  g_assert_no_error (error);
  while (second_events->len < 2 && g_get_monotonic_time () < deadline)
    guest_pump (guest);
  g_assert_cmpuint (second_events->len, ==, 2);
  g_assert_cmpstr (second_events->pdata[0], ==, "STOP");
  g_assert_cmpstr (second_events->pdata[1], ==, "RESUME");

  /* The guest is found by name, with hv-vmm's pid. */
  guests = hv_runtime_list_guests (fixture->runtime, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (guests->len, ==, 1);
  found = hv_runtime_lookup_guest (fixture->runtime, "two", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hv_guest_info_get_uuid (found), ==, hv_guest_info_get_uuid (guest->info));
  g_assert_cmpint (hv_guest_info_get_pid (found), ==, hv_client_get_pid (second));
  g_assert_cmpint (hv_guest_info_get_pid (found), ==, hv_guest_info_get_pid (guest->info));

  /* SIGKILL: no SHUTDOWN, and the runtime directory is cleaned all the same. */
  g_assert_true (hv_runtime_kill_guest (fixture->runtime, found, &error));
  g_assert_no_error (error);
  guest_wait_closed (guest);
  assert_events (guest, (const char *[]){ "STOP", "RESUME", NULL });
  g_signal_handlers_disconnect_by_data (second, second_events);
}

static void
test_echo (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Guest) guest = guest_start (fixture, guest_image ("HV_TEST_GUEST_ECHO"), "echo");
  g_autoptr (GError) error = NULL;

  guest_wait_output (guest, "echo: ready");
  guest_type (guest, "hello");
  guest_wait_output (guest, "hello");
  guest_type (guest, "q");
  guest_wait_output (guest, "bye");
  guest_wait_closed (guest);
  assert_events (guest, (const char *[]){ "SHUTDOWN:guest-shutdown", NULL });
  g_assert_true (hv_runtime_wait_for_exit (fixture->runtime, guest->info, 10000, &error));
  g_assert_no_error (error);
}

static void
test_name_in_use (Fixture *fixture, gconstpointer data)
{
  g_autoptr (Guest) guest = guest_start (fixture, guest_image ("HV_TEST_GUEST_TICKER"), "dup");
  g_autoptr (HvLaunchOptions) options = hv_launch_options_new ();
  g_autoptr (HvGuestInfo) second = NULL;
  g_autoptr (GPtrArray) guests = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) quit = NULL;

  options->kernel = g_strdup (guest_image ("HV_TEST_GUEST_TICKER"));
  options->name = g_strdup ("dup");
  second = hv_runtime_launch (fixture->runtime, options, NULL, NULL, NULL, &error);
  g_assert_null (second);
  g_assert_error (error, HV_ERROR, HV_ERROR_NAME_IN_USE);
  g_assert_nonnull (strstr (error->message, "dup"));
  g_clear_error (&error);

  guests = hv_runtime_list_guests (fixture->runtime, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (guests->len, ==, 1);

  quit = guest_execute (guest, "quit", &error);
  g_assert_no_error (error);
  guest_wait_closed (guest);
  g_assert_true (hv_runtime_wait_for_exit (fixture->runtime, guest->info, 10000, &error));
}

/* A start-up failure from hv-vmm itself arrives as its message. */
static void
test_bad_kernel (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HvLaunchOptions) options = hv_launch_options_new ();
  g_autoptr (GSocketConnection) control = NULL;
  g_autoptr (GSocketConnection) console = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *kernel = g_build_filename (fixture->base, "not-a-kernel", NULL);

  g_assert_true (g_file_set_contents (kernel, "hello, I am text\n", -1, NULL));
  options->kernel = g_strdup (kernel);
  g_assert_null (hv_runtime_launch (fixture->runtime, options, &control, &console, NULL, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_VMM_FAILED);
  g_assert_nonnull (strstr (error->message, kernel));
  g_assert_null (control);
  g_assert_null (console);
  g_unlink (kernel);
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

/* Takes the three paths off the command line, for the environment. */
static void
take_paths (int *argc, char **argv)
{
  static const char *const variables[] = { "HV_VMM_PATH", "HV_TEST_GUEST_TICKER",
                                           "HV_TEST_GUEST_ECHO" };
  int taken = 0;

  while (taken < (int) G_N_ELEMENTS (variables) && taken + 1 < *argc && argv[taken + 1][0] != '-')
    {
      g_setenv (variables[taken], argv[taken + 1], TRUE);
      taken++;
    }
  if (taken < (int) G_N_ELEMENTS (variables))
    g_error ("usage: test-vmm HV_VMM TICKER_IMAGE ECHO_IMAGE [GTest options]");
  for (int i = 1; i + taken <= *argc; i++)
    argv[i] = argv[i + taken];
  *argc -= taken;
}

int
main (int argc, char **argv)
{
  /* Failed assertions, GLib's fatal criticals, crashes, meson's timeout. */
  const int fatal_signals[] = { SIGABRT, SIGTRAP, SIGSEGV, SIGBUS, SIGTERM, SIGINT };

  take_paths (&argc, argv);
  g_test_init (&argc, &argv, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (fatal_signals); i++)
    signal (fatal_signals[i], on_fatal_signal);

  ADD ("/hv-core/vmm/lifecycle", test_lifecycle);
  ADD ("/hv-core/vmm/clients", test_clients);
  ADD ("/hv-core/vmm/echo", test_echo);
  ADD ("/hv-core/vmm/name-in-use", test_name_in_use);
  ADD ("/hv-core/vmm/bad-kernel", test_bad_kernel);

  return g_test_run ();
}
