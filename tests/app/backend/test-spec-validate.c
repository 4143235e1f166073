/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every check of hangar_machine_spec_validate_full (), one table row each: a
 * good machine, changed in one way, must fail with the right error and a
 * message that names what is wrong. */
#include "config.h"

#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <unistd.h>

#include "hangar-machine-spec.h"

#define GIB (1024ull * 1024 * 1024)

typedef struct
{
  char *dir;
  char *iso;      /* exists */
  char *disk;     /* exists */
  char *secret;   /* exists, mode 000 */
  char *missing;  /* does not exist */
  char *new_disk; /* does not exist: where the new disk goes */
} Files;

static Files files;

static const char *const taken[] = { "web", "db", NULL };
static const char *const bridges[] = { "br0", "virbr0", NULL };

typedef struct
{
  const char *name;
  void (*change) (HangarMachineSpec *spec, HangarSpecLimits *limits);
  int code;            /* G_IO_ERROR_*; -1: valid */
  const char *message; /* a part of the message */
} Case;

static HangarDiskSpec *
disk (HangarMachineSpec *spec, guint i)
{
  return g_ptr_array_index (spec->disks, i);
}

static HangarNicSpec *
nic (HangarMachineSpec *spec, guint i)
{
  return g_ptr_array_index (spec->nics, i);
}

static void
set_string (char **field, const char *value)
{
  g_free (*field);
  *field = g_strdup (value);
}

static void
unchanged (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
}

static void
no_name (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
  set_string (&spec->name, "");
}

static void
bad_name (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
  set_string (&spec->name, "mi máquina");
}

static void
taken_name (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
  set_string (&spec->name, "db");
}

static void
no_cpus (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
  spec->cpus = 0;
}

static void
too_many_cpus (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
  spec->cpus = 5;
}

static void
too_little_memory (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
  spec->memory_mib = 32;
}

static void
too_much_memory (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
  spec->memory_mib = 16384;
}

static void
limits_unknown (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
  spec->cpus = 64;
  spec->memory_mib = 1 << 20;
  disk (spec, 0)->size_bytes = 1000 * GIB;
  set_string (&nic (spec, 1)->source, "br9");
  *limits = (HangarSpecLimits){ 0 };
}

static void
new_disk_empty (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
  disk (spec, 0)->size_bytes = 0;
}

static void
new_disk_too_large (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
  disk (spec, 0)->size_bytes = 50 * GIB;
}

static void
new_disk_exists (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
  set_string (&disk (spec, 0)->path, files.disk);
}

static void
disk_without_path (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
  hangar_machine_spec_add_disk (spec, "", 0, FALSE, FALSE);
}

static void
existing_disk_missing (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
  hangar_machine_spec_add_disk (spec, files.missing, 0, FALSE, FALSE);
}

static void
existing_disk (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
  g_ptr_array_remove_index (spec->disks, 0);
  hangar_machine_spec_add_disk (spec, files.disk, 0, FALSE, FALSE);
}

static void
existing_disk_unreadable (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
  hangar_machine_spec_add_disk (spec, files.secret, 0, FALSE, FALSE);
}

static void
iso_missing (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
  set_string (&disk (spec, 1)->path, files.missing);
}

static void
remote_files_unchecked (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
  set_string (&disk (spec, 1)->path, files.missing);
  set_string (&disk (spec, 0)->path, files.disk);
  limits->local_files = FALSE;
}

static void
kernel_missing (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
  spec->kernel = g_strdup (files.missing);
}

static void
initrd_missing (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
  spec->kernel = g_strdup (files.disk);
  spec->initrd = g_strdup (files.missing);
}

static void
initrd_without_kernel (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
  spec->initrd = g_strdup (files.disk);
}

static void
kernel_boot (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
  spec->kernel = g_strdup (files.disk);
  spec->initrd = g_strdup (files.iso);
  spec->cmdline = g_strdup ("console=ttyS0");
}

static void
bridge_missing (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
  set_string (&nic (spec, 1)->source, "br9");
}

