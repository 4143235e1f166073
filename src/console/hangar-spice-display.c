/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "hangar-keymap.h"
#include "hangar-spice-display.h"

#ifdef GDK_WINDOWING_X11
#include <cairo-xlib.h>
#include <gdk/x11/gdkx.h>
#endif

/* The screen is drawn as a grid of render nodes, kept from frame to frame. A
 * change in the guest renews only the tiles it touches, GTK's render-node
 * diff repaints only those, and a GPU renderer uploads only those: typing a
 * letter costs one or two tiles, not the whole 8 MB frame of a 1920x1080
 * screen.
 *
 * The node depends on the renderer. GL renderers get texture nodes. GTK 4.8's
 * cairo renderer (hosts without a GPU) converts every texture it draws
 * through floating point, every frame, even into its own format: it gets
 * cairo nodes that paint an image surface, which cairo copies to the window
 * as it is. Measured with bench/console, that took the cairo renderer's CPU
 * use from about 50 % to a fraction of it.
 *
 * For a 32-bit guest screen, the cairo nodes paint the display channel's own
 * pixels, through one image surface per tile made on them: nothing is
 * copied until GTK draws. Cairo is never told of the guest's changes (a
 * renewed node shows them), so it never copies a tile aside for the nodes
 * that still paint it; only when the screen goes, and with it the pixels,
 * does finishing the surfaces make those nodes keep a copy. */
#define TILE_SIZE 128

/* Ask the guest for a new resolution only when the size has settled. */
#define RESIZE_DELAY_MS 300

struct _HangarSpiceDisplay
{
  GtkWidget parent_instance;

  SpiceSession *session;
  SpiceMainChannel *main_channel;
  SpiceDisplayChannel *display_channel;
  SpiceInputsChannel *inputs_channel;
  SpiceCursorChannel *cursor_channel;

  GdkCursor *guest_cursor; /* the guest's pointer shape; NULL: none given */
  gboolean guest_cursor_hidden;

  /* The primary surface: the display channel owns the pixels. */
  const guint8 *pixels;
  int format;
  int width;
  int height;
  int stride;
  gboolean marked;

  GskRenderNode **tiles;           /* columns * rows; NULL: out of date */
  cairo_surface_t **tile_surfaces; /* on the pixels, for cairo nodes; NULL: none yet */
  guint columns;
  guint rows;

  gboolean scale_to_fit;
  gboolean grabbed;
  guint button_mask;
  double pointer_x; /* last position, widget coordinates */
  double pointer_y;
  gboolean pointer_known;
  gboolean recentering;   /* the pointer is being put back in the middle */
  double recenter_from_x; /* where it was when it was sent there */
  double recenter_from_y;
  double wheel_dy; /* smooth scrolling, not yet a whole click */
  GArray *pressed; /* scan codes down in the guest */
  guint resize_source;

  guint64 frames;
  guint64 tiles_converted;

  cairo_surface_t *shm_keeper;
};

