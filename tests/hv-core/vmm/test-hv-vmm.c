/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hv-vmm as libhvcore sees it: the ready line, the exit status, and the
 * runtime directory left behind (or not). Needs /dev/kvm; the guest is a
 * handful of instructions, so the emulated KVM of the build machines is fast
 * enough.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-tree.h"

typedef struct
{
  char *tmp;         /* scratch directory for files */
  char *runtime_dir; /* DIR for hv-vmm, inside tmp */
  char *kernel;
  char *log;
} Fixture;

/* 32-bit PVH entry: writes 'K' to COM1, then S5 (SLP_TYP 5) to PM1a_CNT. */
static const uint8_t guest_code[] = {
  0x66, 0xba, 0xf8, 0x03, /* mov $0x3f8, %dx */
  0xb0, 'K',              /* mov $'K', %al */
  0xee,                   /* out %al, %dx */
  0x66, 0xba, 0x04, 0x06, /* mov $0x604, %dx */
  0x66, 0xb8, 0x00, 0x34, /* mov $0x3400, %ax */
  0x66, 0xef,             /* out %ax, %dx */
  0xf4,                   /* hlt */
};

/* Stops for good: cli; hlt; jmp back to the hlt. */
static const uint8_t hang_code[] = { 0xfa, 0xf4, 0xeb, 0xfd };

/* Pulses the reset line through the i8042: mov $0xfe, %al; out %al, $0x64. */
static const uint8_t reset_code[] = { 0xb0, 0xfe, 0xe6, 0x64, 0xf4 };

typedef struct
{
  Elf64_Ehdr eh;
  Elf64_Phdr ph[2];
  uint32_t note[5]; /* namesz, descsz, type, "Xen\0", entry */
  uint8_t code[32];
} GuestImage;

static void
write_guest (const char *path, const uint8_t *code, size_t len)
{
  GuestImage img = { 0 };
  g_autoptr (GError) error = NULL;

  memcpy (img.eh.e_ident, ELFMAG, SELFMAG);
  img.eh.e_ident[EI_CLASS] = ELFCLASS64;
  img.eh.e_ident[EI_DATA] = ELFDATA2LSB;
  img.eh.e_ident[EI_VERSION] = EV_CURRENT;
  img.eh.e_type = ET_EXEC;
  img.eh.e_machine = EM_X86_64;
  img.eh.e_version = EV_CURRENT;
  img.eh.e_phoff = offsetof (GuestImage, ph);
  img.eh.e_ehsize = sizeof img.eh;
  img.eh.e_phentsize = sizeof (Elf64_Phdr);
  img.eh.e_phnum = 2;
  img.ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD,
                            .p_offset = offsetof (GuestImage, code),
                            .p_paddr = 0x100000,
                            .p_filesz = sizeof guest_code,
                            .p_memsz = sizeof guest_code };
  img.ph[1] = (Elf64_Phdr){ .p_type = PT_NOTE,
                            .p_offset = offsetof (GuestImage, note),
                            .p_filesz = sizeof img.note };
  img.note[0] = 4;
  img.note[1] = 4;
  img.note[2] = 18; /* XEN_ELFNOTE_PHYS32_ENTRY */
  memcpy (&img.note[3], "Xen", 4);
  img.note[4] = 0x100000;
  g_assert_cmpuint (len, <=, sizeof img.code);
  memcpy (img.code, code, len);
  g_file_set_contents (path, (const char *) &img, sizeof img, &error);
  g_assert_no_error (error);
}

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  f->tmp = g_dir_make_tmp ("hv-vmm-test-XXXXXX", &error);
  g_assert_no_error (error);
  f->runtime_dir = g_build_filename (f->tmp, "vm", NULL);
  g_assert_cmpint (g_mkdir (f->runtime_dir, 0700), ==, 0);
  f->kernel = g_build_filename (f->tmp, "guest.elf", NULL);
  f->log = g_build_filename (f->tmp, "console.log", NULL);
  write_guest (f->kernel, guest_code, sizeof guest_code);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  test_remove_tree (f->tmp);
  g_free (f->tmp);
  g_free (f->runtime_dir);
  g_free (f->kernel);
  g_free (f->log);
}

