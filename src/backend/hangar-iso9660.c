/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "hangar-iso9660.h"

#define SECTOR             2048
#define FIRST_DESCRIPTOR   16
#define MAX_DESCRIPTORS    64
#define MAX_DIRECTORY_SIZE (16 * 1024 * 1024)
#define MAX_DEPTH          16
#define MAX_CONTINUATIONS  8
#define COPY_CHUNK         (1024 * 1024)

/* Directory record fields (ECMA-119 9.1). */
#define DR_LENGTH    0
#define DR_EXTENT    2
#define DR_SIZE      10
#define DR_FLAGS     25
#define DR_NAME_LEN  32
#define DR_NAME      33
#define DR_MIN_SIZE  34
#define FLAG_DIR     0x02
#define ROOT_RECORD  156
#define NM_CURRENT   0x02
#define NM_PARENT    0x04
#define NM_CONTINUES 0x01

struct _HangarIsoImage
{
  int fd;
  char *path;
  guint64 image_size;
  char *volume_id;
  char *system_id;
  guint32 root_extent;
  guint32 root_size;
  guint susp_skip; /* bytes before the SUSP entries of each record (the SP entry says) */
};

typedef struct
{
  guint32 extent;
  guint32 size;
  gboolean directory;
} Entry;

static guint32
read_le32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

static char *
trimmed_field (const guint8 *p, gsize len)
{
  char *text = g_strndup ((const char *) p, len);

  g_strchomp (text);
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_free (text);
      return g_strdup ("");
    }
  return text;
}

static gboolean
read_at (HangarIsoImage *image, guint64 offset, void *buffer, gsize size, GError **error)
{
  gsize done = 0;

  if (offset > image->image_size || size > image->image_size - offset)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _ ("%s is damaged or not a disc image: it points past its own end."),
                   image->path);
      return FALSE;
    }
  while (done < size)
    {
      ssize_t n = pread (image->fd, (guint8 *) buffer + done, size - done, offset + done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          int saved = n < 0 ? errno : EIO;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _ ("Could not read %s: %s"), image->path, g_strerror (saved));
          return FALSE;
        }
      done += n;
    }
  return TRUE;
}

void
hangar_iso_image_free (HangarIsoImage *image)
{
  if (image == NULL)
    return;
  if (image->fd >= 0)
    close (image->fd);
  g_free (image->path);
  g_free (image->volume_id);
  g_free (image->system_id);
  g_free (image);
}

static gboolean
read_primary_descriptor (HangarIsoImage *image, GError **error)
{
  guint8 sector[SECTOR];

  for (guint i = 0; i < MAX_DESCRIPTORS; i++)
    {
      if (!read_at (image, (guint64) (FIRST_DESCRIPTOR + i) * SECTOR, sector, SECTOR, NULL) ||
          memcmp (sector + 1, "CD001", 5) != 0 || sector[0] == 255)
        break;
      if (sector[0] != 1)
        continue;
      image->system_id = trimmed_field (sector + 8, 32);
      image->volume_id = trimmed_field (sector + 40, 32);
      image->root_extent = read_le32 (sector + ROOT_RECORD + DR_EXTENT);
      image->root_size = read_le32 (sector + ROOT_RECORD + DR_SIZE);
      return TRUE;
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               _ ("%s is not an ISO 9660 disc image (.iso): choose the installer’s .iso file."),
               image->path);
  return FALSE;
}

static guint8 *
read_directory (HangarIsoImage *image, guint32 extent, guint32 size, GError **error)
{
  g_autofree guint8 *data = NULL;

  if (size == 0 || size > MAX_DIRECTORY_SIZE)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _ ("%s is damaged: a directory has an impossible size."), image->path);
      return NULL;
    }
  data = g_malloc (size);
  if (!read_at (image, (guint64) extent * SECTOR, data, size, error))
    return NULL;
  return g_steal_pointer (&data);
}

/* The system use area of the record at RECORD (of LEN bytes). */
static const guint8 *
system_use (const guint8 *record, guint len, guint skip, guint *su_len)
{
  guint name_len = record[DR_NAME_LEN];
  guint start = DR_NAME + name_len + (name_len % 2 == 0 ? 1 : 0) + skip;

  if (start >= len)
    {
      *su_len = 0;
      return NULL;
    }
  *su_len = len - start;
  return record + start;
}

/* Appends the Rock Ridge name (NM entries) of a SUSP area to NAME, following
 * continuation areas (CE). */
