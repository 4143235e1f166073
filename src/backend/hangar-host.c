/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "hangar-host.h"

static void
host_check_free (gpointer data)
{
  HangarHostCheck *check = data;

  g_free (check->title);
  g_free (check->value);
  g_free (check->explanation);
  g_free (check);
}

static void
add_check (GPtrArray *checks, HangarCheckStatus status, const char *title, char *value,
           const char *explanation)
{
  HangarHostCheck *check = g_new0 (HangarHostCheck, 1);

  check->status = status;
  check->title = g_strdup (title);
  check->value = value;
  check->explanation = g_strdup (explanation);
  g_ptr_array_add (checks, check);
}

void
hangar_host_sources_init_default (HangarHostSources *sources)
{
  static struct utsname uts;
  const char *nested = "/sys/module/kvm_intel/parameters/nested";

  if (!g_file_test (nested, G_FILE_TEST_EXISTS))
    nested = "/sys/module/kvm_amd/parameters/nested";
  uname (&uts);
  sources->cpuinfo_path = "/proc/cpuinfo";
  sources->meminfo_path = "/proc/meminfo";
  sources->kvm_path = "/dev/kvm";
  sources->nested_path = nested;
  sources->storage_path = g_get_user_data_dir ();
  sources->machine = uts.machine;
}

guint
hangar_host_count_cpus (const char *cpuinfo_path)
{
  g_autofree char *text = NULL;
  guint count = 0;

  if (!g_file_get_contents (cpuinfo_path, &text, NULL, NULL))
    return g_get_num_processors ();
  for (const char *line = text; line != NULL && *line != '\0'; line = strchr (line, '\n'))
    {
      if (*line == '\n')
        line++;
      if (g_str_has_prefix (line, "processor"))
        count++;
    }
  return count > 0 ? count : g_get_num_processors ();
}

static guint64
meminfo_field_kib (const char *meminfo_path, const char *field)
{
  g_autofree char *text = NULL;
  const char *found;

  if (!g_file_get_contents (meminfo_path, &text, NULL, NULL))
    return 0;
  found = strstr (text, field);
  if (found == NULL)
    return 0;
  return g_ascii_strtoull (found + strlen (field), NULL, 10);
}

guint64
hangar_host_memory_mib (const char *meminfo_path)
{
  return meminfo_field_kib (meminfo_path, "MemTotal:") / 1024;
}

/* The cpu flags line names vmx (Intel VT-x) or svm (AMD-V). */
static const char *
virtualization_flag (const char *cpuinfo_path)
{
  g_autofree char *text = NULL;
  const char *flags;
  const char *end;
  g_autofree char *line = NULL;

  if (!g_file_get_contents (cpuinfo_path, &text, NULL, NULL))
    return NULL;
  flags = strstr (text, "\nflags");
  if (flags == NULL)
    return NULL;
  end = strchr (flags + 1, '\n');
  line = g_strndup (flags, end != NULL ? (gsize) (end - flags) : strlen (flags));
  if (strstr (line, " vmx") != NULL)
    return "vmx";
  if (strstr (line, " svm") != NULL)
    return "svm";
  return NULL;
}

static void
check_cores (GPtrArray *checks, const HangarHostSources *sources)
{
  guint cores = hangar_host_count_cpus (sources->cpuinfo_path);

  add_check (checks, cores >= 2 ? HANGAR_CHECK_OK : HANGAR_CHECK_WARNING, _ ("Processor cores"),
             g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u core", "%u cores", cores), cores),
             cores >= 2 ? _ ("At least two cores: the host and a guest can both run at once.")
                        : _ ("Only one core: the host and its guests take turns on it, and "
                             "everything is slow. Two or more cores are recommended."));
}

static void
check_hardware_virtualization (GPtrArray *checks, const HangarHostSources *sources)
{
  const char *flag = virtualization_flag (sources->cpuinfo_path);

  if (g_strcmp0 (flag, "vmx") == 0)
    add_check (checks, HANGAR_CHECK_OK, _ ("Hardware virtualization"), g_strdup ("Intel VT-x"),
               _ ("The processor runs guest code directly, at nearly full speed."));
  else if (g_strcmp0 (flag, "svm") == 0)
    add_check (checks, HANGAR_CHECK_OK, _ ("Hardware virtualization"), g_strdup ("AMD-V"),
               _ ("The processor runs guest code directly, at nearly full speed."));
  else
    add_check (checks, HANGAR_CHECK_FAILED, _ ("Hardware virtualization"),
               g_strdup (_ ("Not available")),
               _ ("The processor does not offer Intel VT-x or AMD-V, or it is turned off. "
                  "Turn it on in the computer’s firmware (BIOS/UEFI) settings; without it, "
                  "guests can only be emulated, very slowly."));
}