G_DEFINE_FINAL_TYPE (HangarSpiceDisplay, hangar_spice_display, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_SESSION,
  PROP_SCALE_TO_FIT,
  PROP_HAS_SCREEN,
  PROP_GRABBED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- The screen ---- */

/* While the display channel's pixels are still there: nodes that GTK still
 * holds keep a copy of what they paint. */
static void
free_tile_surface (cairo_surface_t *surface)
{
  cairo_surface_finish (surface);
  cairo_surface_destroy (surface);
}

static void
free_tiles (HangarSpiceDisplay *self)
{
  for (guint i = 0; self->tiles != NULL && i < self->columns * self->rows; i++)
    {
      g_clear_pointer (&self->tiles[i], gsk_render_node_unref);
      g_clear_pointer (&self->tile_surfaces[i], free_tile_surface);
    }
  g_clear_pointer (&self->tiles, g_free);
  g_clear_pointer (&self->tile_surfaces, g_free);
  self->columns = self->rows = 0;
}

static void
invalidate_rect (HangarSpiceDisplay *self, int x, int y, int w, int h)
{
  guint first_column, last_column, first_row, last_row;

  if (self->tiles == NULL || w <= 0 || h <= 0)
    return;
  x = CLAMP (x, 0, self->width - 1);
  y = CLAMP (y, 0, self->height - 1);
  first_column = x / TILE_SIZE;
  first_row = y / TILE_SIZE;
  last_column = MIN ((guint) (x + w - 1) / TILE_SIZE, self->columns - 1);
  last_row = MIN ((guint) (y + h - 1) / TILE_SIZE, self->rows - 1);
  for (guint row = first_row; row <= last_row; row++)
    for (guint column = first_column; column <= last_column; column++)
      g_clear_pointer (&self->tiles[row * self->columns + column], gsk_render_node_unref);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
format_is_supported (int format)
{
  return format == SPICE_SURFACE_FMT_32_xRGB || format == SPICE_SURFACE_FMT_32_ARGB ||
         format == SPICE_SURFACE_FMT_16_565 || format == SPICE_SURFACE_FMT_16_555;
}

static void
set_primary (HangarSpiceDisplay *self, int format, int width, int height, int stride,
             const guint8 *pixels)
{
  gboolean had_screen = hangar_spice_display_get_has_screen (self);

  free_tiles (self);
  self->pixels = format_is_supported (format) ? pixels : NULL;
  if (pixels != NULL && !format_is_supported (format))
    g_warning ("The guest's screen has the pixel format %d, which Hangar cannot show", format);
  self->format = format;
  self->width = self->pixels != NULL ? width : 0;
  self->height = self->pixels != NULL ? height : 0;
  self->stride = stride;
  if (self->pixels != NULL)
    {
      self->columns = (width + TILE_SIZE - 1) / TILE_SIZE;
      self->rows = (height + TILE_SIZE - 1) / TILE_SIZE;
      self->tiles = g_new0 (GskRenderNode *, self->columns * self->rows);
      self->tile_surfaces = g_new0 (cairo_surface_t *, self->columns * self->rows);
    }
  gtk_widget_queue_resize (GTK_WIDGET (self));
  if (had_screen != hangar_spice_display_get_has_screen (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_SCREEN]);
}

/* One row of guest pixels as opaque BGRA (cairo's and GDK's native order on
 * little-endian machines); the X byte of xRGB is not alpha and may hold
 * anything. */
static void
convert_row (int format, const guint8 *source, guint32 *target, int width, gboolean any_x)
{
  if (any_x && (format == SPICE_SURFACE_FMT_32_xRGB || format == SPICE_SURFACE_FMT_32_ARGB))
    {
      memcpy (target, source, (gsize) width * 4);
      return;
    }
  if (format == SPICE_SURFACE_FMT_32_xRGB || format == SPICE_SURFACE_FMT_32_ARGB)
    {
      const guint32 *in = (const guint32 *) source;
      for (int i = 0; i < width; i++)
        target[i] = in[i] | 0xff000000u;
      return;
    }
  for (int i = 0; i < width; i++)
    {
      guint16 pixel = ((const guint16 *) source)[i];
      guint32 r, g, b;

      if (format == SPICE_SURFACE_FMT_16_565)
        r = (pixel >> 11) & 0x1f, g = ((pixel >> 5) & 0x3f) << 2, b = pixel & 0x1f;
      else
        r = (pixel >> 10) & 0x1f, g = ((pixel >> 5) & 0x1f) << 3, b = pixel & 0x1f;
      r <<= 3;
      b <<= 3;
      target[i] = 0xff000000u | (r << 16) | (g << 8) | b;
    }
}

static int
bytes_per_pixel (int format)
{
  return format == SPICE_SURFACE_FMT_16_565 || format == SPICE_SURFACE_FMT_16_555 ? 2 : 4;
}

/* Converts the rectangle X, Y, W, H into TARGET, opaque BGRA rows of STRIDE
 * bytes; with ANY_X, the alpha byte may be left as the guest had it (cairo's
 * RGB24 ignores it). */
static void
convert_rect (HangarSpiceDisplay *self, int x, int y, int w, int h, guint8 *target, gsize stride,
              gboolean any_x)
{
  int offset = x * bytes_per_pixel (self->format);

  for (int row = 0; row < h; row++)
    convert_row (self->format, self->pixels + (gsize) (y + row) * self->stride + offset,
                 (guint32 *) (target + row * stride), w, any_x);
}

/* The pixels of the rectangle X, Y, W, H as a texture. */
static GdkTexture *
make_texture (HangarSpiceDisplay *self, int x, int y, int w, int h)
{
  guint8 *pixels = g_malloc ((gsize) w * h * 4);
  g_autoptr (GBytes) bytes = NULL;

  convert_rect (self, x, y, w, h, pixels, (gsize) w * 4, FALSE);
  bytes = g_bytes_new_take (pixels, (gsize) w * h * 4);
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
  return gdk_memory_texture_new (w, h, GDK_MEMORY_B8G8R8A8_PREMULTIPLIED, bytes, (gsize) w * 4);
#else
  return gdk_memory_texture_new (w, h, GDK_MEMORY_A8R8G8B8_PREMULTIPLIED, bytes, (gsize) w * 4);
#endif
}

static gboolean
format_is_32_bit (int format)
{
  return format == SPICE_SURFACE_FMT_32_xRGB || format == SPICE_SURFACE_FMT_32_ARGB;
}

/* The rectangle's pixels as an image surface: for a 32-bit screen, the one on
 * the display channel's pixels, kept in SLOT; otherwise a converted copy. A
 * surface that owns its memory hands it over to the node's recording when it
 * goes, where one on memory of ours would be copied; so the copy goes into
 * cairo_image_surface_create ()'s memory. */
static cairo_surface_t *
get_tile_surface (HangarSpiceDisplay *self, cairo_surface_t **slot, int x, int y, int w, int h)
{
  cairo_surface_t *surface;

  if (format_is_32_bit (self->format))
    {
      if (*slot == NULL)
        *slot = cairo_image_surface_create_for_data ((guint8 *) self->pixels +
                                                         (gsize) y * self->stride + (gsize) x * 4,
                                                     CAIRO_FORMAT_RGB24, w, h, self->stride);
      return cairo_surface_reference (*slot);
    }
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, w, h);
  convert_rect (self, x, y, w, h, cairo_image_surface_get_data (surface),
                cairo_image_surface_get_stride (surface), TRUE);
  cairo_surface_mark_dirty (surface);
  return surface;
}

/* A cairo node painting the rectangle X, Y, W, H from SURFACE. */
static GskRenderNode *
make_cairo_node (cairo_surface_t *surface, int x, int y, int w, int h)
{
  GskRenderNode *node = gsk_cairo_node_new (&GRAPHENE_RECT_INIT (x, y, w, h));
  cairo_t *cr;

  cr = gsk_cairo_node_get_draw_context (node);
  cairo_set_source_surface (cr, surface, x, y);
  /* Scaled, the edge pixels must not blend with what lies outside the tile. */
  cairo_pattern_set_extend (cairo_get_source (cr), CAIRO_EXTEND_PAD);
  cairo_paint (cr);
  cairo_destroy (cr);
  return node;
}

static GskRenderNode *
make_texture_node (HangarSpiceDisplay *self, int x, int y, int w, int h)
{
  g_autoptr (GdkTexture) texture = make_texture (self, x, y, w, h);

  return gsk_texture_node_new (texture, &GRAPHENE_RECT_INIT (x, y, w, h));
}

static GskRenderNode *
get_tile (HangarSpiceDisplay *self, guint column, guint row, gboolean cairo)
{
  guint index = row * self->columns + column;
  GskRenderNode **tile = &self->tiles[index];
  GskRenderNodeType wanted = cairo ? GSK_CAIRO_NODE : GSK_TEXTURE_NODE;
  int x = column * TILE_SIZE;
  int y = row * TILE_SIZE;
  int w = MIN (TILE_SIZE, self->width - x);
  int h = MIN (TILE_SIZE, self->height - y);

  if (*tile != NULL && gsk_render_node_get_node_type (*tile) == wanted)
    return *tile;
  g_clear_pointer (tile, gsk_render_node_unref);
  if (cairo)
    {
      cairo_surface_t *surface = get_tile_surface (self, &self->tile_surfaces[index], x, y, w, h);

      *tile = make_cairo_node (surface, x, y, w, h);
      cairo_surface_destroy (surface);
    }
  else
    *tile = make_texture_node (self, x, y, w, h);
  self->tiles_converted++;
  return *tile;
}

/* Where the guest's screen lies in the widget, and its scale. */
static void
get_placement (HangarSpiceDisplay *self, double *x, double *y, double *scale)
{
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  double height = gtk_widget_get_height (GTK_WIDGET (self));

  if (self->scale_to_fit)
    *scale = MIN (width / self->width, height / self->height);
  else
    *scale = 1.0 / gtk_widget_get_scale_factor (GTK_WIDGET (self));
  *x = MAX (0, floor ((width - self->width * *scale) / 2));
  *y = MAX (0, floor ((height - self->height * *scale) / 2));
}

/* GDK's X11 cairo context sends each frame through a shared-memory image from
 * cairo-xlib's pools, and cairo destroys a pool as soon as nothing in it is in
 * use: every frame of a whole screen then maps a new 8 MB segment and faults
 * in (and zeroes) every page, which took most of the client's CPU. An image of
 * ours from the same pools keeps a pool big enough for those frames alive. */
static void
keep_shm_pool (HangarSpiceDisplay *self)
{
#ifdef GDK_WINDOWING_X11
  GdkSurface *surface = gtk_native_get_surface (gtk_widget_get_native (GTK_WIDGET (self)));
  GdkDisplay *display = gdk_surface_get_display (surface);
  int width = gdk_surface_get_width (surface) * gdk_surface_get_scale_factor (surface);
  int height = gdk_surface_get_height (surface) * gdk_surface_get_scale_factor (surface);
  Display *xdisplay;
  cairo_surface_t *window;

  if (!GDK_IS_X11_SURFACE (surface) ||
      (self->shm_keeper != NULL && cairo_image_surface_get_width (self->shm_keeper) >= width &&
       cairo_image_surface_get_height (self->shm_keeper) >= height))
    return;
  g_clear_pointer (&self->shm_keeper, cairo_surface_destroy);
  xdisplay = gdk_x11_display_get_xdisplay (display);
  window =
      cairo_xlib_surface_create (xdisplay, gdk_x11_surface_get_xid (surface),
                                 DefaultVisual (xdisplay, DefaultScreen (xdisplay)), width, height);
  self->shm_keeper = cairo_surface_create_similar_image (window, CAIRO_FORMAT_RGB24, width, height);
  cairo_surface_destroy (window);
#endif
}

static void
append_black (GtkSnapshot *snapshot, double x, double y, double width, double height)
{
  GdkRGBA black = { 0, 0, 0, 1 };

  if (width > 0 && height > 0)
    gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (x, y, width, height));
}

