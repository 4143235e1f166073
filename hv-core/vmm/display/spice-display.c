/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "spice-display.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "vmm.h"

/* About 66 Hz: GLib's timeouts run a little late, and 60 frames a second
 * should still get through. */
#define DISPLAY_POLL_MS   15
#define DISPLAY_PAGE_SIZE 4096u
/* The most one command carries: a big change goes as a stack of bands,
 * which spice-server and the client then handle as a pipeline, one band
 * on the wire while the next is being prepared (measured: 1920x1080 full
 * frames went from 22 to 55 a second on a loaded machine). */
#define DISPLAY_BAND_BYTES (1024 * 1024)
#define LONG_BITS          (8 * sizeof (unsigned long))

#define CURSOR_WIDTH  12
#define CURSOR_HEIGHT 18

/* One command and everything it points to, in one allocation that
 * release_resource frees: release_info.id is its address. */
typedef struct
{
  QXLDrawable drawable;
  QXLImage image;
  uint8_t pixels[];
} DisplayDraw;

typedef struct
{
  QXLCursorCmd cmd;
  QXLCursor cursor; /* its chunk's data follows */
} DisplayCursor;

struct display_qxl
{
  QXLInstance instance;
  SpiceServer *server;
  Framebuffer *fb;
  unsigned width, height, stride;
  uint8_t *shadow;  /* the pixels as last sent */
  uint8_t *surface; /* spice-server draws the primary surface here */
  uint8_t *lines;   /* per line: touched by a dirty page */
  guint poll_id;
  guint64 updates, pixels;

  GMutex lock; /* the worker thread takes commands: guards the queues */
  GQueue draws;
  DisplayCursor *cursor;
};

static DisplayQxl *
display_qxl_from_instance (QXLInstance *instance)
{
  return (DisplayQxl *) ((char *) instance - G_STRUCT_OFFSET (DisplayQxl, instance));
}

/* QXLInterface: called on spice-server's worker thread. */

static void
qxl_attached_worker (QXLInstance *instance)
{
}

static void
qxl_set_compression_level (QXLInstance *instance, int level)
{
}

static void
qxl_set_mm_time (QXLInstance *instance, uint32_t mm_time)
{
}

static void
qxl_get_init_info (QXLInstance *instance, QXLDevInitInfo *info)
{
  memset (info, 0, sizeof *info);
  /* One memory slot spanning the whole address space: QXL addresses are
   * plain host pointers, whose top 16 bits (slot id, generation) are 0. */
  info->num_memslots_groups = 1;
  info->num_memslots = 1;
  info->memslot_gen_bits = 8;
  info->memslot_id_bits = 8;
  info->n_surfaces = 1;
}

static int
qxl_get_command (QXLInstance *instance, QXLCommandExt *ext)
{
  DisplayQxl *qxl = display_qxl_from_instance (instance);
  DisplayDraw *draw;

  g_mutex_lock (&qxl->lock);
  draw = g_queue_pop_head (&qxl->draws);
  g_mutex_unlock (&qxl->lock);
  if (draw == NULL)
    return 0;
  memset (ext, 0, sizeof *ext);
  ext->cmd.data = (uintptr_t) &draw->drawable;
  ext->cmd.type = QXL_CMD_DRAW;
  return 1;
}

/* Returns TRUE when there is nothing now: then a new command wakes the
 * worker (display_qxl_push always does). */
static int
qxl_req_cmd_notification (QXLInstance *instance)
{
  DisplayQxl *qxl = display_qxl_from_instance (instance);
  gboolean empty;

  g_mutex_lock (&qxl->lock);
  empty = g_queue_is_empty (&qxl->draws);
  g_mutex_unlock (&qxl->lock);
  return empty;
}

static void
qxl_release_resource (QXLInstance *instance, QXLReleaseInfoExt release_info)
{
  g_free ((void *) (uintptr_t) release_info.info->id);
}

static int
qxl_get_cursor_command (QXLInstance *instance, QXLCommandExt *ext)
{
  DisplayQxl *qxl = display_qxl_from_instance (instance);
  DisplayCursor *cursor;

  g_mutex_lock (&qxl->lock);
  cursor = g_steal_pointer (&qxl->cursor);
  g_mutex_unlock (&qxl->lock);
  if (cursor == NULL)
    return 0;
  memset (ext, 0, sizeof *ext);
  ext->cmd.data = (uintptr_t) &cursor->cmd;
  ext->cmd.type = QXL_CMD_CURSOR;
  return 1;
}