static void
bridge_unnamed (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
  set_string (&nic (spec, 1)->source, NULL);
}

static void
lab_unnamed (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
  hangar_machine_spec_add_nic (spec, HANGAR_NETWORK_ISOLATED, NULL, NULL);
}

static void
bad_mac (HangarMachineSpec *spec, HangarSpecLimits *limits)
{
  set_string (&nic (spec, 0)->mac, "52:54:00:12:34");
}

static const Case cases[] = {
  { "valid", unchanged, -1, NULL },
  { "limits-unknown", limits_unknown, -1, NULL },
  { "existing-disk", existing_disk, -1, NULL },
  { "kernel-boot", kernel_boot, -1, NULL },
  { "remote-files-unchecked", remote_files_unchecked, -1, NULL },
  { "name-empty", no_name, G_IO_ERROR_INVALID_ARGUMENT, "needs a name" },
  { "name-invalid", bad_name, G_IO_ERROR_INVALID_ARGUMENT, "may only hold" },
  { "name-taken", taken_name, G_IO_ERROR_EXISTS, "exists already" },
  { "cpus-none", no_cpus, G_IO_ERROR_INVALID_ARGUMENT, "from 1 to 4" },
  { "cpus-above-host", too_many_cpus, G_IO_ERROR_INVALID_ARGUMENT, "the host has 4" },
  { "memory-too-little", too_little_memory, G_IO_ERROR_INVALID_ARGUMENT, "at least 64 MiB" },
  { "memory-above-host", too_much_memory, G_IO_ERROR_INVALID_ARGUMENT, "(8192 MiB)" },
  { "new-disk-no-size", new_disk_empty, G_IO_ERROR_INVALID_ARGUMENT, "size" },
  { "new-disk-above-free-space", new_disk_too_large, G_IO_ERROR_NO_SPACE, "(20.0" },
  { "new-disk-exists", new_disk_exists, G_IO_ERROR_EXISTS, "will not overwrite" },
  { "disk-without-path", disk_without_path, G_IO_ERROR_INVALID_ARGUMENT, "file or a device" },
  { "disk-missing", existing_disk_missing, G_IO_ERROR_NOT_FOUND, "does not exist" },
  { "disk-unreadable", existing_disk_unreadable, G_IO_ERROR_PERMISSION_DENIED, "may not read" },
  { "iso-missing", iso_missing, G_IO_ERROR_NOT_FOUND, "disc image" },
  { "kernel-missing", kernel_missing, G_IO_ERROR_NOT_FOUND, "The kernel" },
  { "initrd-missing", initrd_missing, G_IO_ERROR_NOT_FOUND, "The initrd" },
  { "initrd-without-kernel", initrd_without_kernel, G_IO_ERROR_INVALID_ARGUMENT, "needs a kernel" },
  { "bridge-missing", bridge_missing, G_IO_ERROR_NOT_FOUND, "no bridge named “br9”" },
  { "bridge-unnamed", bridge_unnamed, G_IO_ERROR_INVALID_ARGUMENT, "host bridge" },
  { "lab-network-unnamed", lab_unnamed, G_IO_ERROR_INVALID_ARGUMENT, "lab network" },
  { "mac-invalid", bad_mac, G_IO_ERROR_INVALID_ARGUMENT, "not a MAC address" },
};

/* What the wizard makes for an ISO install: a new disk, the ISO, NAT and a
 * bridge, on a host with 4 processors, 8 GiB and 20 GiB free. */
static HangarMachineSpec *
good_spec (HangarSpecLimits *limits)
{
  HangarMachineSpec *spec = hangar_machine_spec_new ();

  spec->name = g_strdup ("lab-pc");
  spec->cpus = 2;
  spec->memory_mib = 2048;
  hangar_machine_spec_add_new_disk (spec, files.new_disk, 10 * GIB);
  hangar_machine_spec_add_disk (spec, files.iso, 0, TRUE, TRUE);
  hangar_machine_spec_add_nic (spec, HANGAR_NETWORK_NAT, "default", "52:54:00:12:34:56");
  hangar_machine_spec_add_nic (spec, HANGAR_NETWORK_BRIDGE, "br0", NULL);
  *limits = (HangarSpecLimits){
    .host_cpus = 4,
    .host_memory_mib = 8192,
    .taken_names = taken,
    .free_bytes = 20 * GIB,
    .local_files = TRUE,
    .bridges = bridges,
  };
  return spec;
}