/* Black around the screen where it does not fill the widget; not under it,
 * where the cairo renderer would fill every repainted pixel twice. The
 * screen's edges are rounded as the tiles' are. */
static void
append_margins (HangarSpiceDisplay *self, GtkSnapshot *snapshot, double x, double y, double scale)
{
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  double height = gtk_widget_get_height (GTK_WIDGET (self));
  double right = x + (int) (self->width * scale + 0.5);
  double bottom = y + (int) (self->height * scale + 0.5);

  append_black (snapshot, 0, 0, width, y);
  append_black (snapshot, 0, bottom, width, height - bottom);
  append_black (snapshot, 0, y, x, bottom - y);
  append_black (snapshot, right, y, width - right, bottom - y);
}

static void
hangar_spice_display_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  HangarSpiceDisplay *self = HANGAR_SPICE_DISPLAY (widget);
  double x, y, scale;
  gboolean cairo;

  if (!hangar_spice_display_get_has_screen (self))
    {
      append_black (snapshot, 0, 0, gtk_widget_get_width (widget), gtk_widget_get_height (widget));
      return;
    }

  cairo = GSK_IS_CAIRO_RENDERER (gtk_native_get_renderer (gtk_widget_get_native (widget)));
  if (cairo)
    keep_shm_pool (self);
  get_placement (self, &x, &y, &scale);
  append_margins (self, snapshot, x, y, scale);
  for (guint row = 0; row < self->rows; row++)
    for (guint column = 0; column < self->columns; column++)
      {
        /* Each tile's edges on whole pixels: scaled tiles meeting inside a
         * pixel would each cover part of it and leave a dark seam. */
        int tile_x = column * TILE_SIZE;
        int tile_y = row * TILE_SIZE;
        int tile_w = MIN (TILE_SIZE, self->width - tile_x);
        int tile_h = MIN (TILE_SIZE, self->height - tile_y);
        double left = x + (int) (tile_x * scale + 0.5);
        double top = y + (int) (tile_y * scale + 0.5);
        double right = x + (int) ((tile_x + tile_w) * scale + 0.5);
        double bottom = y + (int) ((tile_y + tile_h) * scale + 0.5);

        if (right <= left || bottom <= top)
          continue;
        gtk_snapshot_save (snapshot);
        gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (left, top));
        gtk_snapshot_scale (snapshot, (right - left) / tile_w, (bottom - top) / tile_h);
        gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (-tile_x, -tile_y));
        gtk_snapshot_append_node (snapshot, get_tile (self, column, row, cairo));
        gtk_snapshot_restore (snapshot);
      }
  self->frames++;
}