static const char *const common_args[] = {
  "--name",     "test", "--uuid",   "00000000-0000-0000-0000-000000000001",
  "--ready-fd", "1",    "--memory", "16",
};

/* Runs hv-vmm with --ready-fd 1; returns its exit status and what it wrote
 * there. EXTRA: more arguments, NULL-terminated. */
static int
run_vmm (Fixture *f, char **ready, const char *const *extra)
{
  const char *vmm = g_getenv ("HV_VMM_PATH");
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  int status;

  g_assert_nonnull (vmm);
  g_ptr_array_add (argv, (char *) vmm);
  for (unsigned i = 0; i < G_N_ELEMENTS (common_args); i++)
    g_ptr_array_add (argv, (char *) common_args[i]);
  g_ptr_array_add (argv, (char *) "--runtime-dir");
  g_ptr_array_add (argv, f->runtime_dir);
  g_ptr_array_add (argv, (char *) "--console-log");
  g_ptr_array_add (argv, f->log);
  for (; extra != NULL && *extra != NULL; extra++)
    g_ptr_array_add (argv, (char *) *extra);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, ready, &err,
                &status, &error);
  g_assert_no_error (error);
  g_test_message ("hv-vmm stderr: %s", err);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

static void
test_boot_and_power_off (Fixture *f, gconstpointer data)
{
  const char *args[] = { "--kernel", f->kernel, "--cpus", "2", NULL };
  g_autofree char *ready = NULL;
  g_autofree char *log = NULL;

  g_assert_cmpint (run_vmm (f, &ready, args), ==, 0);
  g_assert_cmpstr (ready, ==, "OK\n");
  g_assert_true (g_file_get_contents (f->log, &log, NULL, NULL));
  g_assert_cmpstr (log, ==, "K");
  /* Sockets, lock and the directory itself are gone. */
  g_assert_false (g_file_test (f->runtime_dir, G_FILE_TEST_EXISTS));
}

static void
test_not_a_kernel (Fixture *f, gconstpointer data)
{
  g_autofree char *path = g_build_filename (f->tmp, "notes.txt", NULL);
  const char *args[] = { "--kernel", path, NULL };
  g_autofree char *ready = NULL;

  g_assert_true (g_file_set_contents (path, "just some text\n", -1, NULL));
  g_assert_cmpint (run_vmm (f, &ready, args), ==, 1);
  g_assert_true (g_str_has_prefix (ready, "ERROR "));
  g_assert_true (g_str_has_suffix (ready, "\n"));
  g_assert_nonnull (strstr (ready, "is not a Linux kernel (bzImage or ELF with a PVH entry)"));
  /* One line only. */
  g_assert_true (strchr (ready, '\n') == ready + strlen (ready) - 1);
  g_assert_false (g_file_test (f->runtime_dir, G_FILE_TEST_EXISTS));
}

static void
test_too_many_cpus (Fixture *f, gconstpointer data)
{
  const char *args[] = { "--kernel", f->kernel, "--cpus", "100000", NULL };
  g_autofree char *ready = NULL;

  g_assert_cmpint (run_vmm (f, &ready, args), ==, 1);
  g_assert_true (g_str_has_prefix (ready, "ERROR "));
  g_assert_nonnull (strstr (ready, "fewer CPUs"));
}

static void
test_initrd_too_big (Fixture *f, gconstpointer data)
{
  g_autofree char *initrd = g_build_filename (f->tmp, "initrd", NULL);
  const char *args[] = { "--kernel", f->kernel, "--initrd", initrd, NULL };
  g_autofree char *ready = NULL;
  int fd = open (initrd, O_CREAT | O_WRONLY, 0600);

  /* Sparse: 17 MiB for a 16 MiB machine. */
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, 17 << 20), ==, 0);
  close (fd);
  g_assert_cmpint (run_vmm (f, &ready, args), ==, 1);
  g_assert_true (g_str_has_prefix (ready, "ERROR "));
  g_assert_nonnull (strstr (ready, "initrd"));
}