static void
check_kvm (GPtrArray *checks, const HangarHostSources *sources)
{
  int fd = open (sources->kvm_path, O_RDWR | O_CLOEXEC);
  int saved = errno;
  int version;

  if (fd < 0 && saved == ENOENT)
    {
      add_check (checks, HANGAR_CHECK_FAILED, _ ("KVM"), g_strdup (_ ("Missing")),
                 _ ("/dev/kvm does not exist: the kernel’s KVM module is not loaded. Turn on "
                    "hardware virtualization in the firmware settings, then load the kvm_intel "
                    "or kvm_amd module."));
      return;
    }
  if (fd < 0)
    {
      add_check (checks, HANGAR_CHECK_FAILED, _ ("KVM"), g_strdup (_ ("No permission")),
                 _ ("You may not use /dev/kvm. Add yourself to the “kvm” group (sudo adduser "
                    "$USER kvm), then log out and in again."));
      return;
    }
  version = ioctl (fd, KVM_GET_API_VERSION, 0);
  close (fd);
  if (version != KVM_API_VERSION)
    {
      add_check (checks, HANGAR_CHECK_FAILED, _ ("KVM"),
                 g_strdup_printf (_ ("API version %d"), version),
                 _ ("The kernel’s KVM speaks an interface version Hangar does not know."));
      return;
    }
  add_check (checks, HANGAR_CHECK_OK, _ ("KVM"), g_strdup_printf (_ ("API version %d"), version),
             _ ("/dev/kvm is present and you may use it."));
}

static void
check_memory (GPtrArray *checks, const HangarHostSources *sources)
{
  guint64 mib = hangar_host_memory_mib (sources->meminfo_path);
  g_autofree char *size = g_format_size_full (mib * 1024 * 1024, G_FORMAT_SIZE_IEC_UNITS);

  if (mib >= 4 * 1024 - 256)
    add_check (checks, HANGAR_CHECK_OK, _ ("Memory"), g_strdup (size),
               _ ("Enough for a desktop guest (2 GiB) or a server guest (4 GiB) beside the "
                  "host’s own work."));
  else if (mib >= 2 * 1024 - 128)
    add_check (checks, HANGAR_CHECK_WARNING, _ ("Memory"), g_strdup (size),
               _ ("Enough for a desktop guest (2 GiB recommended), but not for a server guest "
                  "(4 GiB recommended) besides the host itself."));
  else
    add_check (checks, HANGAR_CHECK_FAILED, _ ("Memory"), g_strdup (size),
               _ ("Less than the 2 GiB a desktop guest needs: guests will be short of memory, "
                  "and so will the host."));
}

static void
check_disk_space (GPtrArray *checks, const HangarHostSources *sources)
{
  struct statvfs st;
  guint64 free_bytes;
  g_autofree char *size = NULL;
  g_autofree char *path = g_strdup (sources->storage_path);

  /* The machines' directory may not exist yet: its nearest parent that does
   * is on the same file system. */
  while (statvfs (path, &st) < 0 && errno == ENOENT && !g_str_equal (path, "/"))
    {
      char *parent = g_path_get_dirname (path);
      g_free (path);
      path = parent;
    }
  if (statvfs (path, &st) < 0)
    {
      add_check (checks, HANGAR_CHECK_WARNING, _ ("Free disk space"), g_strdup (_ ("Unknown")),
                 _ ("Hangar could not find out how much space is free for disks."));
      return;
    }
  free_bytes = (guint64) st.f_bavail * st.f_frsize;
  size = g_format_size_full (free_bytes, G_FORMAT_SIZE_IEC_UNITS);
  add_check (checks, free_bytes >= (20ull << 30) ? HANGAR_CHECK_OK : HANGAR_CHECK_WARNING,
             _ ("Free disk space"), g_steal_pointer (&size),
             free_bytes >= (20ull << 30)
                 ? _ ("Room for the disks of a few guests. A partition or disk of its own per "
                      "guest is faster still.")
                 : _ ("Less than 20 GiB free: enough for a small guest at most. Free some "
                      "space, or give guests a partition or disk of their own."));
}

