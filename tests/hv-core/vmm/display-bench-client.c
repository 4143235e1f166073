/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench/display's measuring end: a headless SPICE client that counts the
 * frames it is shown, and (for hv-vmm) the stand-in for a guest that writes
 * them, mapping the framebuffer file that hv-vmm was given with fb-file=.
 *
 *   display-bench-client --uri=URI [--fb-file=FILE --width=W --height=H]
 *       [--mode=full|rect] [--rate=HZ] [--seconds=S] [--pid=PID]
 *
 * Every frame has its own colour: over the whole screen (full) or over a
 * 64x64 square (rect). A frame counts as delivered when the client's
 * primary surface shows its colour at the probe pixel. Without --fb-file
 * something else (a guest) writes the frames. --pid: the VMM whose CPU time
 * (user + system, all threads but QEMU's vCPU threads, "CPU n/...": those
 * run the guest that writes the frames there) is reported per delivered frame.
 *
 * Prints one line: "frames N seconds S fps F cpu-ms-per-frame C cpu-cores K".
 */
#include <fcntl.h>
#include <glib.h>
#include <spice-client.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fbpattern.h"

#define RECT_X    FBPATTERN_RECT_X
#define RECT_Y    FBPATTERN_RECT_Y
#define RECT_SIZE FBPATTERN_RECT_SIZE
#define WARMUP_S  1

static char *opt_uri;
static char *opt_fb_file;
static char *opt_mode = (char *) "full";
static int opt_width = 1920;
static int opt_height = 1080;
static int opt_rate = 120;
static int opt_seconds = 5;
static int opt_pid;

typedef struct
{
  SpiceChannel *display;
  guint32 last_seen;
  guint64 frames;
  gboolean measuring;
  gint64 start_us;
  double start_cpu_s;
  GMainLoop *loop;
} Bench;

static void
probe_point (int *x, int *y)
{
  if (strcmp (opt_mode, "rect") == 0)
    {
      *x = RECT_X + RECT_SIZE - 1;
      *y = RECT_Y + RECT_SIZE - 1;
    }
  else
    {
      *x = opt_width - 1;
      *y = opt_height - 1;
    }
}