static void
hangar_spice_display_measure (GtkWidget *widget, GtkOrientation orientation, int for_size,
                              int *minimum, int *natural, int *minimum_baseline,
                              int *natural_baseline)
{
  HangarSpiceDisplay *self = HANGAR_SPICE_DISPLAY (widget);
  int size = orientation == GTK_ORIENTATION_HORIZONTAL ? self->width : self->height;

  size = size / gtk_widget_get_scale_factor (widget);
  *minimum = self->scale_to_fit ? 0 : size;
  *natural = size;
}

/* ---- Asking the guest to fit the window ---- */

static gboolean
send_resize (gpointer data)
{
  HangarSpiceDisplay *self = data;
  int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));
  int width = gtk_widget_get_width (GTK_WIDGET (self)) * scale;
  int height = gtk_widget_get_height (GTK_WIDGET (self)) * scale;
  gboolean agent = FALSE;

  self->resize_source = 0;
  if (self->main_channel == NULL || width < 320 || height < 200)
    return G_SOURCE_REMOVE;
  /* Only a guest agent can change the guest's resolution. */
  g_object_get (self->main_channel, "agent-connected", &agent, NULL);
  if (!agent || (width == self->width && height == self->height))
    return G_SOURCE_REMOVE;
  spice_main_channel_update_display_enabled (self->main_channel, 0, TRUE, FALSE);
  /* Guests want even widths. */
  spice_main_channel_update_display (self->main_channel, 0, 0, 0, width & ~1, height, TRUE);
  return G_SOURCE_REMOVE;
}

static void
hangar_spice_display_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  HangarSpiceDisplay *self = HANGAR_SPICE_DISPLAY (widget);

  if (!self->scale_to_fit || self->main_channel == NULL)
    return;
  g_clear_handle_id (&self->resize_source, g_source_remove);
  self->resize_source = g_timeout_add (RESIZE_DELAY_MS, send_resize, self);
}

/* ---- Keyboard ---- */

static void
press_key (HangarSpiceDisplay *self, guint scancode)
{
  for (guint i = 0; i < self->pressed->len; i++)
    {
      if (g_array_index (self->pressed, guint, i) == scancode)
        {
          /* Held down: the guest repeats it itself, as a real keyboard would. */
          spice_inputs_channel_key_press (self->inputs_channel, scancode);
          return;
        }
    }
  g_array_append_val (self->pressed, scancode);
  spice_inputs_channel_key_press (self->inputs_channel, scancode);
}

static void
release_key (HangarSpiceDisplay *self, guint scancode)
{
  for (guint i = 0; i < self->pressed->len; i++)
    {
      if (g_array_index (self->pressed, guint, i) == scancode)
        {
          g_array_remove_index (self->pressed, i);
          spice_inputs_channel_key_release (self->inputs_channel, scancode);
          return;
        }
    }
}

/* No key may stay down in the guest once the keyboard is the host's again. */
static void
release_all_keys (HangarSpiceDisplay *self)
{
  while (self->pressed->len > 0)
    {
      guint scancode = g_array_index (self->pressed, guint, self->pressed->len - 1);

      g_array_set_size (self->pressed, self->pressed->len - 1);
      if (self->inputs_channel != NULL)
        spice_inputs_channel_key_release (self->inputs_channel, scancode);
    }
}

static gboolean
is_release_chord (guint keyval, GdkModifierType state)
{
  gboolean alt = keyval == GDK_KEY_Alt_L || keyval == GDK_KEY_Alt_R;
  gboolean control = keyval == GDK_KEY_Control_L || keyval == GDK_KEY_Control_R;

  return (alt && (state & GDK_CONTROL_MASK)) || (control && (state & GDK_ALT_MASK));
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller, guint keyval, guint keycode,
                GdkModifierType state, HangarSpiceDisplay *self)
{
  guint scancode;

  if (!self->grabbed || self->inputs_channel == NULL)
    return FALSE;
  if (is_release_chord (keyval, state))
    {
      hangar_spice_display_release (self);
      return TRUE;
    }
  scancode = hangar_keymap_hardware_to_xt (keycode);
  if (scancode != 0)
    press_key (self, scancode);
  return TRUE;
}

static void
on_key_released (GtkEventControllerKey *controller, guint keyval, guint keycode,
                 GdkModifierType state, HangarSpiceDisplay *self)
{
  guint scancode = hangar_keymap_hardware_to_xt (keycode);

  if (self->inputs_channel != NULL && scancode != 0)
    release_key (self, scancode);
}

static gboolean client_mouse_mode (HangarSpiceDisplay *self);

/* The pointer over the display. In client mouse mode it is the guest's, in
 * the shape the guest's cursor channel gives. In server mode the guest draws
 * its own into the picture, which ours would hide while grabbed. */
static void
update_pointer_shape (HangarSpiceDisplay *self)
{
  GtkWidget *widget = GTK_WIDGET (self);

  if (!client_mouse_mode (self))
    gtk_widget_set_cursor_from_name (widget, self->grabbed ? "none" : NULL);
  else if (self->guest_cursor_hidden)
    gtk_widget_set_cursor_from_name (widget, "none");
  else
    gtk_widget_set_cursor (widget, self->guest_cursor);
}