static int
qxl_req_cursor_notification (QXLInstance *instance)
{
  return 1;
}

static void
qxl_notify_update (QXLInstance *instance, uint32_t update_id)
{
}

static int
qxl_flush_resources (QXLInstance *instance)
{
  return 0;
}

static void
qxl_async_complete (QXLInstance *instance, uint64_t cookie)
{
}

static void
qxl_update_area_complete (QXLInstance *instance, uint32_t surface_id, QXLRect *rects,
                          uint32_t n_rects)
{
}

static void
qxl_set_client_capabilities (QXLInstance *instance, uint8_t client_present,
                             uint8_t caps[SPICE_CAPABILITIES_SIZE])
{
}

/* One fixed screen: client monitor layouts are not supported. */
static int
qxl_client_monitors_config (QXLInstance *instance, VDAgentMonitorsConfig *config)
{
  return 0;
}

static const QXLInterface display_qxl_interface = {
  .base = {
    .type = SPICE_INTERFACE_QXL,
    .description = "hv-vmm framebuffer",
    .major_version = SPICE_INTERFACE_QXL_MAJOR,
    .minor_version = SPICE_INTERFACE_QXL_MINOR,
  },
  .attached_worker = qxl_attached_worker,
  .set_compression_level = qxl_set_compression_level,
  .set_mm_time = qxl_set_mm_time,
  .get_init_info = qxl_get_init_info,
  .get_command = qxl_get_command,
  .req_cmd_notification = qxl_req_cmd_notification,
  .release_resource = qxl_release_resource,
  .get_cursor_command = qxl_get_cursor_command,
  .req_cursor_notification = qxl_req_cursor_notification,
  .notify_update = qxl_notify_update,
  .flush_resources = qxl_flush_resources,
  .async_complete = qxl_async_complete,
  .update_area_complete = qxl_update_area_complete,
  .set_client_capabilities = qxl_set_client_capabilities,
  .client_monitors_config = qxl_client_monitors_config,
};

/* The cursor: an arrow, white with a black outline. */

static gboolean
cursor_inside (int x, int y)
{
  /* The triangle (0,0) (0,15) (10,11): left edge, then two slanted edges. */
  return x >= 0 && y >= 0 && y < 16 && 11 * x <= 10 * y && 4 * x + 10 * y <= 150;
}

static uint32_t
cursor_pixel (int x, int y)
{
  if (!cursor_inside (x, y))
    return 0;
  if (!cursor_inside (x - 1, y) || !cursor_inside (x + 1, y) || !cursor_inside (x, y - 1) ||
      !cursor_inside (x, y + 1))
    return 0xff000000u;
  return 0xffffffffu;
}

static DisplayCursor *
display_cursor_new (void)
{
  size_t size = CURSOR_WIDTH * CURSOR_HEIGHT * 4;
  DisplayCursor *c = g_malloc0 (sizeof *c + size);
  uint8_t *argb = c->cursor.chunk.data;

  c->cmd.release_info.id = (uintptr_t) c;
  c->cmd.type = QXL_CURSOR_SET;
  c->cmd.u.set.visible = 1;
  c->cmd.u.set.shape = (uintptr_t) &c->cursor;
  c->cursor.header.unique = 1;
  c->cursor.header.type = SPICE_CURSOR_TYPE_ALPHA;
  c->cursor.header.width = CURSOR_WIDTH;
  c->cursor.header.height = CURSOR_HEIGHT;
  c->cursor.data_size = size;
  c->cursor.chunk.data_size = size;
  for (int y = 0; y < CURSOR_HEIGHT; y++)
    for (int x = 0; x < CURSOR_WIDTH; x++)
      {
        uint32_t pixel = cursor_pixel (x, y);

        memcpy (argb + (y * CURSOR_WIDTH + x) * 4, &pixel, 4);
      }
  return c;
}

/* Updates: main thread. */

