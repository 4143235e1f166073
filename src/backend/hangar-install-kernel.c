/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "hangar-install-kernel.h"

/* Kernel messages go to the serial console too; the installer's own screen
 * stays on the display, the last console named. */
#define CONSOLES "console=ttyS0 console=tty0"

typedef enum
{
  FINDS_ITSELF,   /* Debian's installer initrd holds what it needs */
  FEDORA_STAGE2,  /* anaconda looks for the disc by its volume label */
  UBUNTU_CASPER,  /* casper looks for the live file system on any disc */
  ALPINE_MODULES, /* Alpine's initramfs loads the modules that read the disc */
} CmdlineKind;

typedef struct
{
  const char *kernel;
  const char *initrd;
  CmdlineKind cmdline;
} Layout;

static const Layout known_layouts[] = {
  /* Debian netinst and DVD images */
  { "install.amd/vmlinuz", "install.amd/initrd.gz", FINDS_ITSELF },
  { "install.386/vmlinuz", "install.386/initrd.gz", FINDS_ITSELF },
  /* Ubuntu desktop and live server */
  { "casper/vmlinuz", "casper/initrd", UBUNTU_CASPER },
  { "casper/vmlinuz", "casper/initrd.gz", UBUNTU_CASPER },
  { "casper/vmlinuz", "casper/initrd.lz", UBUNTU_CASPER },
  /* Fedora, CentOS Stream, AlmaLinux, Rocky */
  { "images/pxeboot/vmlinuz", "images/pxeboot/initrd.img", FEDORA_STAGE2 },
  { "isolinux/vmlinuz", "isolinux/initrd.img", FEDORA_STAGE2 },
  /* Alpine standard, extended and virtual images */
  { "boot/vmlinuz-lts", "boot/initramfs-lts", ALPINE_MODULES },
  { "boot/vmlinuz-virt", "boot/initramfs-virt", ALPINE_MODULES },
  /* Debian's network installer tree */
  { "current/images/netboot/debian-installer/amd64/linux",
    "current/images/netboot/debian-installer/amd64/initrd.gz", FINDS_ITSELF },
};

typedef gboolean (*ExistsFunc) (gpointer source, const char *path, guint64 *size);

void
hangar_install_kernel_free (HangarInstallKernel *found)
{
  if (found == NULL)
    return;
  g_free (found->kernel);
  g_free (found->initrd);
  g_free (found->cmdline);
  g_free (found);
}

/* dracut reads "LABEL=" with spaces written as \x20. */
static char *
escape_label (const char *label)
{
  GString *escaped = g_string_new (NULL);

  for (const char *p = label; *p != '\0'; p++)
    {
      if (*p == ' ')
        g_string_append (escaped, "\\x20");
      else
        g_string_append_c (escaped, *p);
    }
  return g_string_free (escaped, FALSE);
}

static char *
make_cmdline (CmdlineKind kind, const char *volume_id, const char *tree_uri)
{
  switch (kind)
    {
      case FEDORA_STAGE2:
        if (tree_uri != NULL)
          return g_strdup_printf ("inst.repo=%s " CONSOLES, tree_uri);
        if (volume_id != NULL && *volume_id != '\0')
          {
            g_autofree char *label = escape_label (volume_id);
            return g_strdup_printf ("inst.stage2=hd:LABEL=%s " CONSOLES, label);
          }
        return g_strdup ("inst.stage2=cdrom " CONSOLES);
      case UBUNTU_CASPER:
        return g_strdup ("boot=casper " CONSOLES);
      case ALPINE_MODULES:
        return g_strdup ("modules=loop,squashfs,sd-mod,usb-storage " CONSOLES);
      case FINDS_ITSELF:
      default:
        return g_strdup (CONSOLES);
    }
}

static HangarInstallKernel *
try_layout (ExistsFunc exists, gpointer source, const char *kernel, const char *initrd,
            CmdlineKind kind, const char *volume_id, const char *tree_uri)
{
  g_autoptr (HangarInstallKernel) found = g_new0 (HangarInstallKernel, 1);

  if (kernel == NULL || !exists (source, kernel, &found->kernel_size))
    return NULL;
  /* A kernel without its initrd cannot install anything. */
  if (initrd != NULL && !exists (source, initrd, &found->initrd_size))
    return NULL;
  found->kernel = g_strdup (kernel);
  found->initrd = g_strdup (initrd);
  found->cmdline = make_cmdline (kind, volume_id, tree_uri);
  return g_steal_pointer (&found);
}