static void
set_grabbed (HangarSpiceDisplay *self, gboolean grabbed)
{
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  GdkSurface *surface = native != NULL ? gtk_native_get_surface (native) : NULL;

  if (self->grabbed == grabbed)
    return;
  self->grabbed = grabbed;
  self->recentering = FALSE;
  if (!grabbed)
    release_all_keys (self);
  /* While grabbed, the desktop's own shortcuts (Alt+Tab...) reach the guest. */
  if (GDK_IS_TOPLEVEL (surface))
    {
      if (grabbed)
        gdk_toplevel_inhibit_system_shortcuts (GDK_TOPLEVEL (surface), NULL);
      else
        gdk_toplevel_restore_system_shortcuts (GDK_TOPLEVEL (surface));
    }
  update_pointer_shape (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GRABBED]);
}

static void
on_focus_leave (GtkEventControllerFocus *controller, HangarSpiceDisplay *self)
{
  set_grabbed (self, FALSE);
}

/* ---- Pointer ---- */

static gboolean
client_mouse_mode (HangarSpiceDisplay *self)
{
  int mode = SPICE_MOUSE_MODE_SERVER;

  if (self->main_channel != NULL)
    g_object_get (self->main_channel, "mouse-mode", &mode, NULL);
  return mode == SPICE_MOUSE_MODE_CLIENT;
}

/* The guest pixel under widget point X, Y; FALSE outside the screen. */
static gboolean
to_guest (HangarSpiceDisplay *self, double x, double y, int *guest_x, int *guest_y)
{
  double left, top, scale;

  if (!hangar_spice_display_get_has_screen (self))
    return FALSE;
  get_placement (self, &left, &top, &scale);
  *guest_x = (int) floor ((x - left) / scale);
  *guest_y = (int) floor ((y - top) / scale);
  return *guest_x >= 0 && *guest_y >= 0 && *guest_x < self->width && *guest_y < self->height;
}

/* Server mode moves the guest's pointer by how far ours moves, and ours
 * stops at the window's edge. So, on X11, ours goes back to the widget's
 * middle once it is a quarter of the widget away, as GTK 3 clients do with
 * gdk_device_warp (), which GTK 4 lacks. Returns whether it was sent. */
static gboolean
recenter_pointer (HangarSpiceDisplay *self, double x, double y)
{
#ifdef GDK_WINDOWING_X11
  GtkWidget *widget = GTK_WIDGET (self);
  GtkNative *native = gtk_widget_get_native (widget);
  GdkSurface *surface = native != NULL ? gtk_native_get_surface (native) : NULL;
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  double native_x, native_y, surface_x, surface_y;
  int scale;

  if (!GDK_IS_X11_SURFACE (surface) ||
      (fabs (x - width / 2) < width / 4 && fabs (y - height / 2) < height / 4) ||
      !gtk_widget_translate_coordinates (widget, GTK_WIDGET (native), width / 2, height / 2,
                                         &native_x, &native_y))
    return FALSE;
  gtk_native_get_surface_transform (native, &surface_x, &surface_y);
  scale = gdk_surface_get_scale_factor (surface);
  XWarpPointer (gdk_x11_display_get_xdisplay (gdk_surface_get_display (surface)), None,
                gdk_x11_surface_get_xid (surface), 0, 0, 0, 0,
                (int) ((native_x + surface_x) * scale), (int) ((native_y + surface_y) * scale));
  return TRUE;
#else
  return FALSE;
#endif
}

/* Whether the motion to X, Y ends a recentring: X reports the moves made
 * before the pointer lands in the middle, and those are not the user's; the
 * landing itself may come merged with a small move of the user's. */
static gboolean
recentering_landed (HangarSpiceDisplay *self, double x, double y)
{
  double middle_x = gtk_widget_get_width (GTK_WIDGET (self)) / 2;
  double middle_y = gtk_widget_get_height (GTK_WIDGET (self)) / 2;
  double to_middle = (x - middle_x) * (x - middle_x) + (y - middle_y) * (y - middle_y);
  double to_start = (x - self->recenter_from_x) * (x - self->recenter_from_x) +
                    (y - self->recenter_from_y) * (y - self->recenter_from_y);

  return to_middle < to_start;
}

static void
relative_motion (HangarSpiceDisplay *self, double x, double y)
{
  double left, top, scale;

  if (self->recentering)
    {
      self->recentering = !recentering_landed (self, x, y);
      return;
    }
  get_placement (self, &left, &top, &scale);
  spice_inputs_channel_motion (self->inputs_channel, (int) ((x - self->pointer_x) / scale),
                               (int) ((y - self->pointer_y) / scale), self->button_mask);
  if (recenter_pointer (self, x, y))
    {
      self->recentering = TRUE;
      self->recenter_from_x = x;
      self->recenter_from_y = y;
    }
}

static void
on_motion (GtkEventControllerMotion *controller, double x, double y, HangarSpiceDisplay *self)
{
  int guest_x, guest_y;

  if (self->inputs_channel != NULL && client_mouse_mode (self) &&
      to_guest (self, x, y, &guest_x, &guest_y))
    spice_inputs_channel_position (self->inputs_channel, guest_x, guest_y, 0, self->button_mask);
  else if (self->inputs_channel != NULL && self->grabbed && self->pointer_known &&
           hangar_spice_display_get_has_screen (self))
    relative_motion (self, x, y);
  self->pointer_x = x;
  self->pointer_y = y;
  self->pointer_known = TRUE;
}