/* Runs the validation in a child that has become the user "nobody" (65534),
 * and checks the child saw the expected error. */
static void
check_as_nobody (const HangarMachineSpec *spec, const HangarSpecLimits *limits, const Case *c)
{
  int status = 0;
  pid_t pid;

  /* The test's directory must let that user reach the file, not read it. */
  g_assert_cmpint (g_chmod (files.dir, 0755), ==, 0);
  pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      GError *error = NULL;

      if (setgroups (0, NULL) != 0 || setgid (65534) != 0 || setuid (65534) != 0)
        _exit (2);
      if (hangar_machine_spec_validate_full (spec, limits, &error))
        _exit (3);
      _exit (g_error_matches (error, G_IO_ERROR, c->code) && strstr (error->message, c->message)
                 ? 0
                 : 4);
    }
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  HangarSpecLimits limits;
  g_autoptr (HangarMachineSpec) spec = good_spec (&limits);
  g_autoptr (GError) error = NULL;
  gboolean valid;

  c->change (spec, &limits);
  /* Root may read any file: check the unreadable case as an ordinary user. */
  if (c->change == existing_disk_unreadable && geteuid () == 0)
    {
      check_as_nobody (spec, &limits, c);
      return;
    }
  valid = hangar_machine_spec_validate_full (spec, &limits, &error);
  if (c->code < 0)
    {
      g_assert_no_error (error);
      g_assert_true (valid);
      return;
    }
  g_assert_false (valid);
  g_assert_error (error, G_IO_ERROR, c->code);
  g_test_message ("%s: %s", c->name, error->message);
  g_assert_nonnull (strstr (error->message, c->message));
}

/* The short form keeps its old meaning: no names, files or bridges checked. */
static void
test_short_form (void)
{
  HangarSpecLimits limits;
  g_autoptr (HangarMachineSpec) spec = good_spec (&limits);

  set_string (&spec->name, "db");
  set_string (&disk (spec, 1)->path, files.missing);
  g_assert_true (hangar_machine_spec_validate (spec, 4, 8192, NULL));
  spec->memory_mib = 9000;
  g_assert_false (hangar_machine_spec_validate (spec, 4, 8192, NULL));
}

static void
make_files (void)
{
  files.dir = g_dir_make_tmp ("hangar-validate-XXXXXX", NULL);
  files.iso = g_build_filename (files.dir, "debian.iso", NULL);
  files.disk = g_build_filename (files.dir, "disk.img", NULL);
  files.secret = g_build_filename (files.dir, "secret.img", NULL);
  files.missing = g_build_filename (files.dir, "missing.img", NULL);
  files.new_disk = g_build_filename (files.dir, "lab-pc.img", NULL);
  g_assert_true (g_file_set_contents (files.iso, "CD001", -1, NULL));
  g_assert_true (g_file_set_contents (files.disk, "disk", -1, NULL));
  g_assert_true (g_file_set_contents (files.secret, "secret", -1, NULL));
  g_assert_cmpint (g_chmod (files.secret, 0), ==, 0);
}

static void
remove_files (void)
{
  g_unlink (files.iso);
  g_unlink (files.disk);
  g_unlink (files.secret);
  g_rmdir (files.dir);
  g_free (files.dir);
  g_free (files.iso);
  g_free (files.disk);
  g_free (files.secret);
  g_free (files.missing);
  g_free (files.new_disk);
}

int
main (int argc, char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  make_files ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/Hangar/spec/validate-full/%s", cases[i].name);
      g_test_add_data_func (path, &cases[i], test_case);
    }
  g_test_add_func ("/Hangar/spec/validate-short-form", test_short_form);

  status = g_test_run ();
  remove_files ();
  return status;
}