static void
check_word_size (GPtrArray *checks, const HangarHostSources *sources)
{
  gboolean is_64 = g_str_has_suffix (sources->machine, "64");

  add_check (checks, is_64 ? HANGAR_CHECK_OK : HANGAR_CHECK_WARNING, _ ("64-bit host"),
             g_strdup (sources->machine),
             is_64 ? _ ("A 64-bit host can give guests more than 4 GiB of memory in all.")
                   : _ ("A 32-bit host can address at most 4 GiB of memory, to share between "
                        "itself and every guest."));
}

static void
check_nested (GPtrArray *checks, const HangarHostSources *sources)
{
  g_autofree char *value = NULL;
  gboolean on;

  if (!g_file_get_contents (sources->nested_path, &value, NULL, NULL))
    {
      add_check (checks, HANGAR_CHECK_WARNING, _ ("Nested virtualization"),
                 g_strdup (_ ("Unknown")),
                 _ ("Whether guests may run virtual machines of their own could not be found "
                    "out; it only matters for teaching virtualization inside a guest."));
      return;
    }
  g_strstrip (value);
  on = g_str_equal (value, "1") || g_ascii_strcasecmp (value, "Y") == 0;
  add_check (checks, on ? HANGAR_CHECK_OK : HANGAR_CHECK_WARNING, _ ("Nested virtualization"),
             g_strdup (on ? _ ("On") : _ ("Off")),
             on ? _ ("Guests may run virtual machines of their own.")
                : _ ("Guests cannot run virtual machines of their own. To teach "
                     "virtualization inside a guest, turn on the kvm module’s “nested” option."));
}

GPtrArray *
hangar_host_check_all (const HangarHostSources *sources)
{
  GPtrArray *checks = g_ptr_array_new_with_free_func (host_check_free);

  check_cores (checks, sources);
  check_hardware_virtualization (checks, sources);
  check_kvm (checks, sources);
  check_memory (checks, sources);
  check_disk_space (checks, sources);
  check_word_size (checks, sources);
  check_nested (checks, sources);
  return checks;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

GStrv
hangar_host_list_bridges (const char *sys_class_net)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr (GDir) dir = g_dir_open (sys_class_net, 0, NULL);
  GStrv bridges;
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *bridge_dir = g_build_filename (sys_class_net, name, "bridge", NULL);

      if (g_file_test (bridge_dir, G_FILE_TEST_IS_DIR))
        g_strv_builder_add (builder, name);
    }
  bridges = g_strv_builder_end (builder);
  qsort (bridges, g_strv_length (bridges), sizeof (char *), compare_names);
  return bridges;
}

guint64
hangar_host_free_bytes (const char *path)
{
  g_autofree char *existing = g_strdup (path);
  struct statvfs st;

  while (!g_file_test (existing, G_FILE_TEST_EXISTS))
    {
      char *parent = g_path_get_dirname (existing);
      gboolean top = g_str_equal (parent, existing);

      g_free (existing);
      existing = parent;
      if (top)
        break;
    }
  if (statvfs (existing, &st) != 0)
    return 0;
  return (guint64) st.f_bavail * st.f_frsize;
}

char *
hangar_host_describe_overcommit (guint host_cpus, guint64 host_mib, guint running_cpus,
                                 guint64 running_mib, guint cpus, guint64 memory_mib)
{
  if (host_mib > 0 && running_mib + memory_mib > host_mib)
    return g_strdup_printf (
        _ ("The machines running now use %llu MiB of memory; with this one, %llu MiB, more "
           "than the host’s %llu MiB. They would slow each other down, or fail: stop another "
           "machine first, or give this one less."),
        (unsigned long long) running_mib, (unsigned long long) (running_mib + memory_mib),
        (unsigned long long) host_mib);
  if (host_cpus > 0 && running_cpus + cpus > host_cpus)
    return g_strdup_printf (
        _ ("The machines running now have %u processors; with this one, %u, more than the "
           "host’s %u. They will take turns and run slower."),
        running_cpus, running_cpus + cpus, host_cpus);
  return NULL;
}