static int
spice_button (guint gdk_button)
{
  switch (gdk_button)
    {
      case GDK_BUTTON_PRIMARY:
        return SPICE_MOUSE_BUTTON_LEFT;
      case GDK_BUTTON_MIDDLE:
        return SPICE_MOUSE_BUTTON_MIDDLE;
      case GDK_BUTTON_SECONDARY:
        return SPICE_MOUSE_BUTTON_RIGHT;
      case 8:
        return SPICE_MOUSE_BUTTON_SIDE;
      case 9:
        return SPICE_MOUSE_BUTTON_EXTRA;
      default:
        return 0;
    }
}

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, HangarSpiceDisplay *self)
{
  int button = spice_button (gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture)));

  if (!self->grabbed)
    {
      /* The first click takes the keyboard; the guest does not see it. */
      hangar_spice_display_grab (self);
      return;
    }
  if (button == 0 || self->inputs_channel == NULL)
    return;
  on_motion (NULL, x, y, self);
  self->button_mask |= 1 << (button - 1);
  spice_inputs_channel_button_press (self->inputs_channel, button, self->button_mask);
}

static void
on_released (GtkGestureClick *gesture, int n_press, double x, double y, HangarSpiceDisplay *self)
{
  int button = spice_button (gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture)));
  guint bit = button != 0 ? 1u << (button - 1) : 0;

  if (bit == 0 || !(self->button_mask & bit) || self->inputs_channel == NULL)
    return;
  self->button_mask &= ~bit;
  spice_inputs_channel_button_release (self->inputs_channel, button, self->button_mask);
}

static void
click_wheel (HangarSpiceDisplay *self, int button)
{
  spice_inputs_channel_button_press (self->inputs_channel, button, self->button_mask);
  spice_inputs_channel_button_release (self->inputs_channel, button, self->button_mask);
}

static gboolean
on_scroll (GtkEventControllerScroll *controller, double dx, double dy, HangarSpiceDisplay *self)
{
  if (self->inputs_channel == NULL || (!self->grabbed && !client_mouse_mode (self)))
    return FALSE;
  self->wheel_dy += dy;
  while (self->wheel_dy >= 1)
    {
      click_wheel (self, SPICE_MOUSE_BUTTON_DOWN);
      self->wheel_dy -= 1;
    }
  while (self->wheel_dy <= -1)
    {
      click_wheel (self, SPICE_MOUSE_BUTTON_UP);
      self->wheel_dy += 1;
    }
  return TRUE;
}

/* ---- The session's channels ---- */

static void
on_primary_create (SpiceChannel *channel, int format, int width, int height, int stride, int shmid,
                   gpointer pixels, HangarSpiceDisplay *self)
{
  set_primary (self, format, width, height, stride, pixels);
}

static void
on_primary_destroy (SpiceChannel *channel, HangarSpiceDisplay *self)
{
  set_primary (self, SPICE_SURFACE_FMT_INVALID, 0, 0, 0, NULL);
}

static void
on_invalidate (SpiceChannel *channel, int x, int y, int w, int h, HangarSpiceDisplay *self)
{
  invalidate_rect (self, x, y, w, h);
}

static void
on_mark (SpiceChannel *channel, gboolean mark, HangarSpiceDisplay *self)
{
  gboolean had_screen = hangar_spice_display_get_has_screen (self);

  self->marked = mark;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (had_screen != hangar_spice_display_get_has_screen (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_SCREEN]);
}

static void
on_mouse_mode (HangarSpiceDisplay *self)
{
  self->pointer_known = FALSE;
  self->recentering = FALSE;
  update_pointer_shape (self);
}

/* ---- The guest's pointer shape ---- */

static GdkCursor *
cursor_from_shape (const SpiceCursorShape *shape)
{
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GdkTexture) texture = NULL;

  if (shape == NULL || shape->data == NULL || shape->width == 0 || shape->height == 0)
    return NULL;
  /* spice-client hands every cursor type over as RGBA bytes, not premultiplied. */
  bytes = g_bytes_new (shape->data, (gsize) shape->width * shape->height * 4);
  texture = gdk_memory_texture_new (shape->width, shape->height, GDK_MEMORY_R8G8B8A8, bytes,
                                    (gsize) shape->width * 4);
  /* spice-client lets a hot spot lie just outside the shape; GDK does not. */
  return gdk_cursor_new_from_texture (texture, MIN (shape->hot_spot_x, shape->width - 1),
                                      MIN (shape->hot_spot_y, shape->height - 1), NULL);
}

static void
on_cursor_shape (SpiceCursorChannel *channel, GParamSpec *pspec, HangarSpiceDisplay *self)
{
  SpiceCursorShape *shape = NULL;

  g_object_get (channel, "cursor", &shape, NULL);
  g_clear_object (&self->guest_cursor);
  self->guest_cursor = cursor_from_shape (shape);
  self->guest_cursor_hidden = FALSE;
  if (shape != NULL)
    g_boxed_free (SPICE_TYPE_CURSOR_SHAPE, shape);
  update_pointer_shape (self);
}

static void
on_cursor_hide (HangarSpiceDisplay *self)
{
  self->guest_cursor_hidden = TRUE;
  update_pointer_shape (self);
}

static void
forget_guest_cursor (HangarSpiceDisplay *self)
{
  g_clear_object (&self->guest_cursor);
  self->guest_cursor_hidden = FALSE;
  update_pointer_shape (self);
}

