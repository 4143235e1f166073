/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The runtime directory and the launcher, with fake-hv-vmm.sh standing in
 * for hv-vmm (no KVM needed): directory creation and its errors, liveness
 * by lock, stale-directory cleanup, start-up errors leaving nothing behind.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <gio/gunixsocketaddress.h>
#include <hv/hv.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test-tree.h"

typedef struct
{
  char *base;
  char *vms;
  HvRuntime *runtime;
} Fixture;

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *fake = g_test_build_filename (G_TEST_DIST, "fake-hv-vmm.sh", NULL);

  fixture->base = g_dir_make_tmp ("hv-runtime-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->vms = g_build_filename (fixture->base, "run", "hangar", "vms", NULL);
  fixture->runtime = hv_runtime_new_for_directory (fixture->vms);
  g_setenv ("HV_VMM_PATH", fake, TRUE);
  g_setenv ("FAKE_VMM_MODE", "ok", TRUE);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_object_unref (fixture->runtime);
  test_remove_tree (fixture->base);
  g_free (fixture->base);
  g_free (fixture->vms);
}

static guint
count_entries (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* The guest directories, leaving out the launch lock. */
static guint
count_guest_dirs (const char *vms)
{
  g_autofree char *lock = g_build_filename (vms, ".launch.lock", NULL);

  return count_entries (vms) - (g_file_test (lock, G_FILE_TEST_EXISTS) ? 1 : 0);
}

static HvLaunchOptions *
options_new (void)
{
  HvLaunchOptions *options = hv_launch_options_new ();

  options->kernel = g_strdup ("/boot/vmlinuz-test");
  options->name = g_strdup ("demo");
  return options;
}

static void
test_launch_ok (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HvLaunchOptions) options = options_new ();
  g_autoptr (HvGuestInfo) info = NULL;
  g_autoptr (GPtrArray) guests = NULL;
  g_autoptr (GError) error = NULL;
  struct stat st;

  info = hv_runtime_launch (fixture->runtime, options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hv_guest_info_get_name (info), ==, "demo");
  g_assert_true (g_uuid_string_is_valid (hv_guest_info_get_uuid (info)));
  g_assert_cmpint (hv_guest_info_get_pid (info), >, 0);

  /* Every directory it made is private, parents included. */
  g_assert_cmpint (stat (hv_guest_info_get_runtime_dir (info), &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (stat (fixture->vms, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  /* It runs (its lock is held); it does not answer on a control socket,
   * so it is listed without a name. */
  guests = hv_runtime_list_guests (fixture->runtime, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (guests->len, ==, 1);
  g_assert_null (hv_guest_info_get_name (guests->pdata[0]));
  g_assert_cmpstr (hv_guest_info_get_uuid (guests->pdata[0]), ==, hv_guest_info_get_uuid (info));

  g_assert_true (hv_runtime_kill_guest (fixture->runtime, info, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (hv_guest_info_get_runtime_dir (info), G_FILE_TEST_EXISTS));
}

static void
on_launched (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* The GUI's way: a worker thread does the waiting. */
static void
test_launch_async (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HvLaunchOptions) options = options_new ();
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (HvGuestInfo) info = NULL;
  g_autoptr (GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  hv_runtime_launch_async (fixture->runtime, options, NULL, on_launched, &result);
  while (result == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (result);
  info = hv_runtime_launch_finish (fixture->runtime, result, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hv_guest_info_get_name (info), ==, "demo");
  g_assert_true (hv_runtime_kill_guest (fixture->runtime, info, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_guest_dirs (fixture->vms), ==, 0);
}

static void
test_launch_args (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HvLaunchOptions) options = options_new ();
  g_autoptr (HvGuestInfo) info = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *args_path = g_build_filename (fixture->base, "args", NULL);
  g_autofree char *args = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *cwd = g_get_current_dir ();

  g_setenv ("FAKE_VMM_ARGS", args_path, TRUE);
  options->initrd = g_strdup ("relative/initrd.img");
  options->cmdline = g_strdup ("console=ttyS0 quiet");
  options->memory_mib = 2048;
  options->cpus = 3;
  options->disks = g_strsplit ("path=rel/a.img,serial=x;/abs/b.img,readonly=on", ";", -1);
  info = hv_runtime_launch (fixture->runtime, options, NULL, NULL, NULL, &error);
  g_unsetenv ("FAKE_VMM_ARGS");
  g_assert_no_error (error);
  g_assert_true (hv_runtime_kill_guest (fixture->runtime, info, NULL));

  /* Relative paths become absolute: hv-vmm runs in "/". */
  g_assert_true (g_file_get_contents (args_path, &args, NULL, NULL));
  expected = g_strdup_printf ("--name\ndemo\n--uuid\n%s\n--kernel\n/boot/vmlinuz-test\n"
                              "--initrd\n%s/relative/initrd.img\n--append\nconsole=ttyS0 quiet\n"
                              "--memory\n2048\n--cpus\n3\n--ready-fd\n3\n"
                              "--disk\npath=%s/rel/a.img,serial=x\n"
                              "--disk\npath=/abs/b.img,readonly=on\n",
                              hv_guest_info_get_uuid (info), cwd, cwd);
  g_assert_cmpstr (args, ==, expected);
}

static void
test_launch_error (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HvLaunchOptions) options = options_new ();
  g_autoptr (GError) error = NULL;

  g_setenv ("FAKE_VMM_MODE", "error", TRUE);
  g_assert_null (hv_runtime_launch (fixture->runtime, options, NULL, NULL, NULL, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_VMM_FAILED);
  g_assert_cmpstr (error->message, ==, "The kernel is not a kernel: say so, for users");
  /* Nothing left behind, not even what the failed hv-vmm left. */
  g_assert_cmpuint (count_guest_dirs (fixture->vms), ==, 0);
}

static void
test_launch_silent (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HvLaunchOptions) options = options_new ();
  g_autoptr (GError) error = NULL;

  g_setenv ("FAKE_VMM_MODE", "silent", TRUE);
  g_assert_null (hv_runtime_launch (fixture->runtime, options, NULL, NULL, NULL, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_VMM_FAILED);
  g_assert_cmpuint (count_guest_dirs (fixture->vms), ==, 0);
}

static void
test_vmm_missing (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HvLaunchOptions) options = options_new ();
  g_autoptr (GError) error = NULL;

  g_setenv ("HV_VMM_PATH", "/nonexistent/hv-vmm", TRUE);
  g_assert_null (hv_runtime_launch (fixture->runtime, options, NULL, NULL, NULL, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_VMM_MISSING);
  g_assert_nonnull (strstr (error->message, "/nonexistent/hv-vmm"));
  g_assert_cmpuint (count_guest_dirs (fixture->vms), ==, 0);
}

static void
test_bad_options (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HvLaunchOptions) options = options_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) error2 = NULL;

  g_free (options->name);
  options->name = g_strdup ("no spaces");
  g_assert_null (hv_runtime_launch (fixture->runtime, options, NULL, NULL, NULL, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);

  g_clear_pointer (&options->kernel, g_free);
  g_assert_null (hv_runtime_launch (fixture->runtime, options, NULL, NULL, NULL, &error2));
  g_assert_error (error2, HV_ERROR, HV_ERROR_INVALID_ARGUMENT);
}

/* Root may write anywhere, so the unwritable directory is one below a
 * regular file there; others get a directory without write permission. */
static void
test_not_writable (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HvLaunchOptions) options = options_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *blocker = g_build_filename (fixture->base, "blocker", NULL);
  g_autofree char *vms = g_build_filename (blocker, "hangar", "vms", NULL);
  g_autoptr (HvRuntime) runtime = NULL;

  if (geteuid () == 0)
    {
      g_assert_true (g_file_set_contents (blocker, "", 0, NULL));
    }
  else
    {
      g_assert_cmpint (g_mkdir (blocker, 0500), ==, 0);
    }
  runtime = hv_runtime_new_for_directory (vms);
  g_assert_null (hv_runtime_launch (runtime, options, NULL, NULL, NULL, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_RUNTIME_DIR);
  /* The message names the directory and says what to do. */
  g_assert_nonnull (strstr (error->message, blocker));
  g_assert_nonnull (strstr (error->message, "XDG_RUNTIME_DIR"));
  g_test_message ("%s", error->message);
}

static char *
make_guest_dir (Fixture *fixture, const char *uuid)
{
  char *dir = g_build_filename (fixture->vms, uuid, NULL);
  g_autofree char *lock = g_build_filename (dir, "vmm.lock", NULL);
  g_autofree char *sock = g_build_filename (dir, "control.sock", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (lock, "", 0, NULL));
  g_assert_true (g_file_set_contents (sock, "", 0, NULL));
  return dir;
}

static void
test_stale_cleanup (Fixture *fixture, gconstpointer data)
{
  g_autofree char *stale = make_guest_dir (fixture, "11111111-1111-4111-8111-111111111111");
  g_autofree char *live = make_guest_dir (fixture, "22222222-2222-4222-8222-222222222222");
  g_autofree char *lock = g_build_filename (live, "vmm.lock", NULL);
  g_autoptr (GPtrArray) guests = NULL;
  g_autoptr (GError) error = NULL;
  int fd = open (lock, O_RDWR | O_CLOEXEC);

  /* This test holds the live one's lock, as its hv-vmm would. */
  g_assert_cmpint (flock (fd, LOCK_EX | LOCK_NB), ==, 0);
  guests = hv_runtime_list_guests (fixture->runtime, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (guests->len, ==, 1);
  g_assert_cmpstr (hv_guest_info_get_uuid (guests->pdata[0]), ==,
                   "22222222-2222-4222-8222-222222222222");
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (live, G_FILE_TEST_EXISTS));

  /* Its process gone, the next look cleans it up too. */
  close (fd);
  g_clear_pointer (&guests, g_ptr_array_unref);
  guests = hv_runtime_list_guests (fixture->runtime, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (guests->len, ==, 0);
  g_assert_false (g_file_test (live, G_FILE_TEST_EXISTS));
}

static void
test_lookup_missing (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  /* No runtime directory at all is no error: no guest runs. */
  g_assert_null (hv_runtime_lookup_guest (fixture->runtime, "nope", NULL, &error));
  g_assert_error (error, HV_ERROR, HV_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "nope"));
  g_assert_false (g_file_test (fixture->vms, G_FILE_TEST_EXISTS));
}

/* Stands in for hv-vmm's control socket coming up late: listens at PATH
 * after a while, greets the one client and waits for it to leave. */
static gpointer
late_control_socket (gpointer path)
{
  g_autoptr (GSocket) listener = NULL;
  g_autoptr (GSocket) client = NULL;
  g_autoptr (GSocketAddress) address = g_unix_socket_address_new (path);
  const char *greeting =
      "{\"greeting\": {\"name\": \"demo\", \"uuid\": \"u\", \"pid\": 1, \"version\": \"0\"}}\n";
  char buf[64];

  g_usleep (300 * 1000);
  listener = g_socket_new (G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, NULL);
  g_assert_true (g_socket_bind (listener, address, FALSE, NULL));
  g_assert_true (g_socket_listen (listener, NULL));
  client = g_socket_accept (listener, NULL, NULL);
  g_assert_nonnull (client);
  g_socket_send (client, greeting, strlen (greeting), NULL, NULL);
  while (g_socket_receive (client, buf, sizeof buf, NULL, NULL) > 0)
    ;
  return NULL;
}

/* A command right after a start finds the guest listed (its lock is held)
 * before its control socket exists: the client waits for the socket. */
static void
test_connect_while_starting (Fixture *fixture, gconstpointer data)
{
  g_autoptr (HvLaunchOptions) options = options_new ();
  g_autoptr (HvGuestInfo) info = NULL;
  g_autoptr (HvClient) client = NULL;
  g_autoptr (GError) error = NULL;
  GThread *server;

  info = hv_runtime_launch (fixture->runtime, options, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  server = g_thread_new ("late-control", late_control_socket,
                         (gpointer) hv_guest_info_get_control_path (info));
  client = hv_client_new_for_guest_sync (info, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (hv_client_get_name (client), ==, "demo");
  hv_client_close (client);
  g_thread_join (server);
  g_assert_true (hv_runtime_kill_guest (fixture->runtime, info, &error));
  g_assert_no_error (error);
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD ("/hv-core/runtime/launch-ok", test_launch_ok);
  ADD ("/hv-core/runtime/launch-async", test_launch_async);
  ADD ("/hv-core/runtime/launch-args", test_launch_args);
  ADD ("/hv-core/runtime/launch-error", test_launch_error);
  ADD ("/hv-core/runtime/launch-silent", test_launch_silent);
  ADD ("/hv-core/runtime/vmm-missing", test_vmm_missing);
  ADD ("/hv-core/runtime/bad-options", test_bad_options);
  ADD ("/hv-core/runtime/not-writable", test_not_writable);
  ADD ("/hv-core/runtime/stale-cleanup", test_stale_cleanup);
  ADD ("/hv-core/runtime/lookup-missing", test_lookup_missing);
  ADD ("/hv-core/runtime/connect-while-starting", test_connect_while_starting);

  return g_test_run ();
}