/* The writer: a guest's drawing, done from the host. */
static gpointer
writer_thread (gpointer data)
{
  size_t size = (size_t) opt_width * opt_height * 4;
  int fd = open (opt_fb_file, O_RDWR);
  guint32 *fb = fd >= 0 ? mmap (NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : NULL;
  gboolean rect = strcmp (opt_mode, "rect") == 0;

  if (fb == NULL || fb == MAP_FAILED)
    g_error ("cannot map %s", opt_fb_file);
  for (guint32 n = 1;; n++)
    {
      guint32 c = fbpattern_frame_colour (n);

      if (rect)
        for (int y = RECT_Y; y < RECT_Y + RECT_SIZE; y++)
          for (int x = RECT_X; x < RECT_X + RECT_SIZE; x++)
            fb[(size_t) y * opt_width + x] = c;
      else
        for (size_t i = 0; i < (size_t) opt_width * opt_height; i++)
          fb[i] = c;
      g_usleep (G_USEC_PER_SEC / opt_rate);
    }
  return NULL;
}

static double
thread_cpu_s (const char *task_dir)
{
  g_autofree char *path = g_build_filename (task_dir, "stat", NULL);
  g_autofree char *stat = NULL;
  unsigned long utime, stime;
  const char *p;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return 0;
  if (strstr (stat, "(CPU ") != NULL)
    return 0;
  /* After the command name in parentheses: fields 3.. ; utime and stime are 14 and 15. */
  p = strrchr (stat, ')');
  if (p == NULL ||
      sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
    return 0;
  return (double) (utime + stime) / sysconf (_SC_CLK_TCK);
}

static double
process_cpu_s (void)
{
  g_autofree char *tasks = g_strdup_printf ("/proc/%d/task", opt_pid);
  g_autoptr (GDir) dir = opt_pid > 0 ? g_dir_open (tasks, 0, NULL) : NULL;
  const char *name;
  double total = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *task = g_build_filename (tasks, name, NULL);

      total += thread_cpu_s (task);
    }
  return total;
}

static void
on_invalidate (SpiceChannel *channel, gint x, gint y, gint w, gint h, gpointer data)
{
  Bench *b = data;
  SpiceDisplayPrimary primary;
  int px, py;
  guint32 pixel;

  probe_point (&px, &py);
  if (px < x || py < y || px >= x + w || py >= y + h ||
      !spice_display_channel_get_primary (channel, 0, &primary) || px >= primary.width ||
      py >= primary.height)
    return;
  memcpy (&pixel, primary.data + (gsize) py * primary.stride + px * 4, 4);
  pixel &= 0xffffff;
  if (pixel == b->last_seen || pixel == 0)
    return;
  b->last_seen = pixel;
  if (b->measuring)
    b->frames++;
}

static void
on_channel_new (SpiceSession *session, SpiceChannel *channel, gpointer data)
{
  Bench *b = data;

  if (!SPICE_IS_DISPLAY_CHANNEL (channel))
    return;
  b->display = channel;
  g_signal_connect (channel, "display-invalidate", G_CALLBACK (on_invalidate), b);
  spice_channel_connect (channel);
}

static gboolean
on_start_measuring (gpointer data)
{
  Bench *b = data;

  b->measuring = TRUE;
  b->frames = 0;
  b->start_us = g_get_monotonic_time ();
  b->start_cpu_s = process_cpu_s ();
  return G_SOURCE_REMOVE;
}

static gboolean
on_stop (gpointer data)
{
  Bench *b = data;
  double secs = (g_get_monotonic_time () - b->start_us) / 1e6;
  double cpu = process_cpu_s () - b->start_cpu_s;

  printf ("frames %" G_GUINT64_FORMAT " seconds %.2f fps %.1f cpu-ms-per-frame %.2f "
          "cpu-cores %.3f\n",
          b->frames, secs, b->frames / secs, b->frames ? 1000.0 * cpu / b->frames : 0.0,
          cpu / secs);
  g_main_loop_quit (b->loop);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  GOptionEntry entries[] = {
    { "uri", 0, 0, G_OPTION_ARG_STRING, &opt_uri, "SPICE URI", "URI" },
    { "fb-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_fb_file, "framebuffer file to write", "FILE" },
    { "width", 0, 0, G_OPTION_ARG_INT, &opt_width, "width", "W" },
    { "height", 0, 0, G_OPTION_ARG_INT, &opt_height, "height", "H" },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &opt_mode, "full or rect", "MODE" },
    { "rate", 0, 0, G_OPTION_ARG_INT, &opt_rate, "frames written a second", "HZ" },
    { "seconds", 0, 0, G_OPTION_ARG_INT, &opt_seconds, "how long to measure", "S" },
    { "pid", 0, 0, G_OPTION_ARG_INT, &opt_pid, "the VMM's process id", "PID" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  SpiceSession *session;
  Bench b = { 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || opt_uri == NULL || opt_rate <= 0 ||
      opt_seconds <= 0)
    {
      g_printerr ("display-bench-client: %s\n", error ? error->message : "--uri is required");
      return 2;
    }
  b.loop = g_main_loop_new (NULL, FALSE);
  session = spice_session_new ();
  g_object_set (session, "uri", opt_uri, "enable-audio", FALSE, NULL);
  g_signal_connect (session, "channel-new", G_CALLBACK (on_channel_new), &b);
  if (!spice_session_connect (session))
    return 1;
  if (opt_fb_file != NULL)
    g_thread_unref (g_thread_new ("writer", writer_thread, NULL));
  g_timeout_add_seconds (WARMUP_S, on_start_measuring, &b);
  g_timeout_add_seconds (WARMUP_S + opt_seconds, on_stop, &b);
  g_main_loop_run (b.loop);
  spice_session_disconnect (session);
  g_object_unref (session);
  g_main_loop_unref (b.loop);
  return b.frames > 0 ? 0 : 1;
}