static void
adopt_cursor_channel (HangarSpiceDisplay *self, SpiceChannel *channel)
{
  self->cursor_channel = SPICE_CURSOR_CHANNEL (channel);
  g_signal_connect_object (channel, "notify::cursor", G_CALLBACK (on_cursor_shape), self, 0);
  g_signal_connect_object (channel, "cursor-hide", G_CALLBACK (on_cursor_hide), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (channel, "cursor-reset", G_CALLBACK (forget_guest_cursor), self,
                           G_CONNECT_SWAPPED);
}

static void
adopt_display_channel (HangarSpiceDisplay *self, SpiceChannel *channel)
{
  SpiceDisplayPrimary primary;

  self->display_channel = SPICE_DISPLAY_CHANNEL (channel);
  g_signal_connect_object (channel, "display-primary-create", G_CALLBACK (on_primary_create), self,
                           0);
  g_signal_connect_object (channel, "display-primary-destroy", G_CALLBACK (on_primary_destroy),
                           self, 0);
  g_signal_connect_object (channel, "display-invalidate", G_CALLBACK (on_invalidate), self, 0);
  g_signal_connect_object (channel, "display-mark", G_CALLBACK (on_mark), self, 0);
  if (spice_display_channel_get_primary (channel, 0, &primary))
    {
      set_primary (self, primary.format, primary.width, primary.height, primary.stride,
                   primary.data);
      on_mark (channel, primary.marked, self);
    }
}

static void
on_channel_new (SpiceSession *session, SpiceChannel *channel, HangarSpiceDisplay *self)
{
  int id = 0;

  g_object_get (channel, "channel-id", &id, NULL);
  if (SPICE_IS_MAIN_CHANNEL (channel))
    {
      self->main_channel = SPICE_MAIN_CHANNEL (channel);
      g_signal_connect_object (channel, "notify::mouse-mode", G_CALLBACK (on_mouse_mode), self,
                               G_CONNECT_SWAPPED);
      return;
    }
  /* One monitor: the first display channel. */
  if (SPICE_IS_DISPLAY_CHANNEL (channel) && id == 0 && self->display_channel == NULL)
    {
      adopt_display_channel (self, channel);
      spice_channel_connect (channel);
    }
  else if (SPICE_IS_INPUTS_CHANNEL (channel) && self->inputs_channel == NULL)
    {
      self->inputs_channel = SPICE_INPUTS_CHANNEL (channel);
      spice_channel_connect (channel);
    }
  else if (SPICE_IS_CURSOR_CHANNEL (channel) && id == 0 && self->cursor_channel == NULL)
    {
      adopt_cursor_channel (self, channel);
      spice_channel_connect (channel);
    }
}

static void
on_channel_destroy (SpiceSession *session, SpiceChannel *channel, HangarSpiceDisplay *self)
{
  if ((gpointer) channel == self->main_channel)
    self->main_channel = NULL;
  else if ((gpointer) channel == self->inputs_channel)
    self->inputs_channel = NULL;
  else if ((gpointer) channel == self->cursor_channel)
    {
      g_signal_handlers_disconnect_by_data (channel, self);
      self->cursor_channel = NULL;
      forget_guest_cursor (self);
    }
  else if ((gpointer) channel == self->display_channel)
    {
      g_signal_handlers_disconnect_by_data (channel, self);
      self->display_channel = NULL;
      on_mark (channel, FALSE, self);
      set_primary (self, SPICE_SURFACE_FMT_INVALID, 0, 0, 0, NULL);
    }
}

static void
forget_session (HangarSpiceDisplay *self)
{
  if (self->session == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->session, self);
  if (self->display_channel != NULL)
    g_signal_handlers_disconnect_by_data (self->display_channel, self);
  if (self->main_channel != NULL)
    g_signal_handlers_disconnect_by_data (self->main_channel, self);
  if (self->cursor_channel != NULL)
    g_signal_handlers_disconnect_by_data (self->cursor_channel, self);
  set_grabbed (self, FALSE);
  self->main_channel = NULL;
  self->display_channel = NULL;
  self->inputs_channel = NULL;
  self->cursor_channel = NULL;
  forget_guest_cursor (self);
  self->marked = FALSE;
  set_primary (self, SPICE_SURFACE_FMT_INVALID, 0, 0, 0, NULL);
  g_clear_object (&self->session);
}

void
hangar_spice_display_set_session (HangarSpiceDisplay *self, SpiceSession *session)
{
  g_autoptr (GList) channels = NULL;

  g_return_if_fail (HANGAR_IS_SPICE_DISPLAY (self));
  g_return_if_fail (session == NULL || SPICE_IS_SESSION (session));

  if (self->session == session)
    return;
  forget_session (self);
  if (session != NULL)
    {
      self->session = g_object_ref (session);
      g_signal_connect_object (session, "channel-new", G_CALLBACK (on_channel_new), self, 0);
      g_signal_connect_object (session, "channel-destroy", G_CALLBACK (on_channel_destroy), self,
                               0);
      channels = spice_session_get_channels (session);
      for (GList *l = channels; l != NULL; l = l->next)
        on_channel_new (session, l->data, self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

SpiceSession *
hangar_spice_display_get_session (HangarSpiceDisplay *self)
{
  g_return_val_if_fail (HANGAR_IS_SPICE_DISPLAY (self), NULL);

  return self->session;
}

/* ---- Public ---- */

void
hangar_spice_display_set_scale_to_fit (HangarSpiceDisplay *self, gboolean fit)
{
  g_return_if_fail (HANGAR_IS_SPICE_DISPLAY (self));

  fit = !!fit;
  if (self->scale_to_fit == fit)
    return;
  self->scale_to_fit = fit;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCALE_TO_FIT]);
}

gboolean
hangar_spice_display_get_scale_to_fit (HangarSpiceDisplay *self)
{
  g_return_val_if_fail (HANGAR_IS_SPICE_DISPLAY (self), FALSE);

  return self->scale_to_fit;
}

gboolean
hangar_spice_display_get_has_screen (HangarSpiceDisplay *self)
{
  g_return_val_if_fail (HANGAR_IS_SPICE_DISPLAY (self), FALSE);

  return self->pixels != NULL && self->marked;
}

gboolean
hangar_spice_display_get_grabbed (HangarSpiceDisplay *self)
{
  g_return_val_if_fail (HANGAR_IS_SPICE_DISPLAY (self), FALSE);

  return self->grabbed;
}

void
hangar_spice_display_grab (HangarSpiceDisplay *self)
{
  g_return_if_fail (HANGAR_IS_SPICE_DISPLAY (self));

  gtk_widget_grab_focus (GTK_WIDGET (self));
  set_grabbed (self, TRUE);
}

void
hangar_spice_display_release (HangarSpiceDisplay *self)
{
  g_return_if_fail (HANGAR_IS_SPICE_DISPLAY (self));

  set_grabbed (self, FALSE);
}

void
hangar_spice_display_send_keys (HangarSpiceDisplay *self, const guint *scancodes, guint n_scancodes)
{
  g_return_if_fail (HANGAR_IS_SPICE_DISPLAY (self));

  if (self->inputs_channel == NULL)
    return;
  for (guint i = 0; i < n_scancodes; i++)
    spice_inputs_channel_key_press (self->inputs_channel, scancodes[i]);
  for (guint i = n_scancodes; i > 0; i--)
    spice_inputs_channel_key_release (self->inputs_channel, scancodes[i - 1]);
}

GdkTexture *
hangar_spice_display_get_screenshot (HangarSpiceDisplay *self)
{
  g_return_val_if_fail (HANGAR_IS_SPICE_DISPLAY (self), NULL);

  if (self->pixels == NULL)
    return NULL;
  return make_texture (self, 0, 0, self->width, self->height);
}

void
hangar_spice_display_get_stats (HangarSpiceDisplay *self, guint64 *frames, guint64 *tiles_converted)
{
  g_return_if_fail (HANGAR_IS_SPICE_DISPLAY (self));

  *frames = self->frames;
  *tiles_converted = self->tiles_converted;
}

/* ---- GObject ---- */

static void
hangar_spice_display_dispose (GObject *object)
{
  HangarSpiceDisplay *self = HANGAR_SPICE_DISPLAY (object);

  g_clear_handle_id (&self->resize_source, g_source_remove);
  g_clear_pointer (&self->shm_keeper, cairo_surface_destroy);
  forget_session (self);

  G_OBJECT_CLASS (hangar_spice_display_parent_class)->dispose (object);
}

static void
hangar_spice_display_finalize (GObject *object)
{
  HangarSpiceDisplay *self = HANGAR_SPICE_DISPLAY (object);

  g_array_unref (self->pressed);

  G_OBJECT_CLASS (hangar_spice_display_parent_class)->finalize (object);
}

static void
hangar_spice_display_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  HangarSpiceDisplay *self = HANGAR_SPICE_DISPLAY (object);

  switch (prop_id)
    {
      case PROP_SESSION:
        g_value_set_object (value, self->session);
        break;
      case PROP_SCALE_TO_FIT:
        g_value_set_boolean (value, self->scale_to_fit);
        break;
      case PROP_HAS_SCREEN:
        g_value_set_boolean (value, hangar_spice_display_get_has_screen (self));
        break;
      case PROP_GRABBED:
        g_value_set_boolean (value, self->grabbed);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hangar_spice_display_set_property (GObject *object, guint prop_id, const GValue *value,
                                   GParamSpec *pspec)
{
  HangarSpiceDisplay *self = HANGAR_SPICE_DISPLAY (object);

  switch (prop_id)
    {
      case PROP_SESSION:
        hangar_spice_display_set_session (self, g_value_get_object (value));
        break;
      case PROP_SCALE_TO_FIT:
        hangar_spice_display_set_scale_to_fit (self, g_value_get_boolean (value));
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hangar_spice_display_class_init (HangarSpiceDisplayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hangar_spice_display_dispose;
  object_class->finalize = hangar_spice_display_finalize;
  object_class->get_property = hangar_spice_display_get_property;
  object_class->set_property = hangar_spice_display_set_property;
  widget_class->snapshot = hangar_spice_display_snapshot;
  widget_class->measure = hangar_spice_display_measure;
  widget_class->size_allocate = hangar_spice_display_size_allocate;

  properties[PROP_SESSION] =
      g_param_spec_object ("session", NULL, NULL, SPICE_TYPE_SESSION,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SCALE_TO_FIT] =
      g_param_spec_boolean ("scale-to-fit", NULL, NULL, TRUE,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HAS_SCREEN] = g_param_spec_boolean ("has-screen", NULL, NULL, FALSE,
                                                      G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_GRABBED] = g_param_spec_boolean ("grabbed", NULL, NULL, FALSE,
                                                   G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "hangar-spice-display");
}

static void
add_controllers (HangarSpiceDisplay *self)
{
  GtkEventController *key = gtk_event_controller_key_new ();
  GtkEventController *focus = gtk_event_controller_focus_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *scroll =
      gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);

  g_signal_connect (key, "key-pressed", G_CALLBACK (on_key_pressed), self);
  g_signal_connect (key, "key-released", G_CALLBACK (on_key_released), self);
  g_signal_connect (focus, "leave", G_CALLBACK (on_focus_leave), self);
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), 0);
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  g_signal_connect (click, "released", G_CALLBACK (on_released), self);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), key);
  gtk_widget_add_controller (GTK_WIDGET (self), focus);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
}

static void
hangar_spice_display_init (HangarSpiceDisplay *self)
{
  self->scale_to_fit = TRUE;
  self->pressed = g_array_new (FALSE, FALSE, sizeof (guint));
  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  add_controllers (self);
}

GtkWidget *
hangar_spice_display_new (void)
{
  return g_object_new (HANGAR_TYPE_SPICE_DISPLAY, NULL);
}