/* The command line that goes with a kernel at PATH, as the known layouts say. */
static CmdlineKind
kind_for_path (const char *path)
{
  for (guint i = 0; i < G_N_ELEMENTS (known_layouts); i++)
    {
      if (g_str_equal (known_layouts[i].kernel, path))
        return known_layouts[i].cmdline;
    }
  return FINDS_ITSELF;
}

static HangarInstallKernel *
find (ExistsFunc exists, gpointer source, const char *hint_kernel, const char *hint_initrd,
      const char *volume_id, const char *tree_uri)
{
  HangarInstallKernel *found;

  if (hint_kernel != NULL)
    {
      found = try_layout (exists, source, hint_kernel, hint_initrd, kind_for_path (hint_kernel),
                          volume_id, tree_uri);
      if (found != NULL)
        return found;
    }
  for (guint i = 0; i < G_N_ELEMENTS (known_layouts); i++)
    {
      const Layout *layout = &known_layouts[i];

      found = try_layout (exists, source, layout->kernel, layout->initrd, layout->cmdline,
                          volume_id, tree_uri);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
exists_on_iso (gpointer source, const char *path, guint64 *size)
{
  return hangar_iso_image_find (source, path, size);
}

HangarInstallKernel *
hangar_install_kernel_find_on_iso (HangarIsoImage *image, const char *hint_kernel,
                                   const char *hint_initrd, GError **error)
{
  HangarInstallKernel *found;

  g_return_val_if_fail (image != NULL, NULL);

  found = find (exists_on_iso, image, hint_kernel, hint_initrd,
                hangar_iso_image_get_volume_id (image), NULL);
  if (found == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 _ ("No Linux kernel was found on this disc image. Hangar’s own hypervisor starts "
                    "installers from their kernel, and knows where Debian, Ubuntu, Fedora and "
                    "Alpine keep it. Create this machine on a libvirt connection instead: it "
                    "starts the disc as a real computer would."));
  return found;
}

static gboolean
exists_in_directory (gpointer source, const char *path, guint64 *size)
{
  g_autofree char *full = g_build_filename (source, path, NULL);
  GStatBuf st;

  if (g_stat (full, &st) != 0 || !S_ISREG (st.st_mode))
    return FALSE;
  *size = st.st_size;
  return TRUE;
}

HangarInstallKernel *
hangar_install_kernel_find_in_tree (const char *directory, const char *tree_uri,
                                    const char *hint_kernel, const char *hint_initrd,
                                    GError **error)
{
  HangarInstallKernel *found;

  g_return_val_if_fail (directory != NULL, NULL);

  found = find (exists_in_directory, (gpointer) directory, hint_kernel, hint_initrd, NULL,
                tree_uri != NULL ? tree_uri : directory);
  if (found == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 _ ("No Linux kernel was found in the install tree %s. Check that it is the "
                    "tree’s top directory, the one that holds .treeinfo or “images”."),
                 directory);
  return found;
}

typedef struct
{
  HangarIsoProgress progress;
  gpointer user_data;
  guint64 before; /* bytes of the files already copied */
  guint64 total;
} Totals;

static void
add_progress (guint64 done, guint64 total, gpointer user_data)
{
  Totals *totals = user_data;

  if (totals->progress != NULL)
    totals->progress (totals->before + done, totals->total, totals->user_data);
}

gboolean
hangar_install_kernel_extract (HangarIsoImage *image, const HangarInstallKernel *found,
                               const char *dest_dir, char **kernel_path, char **initrd_path,
                               GCancellable *cancellable, HangarIsoProgress progress,
                               gpointer user_data, GError **error)
{
  g_autofree char *kernel = g_build_filename (dest_dir, "vmlinuz", NULL);
  g_autofree char *initrd = NULL;
  Totals totals = { progress, user_data, 0, found->kernel_size + found->initrd_size };

  g_return_val_if_fail (image != NULL && found != NULL && dest_dir != NULL, FALSE);

  if (g_mkdir_with_parents (dest_dir, 0755) < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _ ("Could not create the folder %s: %s"), dest_dir, g_strerror (saved));
      return FALSE;
    }
  if (!hangar_iso_image_extract (image, found->kernel, kernel, cancellable, add_progress, &totals,
                                 error))
    return FALSE;
  if (found->initrd != NULL)
    {
      initrd = g_build_filename (dest_dir, "initrd", NULL);
      totals.before = found->kernel_size;
      if (!hangar_iso_image_extract (image, found->initrd, initrd, cancellable, add_progress,
                                     &totals, error))
        {
          g_unlink (kernel);
          return FALSE;
        }
    }
  if (kernel_path != NULL)
    *kernel_path = g_steal_pointer (&kernel);
  if (initrd_path != NULL)
    *initrd_path = g_steal_pointer (&initrd);
  return TRUE;
}