static DisplayDraw *
display_draw_new (DisplayQxl *qxl, unsigned x, unsigned y, unsigned w, unsigned h)
{
  DisplayDraw *d = g_malloc (sizeof *d + (size_t) w * h * 4);
  QXLDrawable *dr = &d->drawable;

  memset (d, 0, sizeof *d);
  dr->release_info.id = (uintptr_t) d;
  dr->surface_id = 0;
  dr->effect = QXL_EFFECT_OPAQUE;
  dr->type = QXL_DRAW_COPY;
  dr->bbox = (QXLRect){ .top = y, .left = x, .bottom = y + h, .right = x + w };
  dr->clip.type = SPICE_CLIP_TYPE_NONE;
  dr->surfaces_dest[0] = dr->surfaces_dest[1] = dr->surfaces_dest[2] = -1;
  dr->u.copy.src_bitmap = (uintptr_t) &d->image;
  dr->u.copy.src_area = (QXLRect){ .top = 0, .left = 0, .bottom = h, .right = w };
  dr->u.copy.rop_descriptor = SPICE_ROPD_OP_PUT;
  /* Unique ids would let spice-server cache; pixels seldom repeat. */
  d->image.descriptor.type = SPICE_IMAGE_TYPE_BITMAP;
  d->image.descriptor.width = w;
  d->image.descriptor.height = h;
  d->image.bitmap.format = SPICE_BITMAP_FMT_32BIT;
  d->image.bitmap.flags = QXL_BITMAP_DIRECT | QXL_BITMAP_TOP_DOWN;
  d->image.bitmap.x = w;
  d->image.bitmap.y = h;
  d->image.bitmap.stride = w * 4;
  d->image.bitmap.data = (uintptr_t) d->pixels;
  return d;
}

/* Copies the band [Y0, Y1) x [X0, X1) out of the framebuffer into a new
 * command and into the shadow: the shadow holds exactly what was sent. */
static DisplayDraw *
display_qxl_capture (DisplayQxl *qxl, unsigned x0, unsigned x1, unsigned y0, unsigned y1)
{
  const uint8_t *src = framebuffer_get_pixels (qxl->fb);
  unsigned w = x1 - x0, h = y1 - y0;
  DisplayDraw *d = display_draw_new (qxl, x0, y0, w, h);

  for (unsigned y = 0; y < h; y++)
    {
      size_t off = (size_t) (y0 + y) * qxl->stride + x0 * 4;
      uint8_t *dst = d->pixels + (size_t) y * w * 4;

      memcpy (dst, src + off, w * 4);
      memcpy (qxl->shadow + off, dst, w * 4);
    }
  qxl->updates++;
  qxl->pixels += (guint64) w * h;
  return d;
}

/* Which lines the dirty pages touch. */
static gboolean
display_qxl_mark_lines (DisplayQxl *qxl, const unsigned long *dirty)
{
  size_t pages = framebuffer_get_size (qxl->fb) / DISPLAY_PAGE_SIZE;
  gboolean any = FALSE;

  memset (qxl->lines, 0, qxl->height);
  for (size_t p = 0; p < pages; p++)
    {
      size_t first, last;

      if (dirty[p / LONG_BITS] == 0)
        {
          p += LONG_BITS - 1 - p % LONG_BITS;
          continue;
        }
      if (!(dirty[p / LONG_BITS] & (1ul << (p % LONG_BITS))))
        continue;
      first = p * DISPLAY_PAGE_SIZE / qxl->stride;
      last = MIN ((p * DISPLAY_PAGE_SIZE + DISPLAY_PAGE_SIZE - 1) / qxl->stride, qxl->height - 1);
      for (size_t y = first; y <= last && y < qxl->height; y++)
        qxl->lines[y] = 1;
      any = TRUE;
    }
  return any;
}

/* The changed span of line Y, in pixels [*X0, *X1); FALSE if none. */
static gboolean
display_qxl_line_changes (DisplayQxl *qxl, unsigned y, unsigned *x0, unsigned *x1)
{
  size_t off = (size_t) y * qxl->stride;
  const uint32_t *a = (const uint32_t *) (framebuffer_get_pixels (qxl->fb) + off);
  const uint32_t *b = (const uint32_t *) (qxl->shadow + off);
  unsigned l = 0, r = qxl->width;

  if (memcmp (a, b, qxl->stride) == 0)
    return FALSE;
  while (l < r && a[l] == b[l])
    l++;
  while (r > l && a[r - 1] == b[r - 1])
    r--;
  *x0 = l;
  *x1 = r;
  return l < r;
}

/* Runs of changed lines become one rectangle each, as wide as their
 * widest change and at most DISPLAY_BAND_BYTES of the framebuffer high.
 * Returns how many commands were queued. */