static void
collect_rock_ridge_name (HangarIsoImage *image, const guint8 *area, guint len, GString *name,
                         guint depth)
{
  guint pos = 0;

  while (pos + 4 <= len)
    {
      const guint8 *entry = area + pos;
      guint entry_len = entry[2];

      if (entry_len < 4 || pos + entry_len > len)
        return;
      if (entry[0] == 'N' && entry[1] == 'M' && entry_len >= 5 &&
          (entry[4] & (NM_CURRENT | NM_PARENT)) == 0)
        g_string_append_len (name, (const char *) entry + 5, entry_len - 5);
      else if (entry[0] == 'C' && entry[1] == 'E' && entry_len >= 28 && depth < MAX_CONTINUATIONS)
        {
          guint64 offset = (guint64) read_le32 (entry + 4) * SECTOR + read_le32 (entry + 12);
          guint32 ce_len = MIN (read_le32 (entry + 20), SECTOR);
          g_autofree guint8 *more = g_malloc (ce_len);

          if (read_at (image, offset, more, ce_len, NULL))
            collect_rock_ridge_name (image, more, ce_len, name, depth + 1);
        }
      else if (entry[0] == 'S' && entry[1] == 'T')
        return;
      pos += entry_len;
    }
}

/* Plain ISO 9660 names are upper case, end in ";1", and may have '_' where
 * the original had '.' or '-': compare loosely. */
static char *
loose_name (const char *name, gsize len)
{
  char *text = g_ascii_strdown (name, len);
  char *semicolon = strchr (text, ';');
  gsize n;

  if (semicolon != NULL)
    *semicolon = '\0';
  n = strlen (text);
  while (n > 0 && text[n - 1] == '.')
    text[--n] = '\0';
  for (char *p = text; *p != '\0'; p++)
    {
      if (*p == '.' || *p == '-')
        *p = '_';
    }
  return text;
}

static gboolean
record_matches (HangarIsoImage *image, const guint8 *record, guint len, const char *wanted)
{
  g_autoptr (GString) rr_name = g_string_new (NULL);
  g_autofree char *loose_wanted = NULL;
  g_autofree char *loose_iso = NULL;
  const guint8 *area;
  guint area_len;

  area = system_use (record, len, image->susp_skip, &area_len);
  if (area != NULL)
    collect_rock_ridge_name (image, area, area_len, rr_name, 0);
  if (rr_name->len > 0)
    return g_strcmp0 (rr_name->str, wanted) == 0;

  loose_wanted = loose_name (wanted, -1);
  loose_iso = loose_name ((const char *) record + DR_NAME, record[DR_NAME_LEN]);
  return g_str_equal (loose_wanted, loose_iso);
}

/* Finds WANTED among the records of a directory's DATA. */
static gboolean
find_in_directory (HangarIsoImage *image, const guint8 *data, guint32 size, const char *wanted,
                   Entry *entry)
{
  guint32 pos = 0;

  while (pos < size)
    {
      const guint8 *record = data + pos;
      guint len = record[DR_LENGTH];

      /* Records do not cross sectors: a zero length pads to the next one. */
      if (len == 0)
        {
          pos = (pos / SECTOR + 1) * SECTOR;
          continue;
        }
      if (len < DR_MIN_SIZE || pos + len > size || DR_NAME + record[DR_NAME_LEN] > len)
        return FALSE;
      /* "." and ".." are one byte, 0 or 1. */
      if (!(record[DR_NAME_LEN] == 1 && record[DR_NAME] <= 1) &&
          record_matches (image, record, len, wanted))
        {
          entry->extent = read_le32 (record + DR_EXTENT);
          entry->size = read_le32 (record + DR_SIZE);
          entry->directory = (record[DR_FLAGS] & FLAG_DIR) != 0;
          return TRUE;
        }
      pos += len;
    }
  return FALSE;
}

/* The root's "." record may start with an SP entry: it says how many bytes
 * precede the SUSP entries in every other record. */
static void
read_susp_skip (HangarIsoImage *image)
{
  g_autofree guint8 *root = read_directory (image, image->root_extent, image->root_size, NULL);
  const guint8 *area;
  guint len, area_len;

  if (root == NULL)
    return;
  len = root[DR_LENGTH];
  if (len < DR_MIN_SIZE || len > image->root_size)
    return;
  area = system_use (root, len, 0, &area_len);
  if (area != NULL && area_len >= 7 && area[0] == 'S' && area[1] == 'P' && area[4] == 0xBE &&
      area[5] == 0xEF)
    image->susp_skip = area[6];
}

HangarIsoImage *
hangar_iso_image_open (const char *path, GError **error)
{
  g_autoptr (HangarIsoImage) image = g_new0 (HangarIsoImage, 1);
  GStatBuf st;

  g_return_val_if_fail (path != NULL, NULL);

  image->path = g_strdup (path);
  image->fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  if (image->fd < 0 || fstat (image->fd, &st) < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _ ("Could not open %s: %s"),
                   path, g_strerror (saved));
      return NULL;
    }
  image->image_size = st.st_size;
  if (S_ISBLK (st.st_mode))
    image->image_size = lseek (image->fd, 0, SEEK_END);
  if (!read_primary_descriptor (image, error))
    return NULL;
  read_susp_skip (image);
  return g_steal_pointer (&image);
}

