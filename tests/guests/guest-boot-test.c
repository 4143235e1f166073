/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Boots the tiny test guests and checks what they report.
 *
 *   guest-boot-test --backend=hv-vmm --vmm=PATH/hv-vmm --images=DIR [GTest options]
 *   guest-boot-test --backend=qemu --vmm=qemu-system-x86_64 --images=DIR
 *
 * With hv-vmm each run gets a fresh temporary directory holding the runtime directory,
 * the console log and the initrd; the console log is the transcript, console.sock the
 * keyboard, control.sock the way to quit. With QEMU (TCG, the cross-check of the guests
 * themselves) stdio is the serial port.
 *
 * Any failure prints the transcript and the VMM's stderr, then aborts: nothing is skipped.
 */
#define _GNU_SOURCE /* pipe2 */

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-tree.h"

#define RUN_TIMEOUT_S   60
#define READY_TIMEOUT_S 30
#define POLL_US         10000
#define READY_FD        3
#define MIB             (G_GUINT64_CONSTANT (1) << 20)
#define GIB             (G_GUINT64_CONSTANT (1) << 30)
/* The guest's RAM total may fall short of --memory by the legacy hole (640 KiB-1 MiB)
 * plus firmware and ACPI reservations; more than this is memory lost. */
#define RAM_SLACK   (2 * MIB)
#define RTC_SLACK_S 120

typedef enum
{
  BACKEND_HV_VMM,
  BACKEND_QEMU,
} Backend;

static Backend backend;
static char *vmm_path;
static char *image_dir;

typedef struct
{
  const char *guest;  /* checks, echo, ticker, reset */
  const char *format; /* pvh, bzimage */
  unsigned cpus;
  unsigned memory_mib;
  const char *cmdline; /* NULL: none given */
  gsize initrd_size;   /* 0: none given */
  gboolean no_reboot;
  const char *machine; /* QEMU only; NULL: q35 */
} RunSpec;

typedef struct
{
  const RunSpec *spec;
  char *tmpdir;
  char *runtime_dir;
  char *log_path;
  char *stderr_path;
  char *initrd_path;
  guint32 initrd_sum;
  GPid pid;
  gboolean exited;
  int wait_status;
  int out_fd; /* QEMU: its stdout; hv-vmm: the console log, once it exists */
  int in_fd;  /* QEMU: its stdin; hv-vmm: console.sock, once connected */
  GString *console;
} Run;

/* Failure reporting */

static void
run_dump (Run *run)
{
  g_autofree char *err = NULL;

  g_printerr ("---- guest console (%s %s) ----\n%s\n", run->spec->guest, run->spec->format,
              run->console->str);
  if (g_file_get_contents (run->stderr_path, &err, NULL, NULL))
    g_printerr ("---- VMM stderr ----\n%s\n", err);
}

static void
run_free (Run *run)
{
  if (run->pid && !run->exited)
    {
      kill (run->pid, SIGKILL);
      waitpid (run->pid, NULL, 0);
    }
  if (run->out_fd >= 0)
    close (run->out_fd);
  if (run->in_fd >= 0)
    close (run->in_fd);
  if (run->tmpdir)
    test_remove_tree (run->tmpdir);
  g_free (run->tmpdir);
  g_free (run->runtime_dir);
  g_free (run->log_path);
  g_free (run->stderr_path);
  g_free (run->initrd_path);
  g_string_free (run->console, TRUE);
  g_free (run);
}

G_GNUC_PRINTF (2, 3)
G_GNUC_NORETURN static void
run_fail (Run *run, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  run_dump (run);
  g_printerr ("FAILED: %s\n", msg);
  run_free (run);
  g_error ("%s", msg);
}

#define run_check(run, cond, ...)  \
  G_STMT_START                     \
  {                                \
    if (!(cond))                   \
      run_fail (run, __VA_ARGS__); \
  }                                \
  G_STMT_END

/* Set-up */

static char *
image_path (const RunSpec *spec)
{
  g_autofree char *name =
      g_strconcat (spec->guest, strcmp (spec->format, "pvh") == 0 ? ".pvh.elf" : ".bzImage", NULL);
  char *path = g_build_filename (image_dir, name, NULL);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    g_error ("guest image %s is missing: build tests/guests first", path);
  return path;
}