static void
test_reset_no_reboot (Fixture *f, gconstpointer data)
{
  const char *args[] = { "--kernel", f->kernel, "--no-reboot", NULL };
  g_autofree char *ready = NULL;

  write_guest (f->kernel, reset_code, sizeof reset_code);
  g_assert_cmpint (run_vmm (f, &ready, args), ==, 0);
  g_assert_cmpstr (ready, ==, "OK\n");
  g_assert_false (g_file_test (f->runtime_dir, G_FILE_TEST_EXISTS));
}

/* SIGTERM ends a running guest cleanly: exit 0, nothing left behind. */
static void
test_sigterm (Fixture *f, gconstpointer data)
{
  const char *argv[] = { g_getenv ("HV_VMM_PATH"),
                         "--name",
                         "t",
                         "--uuid",
                         "u",
                         "--memory",
                         "16",
                         "--ready-fd",
                         "1",
                         "--runtime-dir",
                         f->runtime_dir,
                         "--kernel",
                         f->kernel,
                         NULL };
  g_autoptr (GError) error = NULL;
  char buf[16] = { 0 };
  GPid pid;
  int out, status;

  write_guest (f->kernel, hang_code, sizeof hang_code);
  g_assert_nonnull (argv[0]);
  g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                            NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (read (out, buf, sizeof buf - 1), ==, 3);
  g_assert_cmpstr (buf, ==, "OK\n");
  g_assert_true (g_file_test (f->runtime_dir, G_FILE_TEST_IS_DIR));
  kill (pid, SIGTERM);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  close (out);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_false (g_file_test (f->runtime_dir, G_FILE_TEST_EXISTS));
}

/* Another hv-vmm holds the lock: fail, and leave its directory alone. */
static void
test_locked (Fixture *f, gconstpointer data)
{
  g_autofree char *lock = g_build_filename (f->runtime_dir, "vmm.lock", NULL);
  const char *args[] = { "--kernel", f->kernel, NULL };
  g_autofree char *ready = NULL;
  int fd = open (lock, O_CREAT | O_RDWR, 0600);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (flock (fd, LOCK_EX), ==, 0);
  g_assert_cmpint (run_vmm (f, &ready, args), ==, 1);
  g_assert_true (g_str_has_prefix (ready, "ERROR "));
  g_assert_true (g_file_test (lock, G_FILE_TEST_EXISTS));
  close (fd);
}

static char *
make_disk (Fixture *f)
{
  g_autofree char *path = g_build_filename (f->tmp, "disk.img", NULL);
  int fd = open (path, O_CREAT | O_RDWR, 0600);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (ftruncate (fd, 1 << 20), ==, 0);
  close (fd);
  return g_steal_pointer (&path);
}

/* Boots with disks (and the PCI bus, virtio-rng included), powers off. */
static void
test_disk_boot (Fixture *f, gconstpointer data)
{
  g_autofree char *disk = make_disk (f);
  g_autofree char *spec = g_strdup_printf ("path=%s,serial=hv-test", disk);
  g_autofree char *ro = g_strdup_printf ("path=%s,readonly=on", disk);
  const char *args[] = { "--kernel", f->kernel, "--disk", spec, NULL };
  const char *bad[] = { "--kernel", f->kernel, "--disk", "path=/x,color=red", NULL };
  const char *both[] = { "--kernel", f->kernel, "--disk", spec, "--disk", ro, NULL };
  g_autofree char *ready = NULL;
  g_autofree char *bad_ready = NULL;
  g_autofree char *both_ready = NULL;

  g_assert_cmpint (run_vmm (f, &ready, args), ==, 0);
  g_assert_cmpstr (ready, ==, "OK\n");
  g_assert_cmpint (g_mkdir (f->runtime_dir, 0700), ==, 0);
  g_assert_cmpint (run_vmm (f, &bad_ready, bad), ==, 1);
  g_assert_nonnull (strstr (bad_ready, "unknown setting color"));
  /* One machine cannot even have the same disk twice. */
  g_assert_cmpint (run_vmm (f, &both_ready, both), ==, 1);
  g_assert_nonnull (strstr (both_ready, "in use by another machine"));
}