const char *
hangar_iso_image_get_volume_id (HangarIsoImage *image)
{
  return image->volume_id;
}

const char *
hangar_iso_image_get_system_id (HangarIsoImage *image)
{
  return image->system_id;
}

static gboolean
lookup (HangarIsoImage *image, const char *path, Entry *entry)
{
  g_auto (GStrv) parts = g_strsplit (path, "/", -1);
  Entry current = { image->root_extent, image->root_size, TRUE };
  guint depth = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree guint8 *data = NULL;

      if (*parts[i] == '\0')
        continue;
      if (!current.directory || ++depth > MAX_DEPTH)
        return FALSE;
      data = read_directory (image, current.extent, current.size, NULL);
      if (data == NULL || !find_in_directory (image, data, current.size, parts[i], &current))
        return FALSE;
    }
  *entry = current;
  return TRUE;
}

gboolean
hangar_iso_image_find (HangarIsoImage *image, const char *path, guint64 *size)
{
  Entry entry;

  g_return_val_if_fail (image != NULL && path != NULL, FALSE);

  if (!lookup (image, path, &entry) || entry.directory)
    return FALSE;
  if (size != NULL)
    *size = entry.size;
  return TRUE;
}

static gboolean
lookup_file (HangarIsoImage *image, const char *path, Entry *entry, GError **error)
{
  if (lookup (image, path, entry) && !entry->directory)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _ ("%s holds no file %s."), image->path,
               path);
  return FALSE;
}

GBytes *
hangar_iso_image_read (HangarIsoImage *image, const char *path, gsize max_size, GError **error)
{
  g_autofree guint8 *data = NULL;
  Entry entry;

  g_return_val_if_fail (image != NULL && path != NULL, NULL);

  if (!lookup_file (image, path, &entry, error))
    return NULL;
  if (entry.size > max_size)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _ ("%s on %s is larger than expected."), path, image->path);
      return NULL;
    }
  data = g_malloc (MAX (entry.size, 1));
  if (!read_at (image, (guint64) entry.extent * SECTOR, data, entry.size, error))
    return NULL;
  return g_bytes_new_take (g_steal_pointer (&data), entry.size);
}

static gboolean
write_all (int fd, const guint8 *data, gsize size, const char *dest, GError **error)
{
  while (size > 0)
    {
      ssize_t n = write (fd, data, size);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       _ ("Could not write %s: %s"), dest, g_strerror (saved));
          return FALSE;
        }
      data += n;
      size -= n;
    }
  return TRUE;
}

static gboolean
copy_extent (HangarIsoImage *image, const Entry *entry, int fd, const char *dest,
             GCancellable *cancellable, HangarIsoProgress progress, gpointer user_data,
             GError **error)
{
  g_autofree guint8 *buffer = g_malloc (COPY_CHUNK);
  guint64 offset = (guint64) entry->extent * SECTOR;
  guint64 done = 0;

  while (done < entry->size)
    {
      gsize n = MIN (COPY_CHUNK, entry->size - done);

      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !read_at (image, offset + done, buffer, n, error) ||
          !write_all (fd, buffer, n, dest, error))
        return FALSE;
      done += n;
      if (progress != NULL)
        progress (done, entry->size, user_data);
    }
  return TRUE;
}

gboolean
hangar_iso_image_extract (HangarIsoImage *image, const char *path, const char *dest,
                          GCancellable *cancellable, HangarIsoProgress progress, gpointer user_data,
                          GError **error)
{
  g_autofree char *partial = g_strconcat (dest, ".part", NULL);
  Entry entry;
  gboolean ok;
  int fd;

  g_return_val_if_fail (image != NULL && path != NULL && dest != NULL, FALSE);

  if (!lookup_file (image, path, &entry, error))
    return FALSE;
  fd = g_open (partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _ ("Could not create %s: %s"),
                   partial, g_strerror (saved));
      return FALSE;
    }
  ok = copy_extent (image, &entry, fd, partial, cancellable, progress, user_data, error);
  if (close (fd) < 0 && ok)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _ ("Could not write %s: %s"),
                   partial, g_strerror (saved));
      ok = FALSE;
    }
  if (ok && g_rename (partial, dest) < 0)
    {
      int saved = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), _ ("Could not create %s: %s"),
                   dest, g_strerror (saved));
      ok = FALSE;
    }
  if (!ok)
    g_unlink (partial);
  return ok;
}