/* FNV-1a, 32 bits: what the checks guest computes over the initrd. */
static guint32
fnv1a (const guint8 *p, gsize n)
{
  guint32 h = 0x811c9dc5u;

  while (n--)
    h = (h ^ *p++) * 0x01000193u;
  return h;
}

static void
write_initrd (Run *run)
{
  g_autofree guint8 *bytes = g_malloc (run->spec->initrd_size);
  g_autoptr (GError) error = NULL;

  /* Known bytes, not a repeating pattern of a power-of-two period. */
  for (gsize i = 0; i < run->spec->initrd_size; i++)
    bytes[i] = (guint8) ((i * 131 + 7) ^ (i >> 7));
  run->initrd_sum = fnv1a (bytes, run->spec->initrd_size);
  run->initrd_path = g_build_filename (run->tmpdir, "initrd.img", NULL);
  if (!g_file_set_contents (run->initrd_path, (const char *) bytes, run->spec->initrd_size, &error))
    g_error ("cannot write the initrd: %s", error->message);
}

static GPtrArray *
hv_vmm_argv (Run *run, const char *kernel)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *uuid = g_uuid_string_random ();

  g_ptr_array_add (argv, g_strdup (vmm_path));
  g_ptr_array_add (argv, g_strdup ("--name"));
  g_ptr_array_add (argv, g_strdup_printf ("guest-%s", run->spec->guest));
  g_ptr_array_add (argv, g_strdup ("--uuid"));
  g_ptr_array_add (argv, g_strdup (uuid));
  g_ptr_array_add (argv, g_strdup ("--runtime-dir"));
  g_ptr_array_add (argv, g_strdup (run->runtime_dir));
  g_ptr_array_add (argv, g_strdup ("--kernel"));
  g_ptr_array_add (argv, g_strdup (kernel));
  if (run->initrd_path)
    {
      g_ptr_array_add (argv, g_strdup ("--initrd"));
      g_ptr_array_add (argv, g_strdup (run->initrd_path));
    }
  if (run->spec->cmdline)
    {
      g_ptr_array_add (argv, g_strdup ("--append"));
      g_ptr_array_add (argv, g_strdup (run->spec->cmdline));
    }
  g_ptr_array_add (argv, g_strdup ("--memory"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", run->spec->memory_mib));
  g_ptr_array_add (argv, g_strdup ("--cpus"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", run->spec->cpus));
  g_ptr_array_add (argv, g_strdup ("--console-log"));
  g_ptr_array_add (argv, g_strdup (run->log_path));
  g_ptr_array_add (argv, g_strdup ("--ready-fd"));
  g_ptr_array_add (argv, g_strdup_printf ("%d", READY_FD));
  if (run->spec->no_reboot)
    g_ptr_array_add (argv, g_strdup ("--no-reboot"));
  g_ptr_array_add (argv, NULL);
  return argv;
}

static GPtrArray *
qemu_argv (Run *run, const char *kernel)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, g_strdup (vmm_path));
  g_ptr_array_add (argv, g_strdup ("-M"));
  g_ptr_array_add (argv, g_strdup (run->spec->machine ? run->spec->machine : "q35"));
  g_ptr_array_add (argv, g_strdup ("-accel"));
  g_ptr_array_add (argv, g_strdup ("tcg"));
  g_ptr_array_add (argv, g_strdup ("-nodefaults"));
  g_ptr_array_add (argv, g_strdup ("-no-user-config"));
  g_ptr_array_add (argv, g_strdup ("-nographic"));
  g_ptr_array_add (argv, g_strdup ("-serial"));
  g_ptr_array_add (argv, g_strdup ("stdio"));
  g_ptr_array_add (argv, g_strdup ("-m"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", run->spec->memory_mib));
  g_ptr_array_add (argv, g_strdup ("-smp"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", run->spec->cpus));
  g_ptr_array_add (argv, g_strdup ("-kernel"));
  g_ptr_array_add (argv, g_strdup (kernel));
  if (run->initrd_path)
    {
      g_ptr_array_add (argv, g_strdup ("-initrd"));
      g_ptr_array_add (argv, g_strdup (run->initrd_path));
    }
  if (run->spec->cmdline)
    {
      g_ptr_array_add (argv, g_strdup ("-append"));
      g_ptr_array_add (argv, g_strdup (run->spec->cmdline));
    }
  if (run->spec->no_reboot)
    g_ptr_array_add (argv, g_strdup ("-no-reboot"));
  g_ptr_array_add (argv, NULL);
  return argv;
}

/* hv-vmm's --ready-fd line: "OK", or "ERROR <why>". */
static void
wait_ready (Run *run, int ready_fd)
{
  char line[1024];
  gsize len = 0;
  struct pollfd pfd = { ready_fd, POLLIN, 0 };
  gint64 deadline = g_get_monotonic_time () + READY_TIMEOUT_S * G_USEC_PER_SEC;

  while (len < sizeof line - 1 && !memchr (line, '\n', len))
    {
      int timeout_ms = (int) ((deadline - g_get_monotonic_time ()) / 1000);
      ssize_t n;

      run_check (run, timeout_ms > 0 && poll (&pfd, 1, timeout_ms) > 0,
                 "hv-vmm did not report readiness on --ready-fd within %d s", READY_TIMEOUT_S);
      n = read (ready_fd, line + len, sizeof line - 1 - len);
      run_check (run, n > 0, "hv-vmm closed --ready-fd without a line (did it crash?)");
      len += (gsize) n;
    }
  line[len] = '\0';
  g_strchomp (line);
  run_check (run, strcmp (line, "OK") == 0, "hv-vmm did not start: %s", line);
}

static Run *
run_start (const RunSpec *spec)
{
  Run *run = g_new0 (Run, 1);
  g_autofree char *kernel = image_path (spec);
  g_autoptr (GPtrArray) argv = NULL;
  g_autoptr (GError) error = NULL;
  int ready[2] = { -1, -1 };
  int source_fds[1], target_fds[1] = { READY_FD };
  int err_fd, in_fd = -1, out_fd = -1;
  gboolean ok;

  run->spec = spec;
  run->out_fd = run->in_fd = -1;
  run->console = g_string_new (NULL);
  run->tmpdir = g_dir_make_tmp ("guest-boot-XXXXXX", &error);
  g_assert_no_error (error);
  run->runtime_dir = g_build_filename (run->tmpdir, "runtime", NULL);
  run->log_path = g_build_filename (run->tmpdir, "console.log", NULL);
  run->stderr_path = g_build_filename (run->tmpdir, "stderr.log", NULL);
  if (spec->initrd_size)
    write_initrd (run);
  g_assert_cmpint (g_mkdir (run->runtime_dir, 0700), ==, 0);

  err_fd = open (run->stderr_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  g_assert_cmpint (err_fd, >=, 0);
  if (backend == BACKEND_HV_VMM)
    {
      argv = hv_vmm_argv (run, kernel);
      g_assert_cmpint (pipe2 (ready, O_CLOEXEC), ==, 0);
      source_fds[0] = ready[1];
      in_fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      out_fd = open ("/dev/null", O_WRONLY | O_CLOEXEC);
    }
  else
    argv = qemu_argv (run, kernel);

  ok = g_spawn_async_with_pipes_and_fds (
      NULL, (const char *const *) argv->pdata, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, in_fd,
      out_fd, err_fd, backend == BACKEND_HV_VMM ? source_fds : NULL,
      backend == BACKEND_HV_VMM ? target_fds : NULL, backend == BACKEND_HV_VMM ? 1 : 0, &run->pid,
      backend == BACKEND_QEMU ? &run->in_fd : NULL, backend == BACKEND_QEMU ? &run->out_fd : NULL,
      NULL, &error);
  close (err_fd);
  if (in_fd >= 0)
    close (in_fd);
  if (out_fd >= 0)
    close (out_fd);
  if (ready[1] >= 0)
    close (ready[1]);
  run_check (run, ok, "cannot run %s: %s", vmm_path, error ? error->message : "?");
  if (backend == BACKEND_QEMU)
    g_unix_set_fd_nonblocking (run->out_fd, TRUE, NULL);
  else
    {
      wait_ready (run, ready[0]);
      close (ready[0]);
    }
  return run;
}

/* Watching a run */

static void
read_console (Run *run)
{
  char buf[4096];
  ssize_t n;

  if (run->out_fd < 0 && backend == BACKEND_HV_VMM)
    run->out_fd = open (run->log_path, O_RDONLY | O_CLOEXEC);
  if (run->out_fd < 0)
    return;
  while ((n = read (run->out_fd, buf, sizeof buf)) > 0)
    g_string_append_len (run->console, buf, n);
}

static void
run_poll (Run *run)
{
  read_console (run);
  if (!run->exited && waitpid (run->pid, &run->wait_status, WNOHANG) == run->pid)
    {
      run->exited = TRUE;
      read_console (run);
    }
}

/* Waits until the console shows NEEDLE; FALSE if the VMM exits first. */
static gboolean
run_wait_output (Run *run, const char *needle)
{
  gint64 deadline = g_get_monotonic_time () + RUN_TIMEOUT_S * G_USEC_PER_SEC;

  for (;;)
    {
      run_poll (run);
      if (strstr (run->console->str, needle))
        return TRUE;
      if (run->exited)
        return FALSE;
      run_check (run, g_get_monotonic_time () < deadline, "no \"%s\" on the console within %d s",
                 needle, RUN_TIMEOUT_S);
      g_usleep (POLL_US);
    }
}

/* Waits for the VMM to exit and checks that it ended well. */
static void
run_wait_exit (Run *run)
{
  gint64 deadline = g_get_monotonic_time () + RUN_TIMEOUT_S * G_USEC_PER_SEC;

  for (run_poll (run); !run->exited; run_poll (run))
    {
      /* Guests that give up halt forever: no need to wait for the deadline. */
      run_check (run,
                 !strstr (run->console->str, "POWEROFF FAILED") &&
                     !strstr (run->console->str, "RESET FAILED") &&
                     !strstr (run->console->str, "FAIL exception"),
                 "the guest gave up (see its console)");
      run_check (run, g_get_monotonic_time () < deadline,
                 "the VMM is still running after %d s (guest did not power off?)", RUN_TIMEOUT_S);
      g_usleep (POLL_US);
    }
  run_check (run, WIFEXITED (run->wait_status), "the VMM died of signal %d",
             WTERMSIG (run->wait_status));
  run_check (run, WEXITSTATUS (run->wait_status) == 0, "the VMM exited with status %d",
             WEXITSTATUS (run->wait_status));
  if (backend == BACKEND_HV_VMM)
    run_check (run, !g_file_test (run->runtime_dir, G_FILE_TEST_EXISTS),
               "hv-vmm left its runtime directory %s behind", run->runtime_dir);
}

/* The guest's lines: from its first line on (firmware may print before it), no '\r'. */
static char **
guest_lines (Run *run, const char *first)
{
  const char *start = strstr (run->console->str, first);
  g_autoptr (GString) text = g_string_new (start ? start : "");

  g_string_replace (text, "\r", "", 0);
  return g_strsplit (text->str, "\n", -1);
}

static int
unix_connect (Run *run, const char *name)
{
  g_autofree char *path = g_build_filename (run->runtime_dir, name, NULL);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  run_check (run, strlen (path) < sizeof addr.sun_path, "socket path too long: %s", path);
  strcpy (addr.sun_path, path);
  run_check (run, fd >= 0 && connect (fd, (struct sockaddr *) &addr, sizeof addr) == 0,
             "cannot connect to %s: %s", path, g_strerror (errno));
  return fd;
}

/* Types bytes at the guest's serial console, slowly, as a person would. */
static void
console_type (Run *run, const char *text)
{
  if (run->in_fd < 0)
    run->in_fd = unix_connect (run, "console.sock");
  for (const char *p = text; *p; p++)
    {
      run_check (run, write (run->in_fd, p, 1) == 1, "cannot write to the console: %s",
                 g_strerror (errno));
      g_usleep (20000);
    }
}

/* Reads one line from the control socket, with a deadline. */
static char *
control_read_line (Run *run, int fd)
{
  GString *line = g_string_new (NULL);
  struct pollfd pfd = { fd, POLLIN, 0 };
  char c;

  for (;;)
    {
      run_check (run, poll (&pfd, 1, READY_TIMEOUT_S * 1000) > 0 && read (fd, &c, 1) == 1,
                 "no reply on control.sock within %d s", READY_TIMEOUT_S);
      if (c == '\n')
        return g_string_free (line, FALSE);
      g_string_append_c (line, c);
    }
}

/* Ends a guest that runs forever: "quit" for hv-vmm, SIGTERM for QEMU. */
static void
run_quit (Run *run)
{
  static const char quit[] = "{\"execute\": \"quit\", \"id\": 1}\n";
  int fd;

  if (backend == BACKEND_QEMU)
    {
      kill (run->pid, SIGTERM);
      waitpid (run->pid, &run->wait_status, 0);
      run->exited = TRUE;
      return;
    }
  fd = unix_connect (run, "control.sock");
  g_free (control_read_line (run, fd)); /* the greeting */
  run_check (run, write (fd, quit, sizeof quit - 1) == sizeof quit - 1,
             "cannot write to control.sock");
  for (;;)
    {
      g_autofree char *line = control_read_line (run, fd);

      if (strstr (line, "\"return\""))
        break;
      run_check (run, !strstr (line, "\"error\""), "quit failed: %s", line);
    }
  close (fd);
  run_wait_exit (run);
}

/* The checks guest */

typedef struct
{
  guint64 ram;
  guint64 ram_above_4g;
  gboolean ram_in_hole;
  unsigned entries;
} MemSummary;

static void
parse_e820_line (const char *line, MemSummary *mem)
{
  guint64 first, last;
  char type[16];

  if (sscanf (line, "e820: [mem 0x%" G_GINT64_MODIFIER "x-0x%" G_GINT64_MODIFIER "x] %15s", &first,
              &last, type) != 3)
    return;
  mem->entries++;
  if (strcmp (type, "ram") != 0)
    return;
  mem->ram += last - first + 1;
  if (last >= 4 * GIB)
    mem->ram_above_4g += last - MAX (first, 4 * GIB) + 1;
  /* The 32-bit hole for MMIO: hv-vmm keeps RAM below 3 GiB (QEMU's q35, below 2 GiB). */
  if (first < 4 * GIB && last >= 3 * GIB)
    mem->ram_in_hole = TRUE;
}

static const char *
find_line (char **lines, const char *prefix)
{
  for (char **l = lines; *l; l++)
    if (g_str_has_prefix (*l, prefix))
      return *l;
  return NULL;
}

static void
expect_line (Run *run, char **lines, const char *expected)
{
  run_check (run, g_strv_contains ((const char *const *) lines, expected),
             "the guest did not print \"%s\"", expected);
}

static void
verify_memory (Run *run, char **lines)
{
  MemSummary mem = { 0 };
  guint64 want = run->spec->memory_mib * MIB;
  unsigned entries, ram_mib;
  const char *summary = find_line (lines, "e820: ");

  run_check (run,
             summary && sscanf (summary, "e820: %u entries, ram %u MiB", &entries, &ram_mib) == 2,
             "no e820 summary line");
  for (char **l = lines; *l; l++)
    parse_e820_line (*l, &mem);
  run_check (run, mem.entries == entries, "e820 lists %u entries, says %u", mem.entries, entries);
  run_check (run, mem.ram / MIB == ram_mib,
             "e820 RAM lines add up to %" G_GUINT64_FORMAT " MiB, summary says %u", mem.ram / MIB,
             ram_mib);
  run_check (run, mem.ram <= want && mem.ram + RAM_SLACK >= want,
             "e820 RAM is %" G_GUINT64_FORMAT " KiB for --memory %u MiB", mem.ram / 1024,
             run->spec->memory_mib);
  run_check (run, !mem.ram_in_hole, "e820 has RAM in the 32-bit MMIO hole (3-4 GiB)");
  if (want > 3 * GIB)
    run_check (run, mem.ram_above_4g > 0, "%u MiB of memory but no e820 RAM above 4 GiB",
               run->spec->memory_mib);
}

static void
verify_rtc (Run *run, char **lines)
{
  const char *line = find_line (lines, "rtc: ");
  int y, mo, d, h, mi, s;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GDateTime) rtc = NULL;
  gint64 diff;

  run_check (run, line && sscanf (line, "rtc: %d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s) == 6,
             "no rtc line");
  rtc = g_date_time_new_utc (y, mo, d, h, mi, s);
  run_check (run, rtc != NULL, "impossible RTC date: %s", line);
  diff = g_date_time_difference (now, rtc) / G_TIME_SPAN_SECOND;
  run_check (run, ABS (diff) <= RTC_SLACK_S, "the RTC is %" G_GINT64_FORMAT " s off host UTC (%s)",
             diff, line);
}

static void
verify_checks (Run *run)
{
  g_auto (GStrv) lines = guest_lines (run, "boot: ");
  g_autofree char *cmdline =
      g_strdup_printf ("cmdline: %s", run->spec->cmdline ? run->spec->cmdline : "");
  g_autofree char *initrd = NULL;
  g_autofree char *cpus = g_strdup_printf ("madt: ok cpus %u", run->spec->cpus);
  gboolean pvh = strcmp (run->spec->format, "pvh") == 0;
  const char *boot = pvh                         ? "boot: pvh"
                     : backend == BACKEND_HV_VMM ? "boot: linux64"
                                                 : "boot: linux32";
  guint n = g_strv_length (lines);

  for (char **l = lines; *l; l++)
    run_check (run, !g_str_has_prefix (*l, "FAIL") && !strstr (*l, "POWEROFF FAILED"),
               "the guest reports: %s", *l);
  run_check (run, n >= 2 && strcmp (lines[n - 2], "checks: done") == 0 && !*lines[n - 1],
             "the transcript does not end with \"checks: done\"");
  expect_line (run, lines, boot);
  expect_line (run, lines, cmdline);
  if (run->spec->initrd_size)
    initrd = g_strdup_printf ("initrd: size %" G_GSIZE_FORMAT " sum %08x", run->spec->initrd_size,
                              run->initrd_sum);
  expect_line (run, lines, initrd ? initrd : "initrd: none");
  expect_line (run, lines, "rsdp: ok");
  /* hv-vmm provides an XSDT; QEMU's q35 firmware only an RSDT. */
  if (backend == BACKEND_HV_VMM || !g_strv_contains ((const char *const *) lines, "rsdt: ok"))
    expect_line (run, lines, "xsdt: ok");
  expect_line (run, lines, cpus);
  expect_line (run, lines, "fadt: ok");
  run_check (run, find_line (lines, "dsdt: ok s5 ") != NULL, "no \\_S5 found in the DSDT");
  verify_memory (run, lines);
  verify_rtc (run, lines);
}

/* Test cases */

static void
test_checks (gconstpointer data)
{
  Run *run = run_start (data);

  run_wait_exit (run);
  verify_checks (run);
  run_free (run);
}

static void
test_echo (gconstpointer data)
{
  Run *run = run_start (data);
  g_auto (GStrv) lines = NULL;

  run_check (run, run_wait_output (run, "echo: ready\r\n"), "the echo guest did not start");
  console_type (run, "hello q");
  run_wait_exit (run);
  lines = guest_lines (run, "echo: ready");
  run_check (run,
             g_strv_length (lines) >= 3 && strcmp (lines[0], "echo: ready") == 0 &&
                 strcmp (lines[1], "hello q") == 0 && strcmp (lines[2], "bye") == 0,
             "expected \"echo: ready\", \"hello q\", \"bye\"");
  run_free (run);
}

static void
test_ticker (gconstpointer data)
{
  Run *run = run_start (data);
  g_auto (GStrv) lines = NULL;

  run_check (run, run_wait_output (run, "tick 3\r\n"), "fewer than 3 ticks before the VMM exited");
  run_quit (run);
  lines = guest_lines (run, "ticker: ready");
  run_check (run,
             g_strv_length (lines) >= 4 && strcmp (lines[1], "tick 1") == 0 &&
                 strcmp (lines[2], "tick 2") == 0 && strcmp (lines[3], "tick 3") == 0,
             "expected \"ticker: ready\", then \"tick 1\", \"tick 2\", \"tick 3\"");
  run_free (run);
}

static void
test_reset (gconstpointer data)
{
  Run *run = run_start (data);
  g_auto (GStrv) lines = NULL;
  unsigned starts = 0;

  run_wait_exit (run);
  lines = guest_lines (run, "reset: start");
  for (char **l = lines; *l; l++)
    {
      run_check (run, !strstr (*l, "FAILED") && !g_str_has_prefix (*l, "FAIL"),
                 "the guest reports: %s", *l);
      starts += strcmp (*l, "reset: start") == 0;
    }
  run_check (run, starts == 1, "\"reset: start\" %u times: with --no-reboot, one boot only",
             starts);
  run_free (run);
}

static const RunSpec checks_runs[] = {
  { "checks", "pvh", 1, 64, "hello world", 5000 },
  { "checks", "pvh", 3, 4200, "console=ttyS0 hangar.test=\"a b\" x=1", 7001 },
  { "checks", "pvh", 2, 64, NULL, 0 },
  { "checks", "bzimage", 1, 64, "hello world", 5000 },
  { "checks", "bzimage", 3, 4200, "console=ttyS0 hangar.test=\"a b\" x=1", 7001 },
};
static const RunSpec qemu_microvm_run = { "checks",        "pvh", 1,     64,
                                          "hello microvm", 3000,  FALSE, "microvm" };
static const RunSpec echo_run = { "echo", "pvh", 1, 64 };
static const RunSpec ticker_run = { "ticker", "pvh", 1, 64 };
static const RunSpec reset_run = { "reset", "pvh", 1, 64, NULL, 0, TRUE };
static const RunSpec reset_bzimage_run = { "reset", "bzimage", 1, 64, NULL, 0, TRUE };

static void
add_tests (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (checks_runs); i++)
    {
      const RunSpec *s = &checks_runs[i];
      g_autofree char *path = g_strdup_printf ("/guests/checks/%s/%ucpu-%umib%s", s->format,
                                               s->cpus, s->memory_mib, s->cmdline ? "" : "-bare");

      g_test_add_data_func (path, s, test_checks);
    }
  if (backend == BACKEND_QEMU)
    g_test_add_data_func ("/guests/checks/pvh/microvm", &qemu_microvm_run, test_checks);
  g_test_add_data_func ("/guests/echo/pvh", &echo_run, test_echo);
  g_test_add_data_func ("/guests/ticker/pvh", &ticker_run, test_ticker);
  g_test_add_data_func ("/guests/reset/pvh/no-reboot", &reset_run, test_reset);
  g_test_add_data_func ("/guests/reset/bzimage/no-reboot", &reset_bzimage_run, test_reset);
}

static void
parse_options (int *argc, char ***argv)
{
  g_autofree char *backend_name = NULL;
  GOptionEntry entries[] = {
    { "backend", 0, 0, G_OPTION_ARG_STRING, &backend_name, "hv-vmm or qemu", "NAME" },
    { "vmm", 0, 0, G_OPTION_ARG_FILENAME, &vmm_path, "the hv-vmm or QEMU program", "PATH" },
    { "images", 0, 0, G_OPTION_ARG_FILENAME, &image_dir, "directory of the guest images", "DIR" },
    { NULL }
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *found = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_ignore_unknown_options (context, TRUE);
  g_option_context_set_help_enabled (context, FALSE);
  if (!g_option_context_parse (context, argc, argv, &error))
    g_error ("%s", error->message);
  if (!backend_name || !vmm_path || !image_dir)
    g_error ("usage: guest-boot-test --backend=hv-vmm|qemu --vmm=PATH --images=DIR");
  if (strcmp (backend_name, "hv-vmm") == 0)
    backend = BACKEND_HV_VMM;
  else if (strcmp (backend_name, "qemu") == 0)
    backend = BACKEND_QEMU;
  else
    g_error ("unknown backend %s", backend_name);
  found = g_find_program_in_path (vmm_path);
  if (!found)
    g_error ("%s not found%s", vmm_path,
             backend == BACKEND_QEMU ? ": install the Debian package qemu-system-x86" : "");
  g_free (vmm_path);
  vmm_path = g_steal_pointer (&found);
}

int
main (int argc, char **argv)
{
  parse_options (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  add_tests ();
  return g_test_run ();
}