/* Sends COMMAND on the control socket of the hv-vmm in DIR; returns the
 * reply line. */
static char *
control_command (const char *dir, const char *command)
{
  g_autofree char *path = g_build_filename (dir, "control.sock", NULL);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  GString *reply = g_string_new (NULL);
  int lines = 0;
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  char c;

  g_assert_cmpint (fd, >=, 0);
  g_strlcpy (addr.sun_path, path, sizeof addr.sun_path);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  g_assert_cmpint (write (fd, command, strlen (command)), ==, (ssize_t) strlen (command));
  /* The greeting first, then the reply. */
  while (lines < 2 && read (fd, &c, 1) == 1)
    {
      if (c == '\n')
        lines++;
      else if (lines == 1)
        g_string_append_c (reply, c);
    }
  close (fd);
  return g_string_free (reply, FALSE);
}

/* A second guest on a disk in use is refused, with a message that says so. */
static void
test_disk_in_use (Fixture *f, gconstpointer data)
{
  g_autofree char *disk = make_disk (f);
  g_autofree char *spec = g_strdup_printf ("path=%s", disk);
  g_autofree char *second_dir = g_build_filename (f->tmp, "vm2", NULL);
  char *first_dir;
  const char *argv[] = { g_getenv ("HV_VMM_PATH"),
                         "--name",
                         "one",
                         "--uuid",
                         "u1",
                         "--memory",
                         "16",
                         "--ready-fd",
                         "1",
                         "--runtime-dir",
                         f->runtime_dir,
                         "--kernel",
                         f->kernel,
                         "--disk",
                         spec,
                         NULL };
  const char *args[] = { "--kernel", f->kernel, "--disk", spec, NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *ready = NULL;
  g_autofree char *reply = NULL;
  char buf[16] = { 0 };
  GPid pid;
  int out, status;

  write_guest (f->kernel, hang_code, sizeof hang_code);
  g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                            NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (read (out, buf, sizeof buf - 1), ==, 3);
  g_assert_cmpstr (buf, ==, "OK\n");
  reply = control_command (f->runtime_dir, "{\"execute\": \"query-block\", \"id\": 1}\n");
  g_test_message ("query-block: %s", reply);
  g_assert_nonnull (strstr (reply, "\"id\":\"disk0\""));
  g_assert_nonnull (strstr (reply, disk));
  g_assert_nonnull (strstr (reply, "\"size\":1048576"));
  g_assert_nonnull (strstr (reply, "\"readonly\":false"));

  g_assert_cmpint (g_mkdir (second_dir, 0700), ==, 0);
  first_dir = f->runtime_dir;
  f->runtime_dir = second_dir;
  g_assert_cmpint (run_vmm (f, &ready, args), ==, 1);
  f->runtime_dir = first_dir;
  g_assert_true (g_str_has_prefix (ready, "ERROR "));
  g_assert_nonnull (strstr (ready, "is in use by another machine"));
  g_assert_nonnull (strstr (ready, disk));

  kill (pid, SIGTERM);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  close (out);
  g_assert_true (WIFEXITED (status));
}

/* A network card: query-nics reports it; a back end that cannot be set up
 * fails the start with a message. */
static void
test_nic (Fixture *f, gconstpointer data)
{
  const char *argv[] = { g_getenv ("HV_VMM_PATH"),
                         "--name",
                         "one",
                         "--uuid",
                         "u1",
                         "--memory",
                         "16",
                         "--ready-fd",
                         "1",
                         "--runtime-dir",
                         f->runtime_dir,
                         "--kernel",
                         f->kernel,
                         "--nic",
                         "mac=52:54:00:aa:bb:cc,backend=user",
                         NULL };
  g_autofree char *missing = g_build_filename (f->tmp, "no-such-switch.sock", NULL);
  g_autofree char *switch_spec = g_strdup_printf ("backend=switch:%s", missing);
  const char *bad[] = { "--kernel", f->kernel, "--nic", switch_spec, NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *ready = NULL;
  char buf[16] = { 0 };
  GPid pid;
  int out, status;

  write_guest (f->kernel, hang_code, sizeof hang_code);
  g_spawn_async_with_pipes (NULL, (char **) argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                            NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (read (out, buf, sizeof buf - 1), ==, 3);
  g_assert_cmpstr (buf, ==, "OK\n");
  reply = control_command (f->runtime_dir, "{\"execute\": \"query-nics\", \"id\": 1}\n");
  g_test_message ("query-nics: %s", reply);
  g_assert_nonnull (strstr (reply, "\"id\":\"net0\""));
  g_assert_nonnull (strstr (reply, "\"mac\":\"52:54:00:aa:bb:cc\""));
  g_assert_nonnull (strstr (reply, "\"backend\":\"user\""));
  g_assert_nonnull (strstr (reply, "\"tx-frames\":0"));
  kill (pid, SIGTERM);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_spawn_close_pid (pid);
  close (out);
  g_assert_true (WIFEXITED (status));

  g_assert_cmpint (g_mkdir (f->runtime_dir, 0700), ==, 0);
  g_assert_cmpint (run_vmm (f, &ready, bad), ==, 1);
  g_test_message ("ready: %s", ready);
  g_assert_true (g_str_has_prefix (ready, "ERROR "));
  g_assert_nonnull (strstr (ready, missing));
}

/* --display spice when hv-vmm-spice.so cannot be used: CONTENT NULL, the
 * file is missing; else the file holds CONTENT. Either way, one ERROR line
 * that names the file, exit status 1, and nothing left behind. */
static void
check_display_module_failure (Fixture *f, const char *content)
{
  g_autofree char *module = g_build_filename (f->tmp, "hv-vmm-spice.so", NULL);
  const char *args[] = { "--kernel", f->kernel, "--display", "spice", NULL };
  g_autofree char *ready = NULL;
  int status;

  if (content != NULL)
    g_assert_true (g_file_set_contents (module, content, -1, NULL));
  g_setenv ("HV_VMM_SPICE_MODULE", module, TRUE);
  status = run_vmm (f, &ready, args);
  g_unsetenv ("HV_VMM_SPICE_MODULE");
  g_test_message ("ready: %s", ready);
  g_assert_cmpint (status, ==, 1);
  g_assert_true (g_str_has_prefix (ready, "ERROR "));
  g_assert_nonnull (strstr (ready, module));
  g_assert_true (strchr (ready, '\n') == ready + strlen (ready) - 1);
  g_assert_false (g_file_test (f->runtime_dir, G_FILE_TEST_EXISTS));
}

static void
test_display_module_missing (Fixture *f, gconstpointer data)
{
  check_display_module_failure (f, NULL);
}

static void
test_display_module_broken (Fixture *f, gconstpointer data)
{
  check_display_module_failure (f, "not a shared object\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, setup, fn, teardown)
  ADD ("/hv-core/hv-vmm/boot-and-power-off", test_boot_and_power_off);
  ADD ("/hv-core/hv-vmm/not-a-kernel", test_not_a_kernel);
  ADD ("/hv-core/hv-vmm/too-many-cpus", test_too_many_cpus);
  ADD ("/hv-core/hv-vmm/initrd-too-big", test_initrd_too_big);
  ADD ("/hv-core/hv-vmm/locked", test_locked);
  ADD ("/hv-core/hv-vmm/reset-no-reboot", test_reset_no_reboot);
  ADD ("/hv-core/hv-vmm/sigterm", test_sigterm);
  ADD ("/hv-core/hv-vmm/disk-boot", test_disk_boot);
  ADD ("/hv-core/hv-vmm/disk-in-use", test_disk_in_use);
  ADD ("/hv-core/hv-vmm/nic", test_nic);
  ADD ("/hv-core/hv-vmm/display-module-missing", test_display_module_missing);
  ADD ("/hv-core/hv-vmm/display-module-broken", test_display_module_broken);
  return g_test_run ();
}