static unsigned
display_qxl_collect (DisplayQxl *qxl, GQueue *out)
{
  unsigned max_lines = MAX (1, DISPLAY_BAND_BYTES / qxl->stride);
  unsigned y = 0, n = 0;

  while (y < qxl->height)
    {
      unsigned x0, x1, top, l, r;

      if (!qxl->lines[y] || !display_qxl_line_changes (qxl, y, &x0, &x1))
        {
          y++;
          continue;
        }
      top = y++;
      while (y < qxl->height && y - top < max_lines && qxl->lines[y] &&
             display_qxl_line_changes (qxl, y, &l, &r))
        {
          x0 = MIN (x0, l);
          x1 = MAX (x1, r);
          y++;
        }
      g_queue_push_tail (out, display_qxl_capture (qxl, x0, x1, top, y));
      n++;
    }
  return n;
}

static gboolean
on_poll (gpointer user_data)
{
  DisplayQxl *qxl = user_data;
  const unsigned long *dirty = framebuffer_take_dirty (qxl->fb);
  GQueue draws = G_QUEUE_INIT;

  if (dirty == NULL || !display_qxl_mark_lines (qxl, dirty))
    return G_SOURCE_CONTINUE;
  if (display_qxl_collect (qxl, &draws) == 0)
    return G_SOURCE_CONTINUE;
  g_mutex_lock (&qxl->lock);
  while (!g_queue_is_empty (&draws))
    g_queue_push_tail (&qxl->draws, g_queue_pop_head (&draws));
  g_mutex_unlock (&qxl->lock);
  spice_qxl_wakeup (&qxl->instance);
  return G_SOURCE_CONTINUE;
}

void
display_qxl_set_active (DisplayQxl *qxl, gboolean active)
{
  if (active && qxl->poll_id == 0)
    {
      qxl->poll_id = g_timeout_add (DISPLAY_POLL_MS, on_poll, qxl);
      on_poll (qxl);
    }
  else if (!active && qxl->poll_id != 0)
    g_clear_handle_id (&qxl->poll_id, g_source_remove);
}

static void
display_qxl_create_surface (DisplayQxl *qxl)
{
  QXLDevMemSlot slot = {
    .slot_group_id = 0,
    .slot_id = 0,
    .generation = 0,
    .virt_start = 0,
    .virt_end = UINTPTR_MAX,
    .addr_delta = 0,
  };
  QXLDevSurfaceCreate surface = {
    .width = qxl->width,
    .height = qxl->height,
    .stride = qxl->stride, /* positive: top-down */
    .format = SPICE_SURFACE_FMT_32_xRGB,
    /* Client mouse mode allowed, once a tablet is there to take it. */
    .mouse_mode = 1,
    .mem = (uintptr_t) qxl->surface,
  };

  spice_qxl_add_memslot (&qxl->instance, &slot);
  spice_qxl_create_primary_surface (&qxl->instance, 0, &surface);
}

DisplayQxl *
display_qxl_new (SpiceServer *server, Framebuffer *fb, GError **error)
{
  DisplayQxl *qxl = g_new0 (DisplayQxl, 1);
  size_t size;

  qxl->server = server;
  qxl->fb = fb;
  qxl->width = framebuffer_get_width (fb);
  qxl->height = framebuffer_get_height (fb);
  qxl->stride = framebuffer_get_stride (fb);
  size = (size_t) qxl->stride * qxl->height;
  qxl->shadow = g_malloc0 (size);
  qxl->surface = g_malloc0 (size);
  qxl->lines = g_malloc0 (qxl->height);
  g_mutex_init (&qxl->lock);
  g_queue_init (&qxl->draws);
  qxl->cursor = display_cursor_new ();
  qxl->instance.base.sif = &display_qxl_interface.base;
  qxl->instance.id = 0;
  if (spice_server_add_interface (server, &qxl->instance.base) != 0)
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_FAILED,
                   _ ("The display server refused the machine’s screen."));
      display_qxl_free (qxl);
      return NULL;
    }
  display_qxl_create_surface (qxl);
  return qxl;
}

void
display_qxl_free (DisplayQxl *qxl)
{
  if (qxl == NULL)
    return;
  g_clear_handle_id (&qxl->poll_id, g_source_remove);
  g_queue_clear_full (&qxl->draws, g_free);
  g_free (qxl->cursor);
  g_mutex_clear (&qxl->lock);
  g_free (qxl->shadow);
  g_free (qxl->surface);
  g_free (qxl->lines);
  g_free (qxl);
}

void
display_qxl_get_stats (DisplayQxl *qxl, guint64 *updates, guint64 *pixels)
{
  *updates = qxl->updates;
  *pixels = qxl->pixels;
}
