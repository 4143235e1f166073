/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * console-probe SERIAL-SOCKET WINDOW-ID PID X-PID: measures one SPICE client the
 * same way whatever it is (Hangar's display, remote-viewer). It asks the
 * benchmark guest (console-guest.c) for framebuffer changes over the serial
 * port and watches the client's window with the X DAMAGE extension: a damage
 * report is the client putting a new frame on the X server.
 *   latency: from the guest's "changed" answer to the client's next frame
 *   frames a second and CPU (the client's user + system time from /proc)
 *   while the guest animates; and the X server's CPU meanwhile, as a client
 *   may leave the copying of its frames to the server (GTK 3 does, drawing
 *   through server-side pixmaps) or do it itself (GTK 4's cairo renderer).
 * Prints "name value" lines for bench/console to tabulate.
 */
#include <X11/Xlib.h>
#include <X11/extensions/Xdamage.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static Display *display;
static Damage damage;
static int damage_event;
static int serial;

static double
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Handles pending X events; returns how many damage reports came. */
static int
take_damage (void)
{
  int reports = 0;

  while (XPending (display))
    {
      XEvent event;

      XNextEvent (display, &event);
      if (event.type == damage_event + XDamageNotify)
        {
          XDamageSubtract (display, damage, None, None);
          reports++;
        }
    }
  XFlush (display);
  return reports;
}

/* Waits up to TIMEOUT ms for a damage report or a serial byte, whichever is
 * asked for; returns the time it came, or -1. */
static double
wait_for (int want_damage, char *byte, double timeout)
{
  double deadline = now_ms () + timeout;

  for (;;)
    {
      struct pollfd fds[2] = { { ConnectionNumber (display), POLLIN, 0 }, { serial, POLLIN, 0 } };
      double left = deadline - now_ms ();

      if (want_damage && take_damage () > 0)
        return now_ms ();
      if (left <= 0)
        return -1;
      poll (fds, 2, (int) left + 1);
      if (!want_damage && (fds[1].revents & POLLIN))
        {
          if (read (serial, byte, 1) == 1)
            return now_ms ();
        }
    }
}

/* Until no frame came for QUIET ms (a client may still be painting). */
static void
settle (double quiet)
{
  while (wait_for (1, NULL, quiet) >= 0)
    ;
}

static int
compare (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static void
latency (const char *name, char command, int runs)
{
  double samples[64];
  int n = 0;

  for (int i = 0; i < runs && i < 64; i++)
    {
      char byte = 0;
      double changed, shown;

      settle (150);
      if (write (serial, &command, 1) != 1)
        exit (1);
      /* Skip anything else the guest said (its "ready" at boot). */
      do
        changed = wait_for (0, &byte, 3000);
      while (changed >= 0 && byte != 'k');
      if (changed < 0)
        {
          fprintf (stderr, "the guest did not answer\n");
          exit (1);
        }
      shown = wait_for (1, NULL, 3000);
      if (shown >= 0)
        samples[n++] = shown - changed;
    }
  qsort (samples, n, sizeof samples[0], compare);
  printf ("%s-latency-median-ms %.1f\n", name, n > 0 ? samples[n / 2] : -1);
  printf ("%s-latency-p90-ms %.1f\n", name, n > 0 ? samples[n * 9 / 10] : -1);
  printf ("%s-latency-missed %d\n", name, runs - n);
}

static double
cpu_seconds (int pid)
{
  char path[64], text[1024];
  unsigned long utime = 0, stime = 0;
  FILE *file;
  char *close_paren;

  snprintf (path, sizeof path, "/proc/%d/stat", pid);
  file = fopen (path, "r");
  if (file == NULL || fgets (text, sizeof text, file) == NULL)
    exit (1);
  fclose (file);
  close_paren = strrchr (text, ')');
  sscanf (close_paren + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime);
  return (double) (utime + stime) / sysconf (_SC_CLK_TCK);
}

static void
frame_rate (const char *name, char command, int pid, int x_pid, double seconds)
{
  char stop = 'x', answer[32] = { 0 };
  double start, cpu_start, x_cpu_start;
  int frames = 0;

  settle (150);
  if (write (serial, &command, 1) != 1)
    exit (1);
  /* Warm up, then count. */
  for (double end = now_ms () + 1000; now_ms () < end;)
    wait_for (1, NULL, end - now_ms ());
  start = now_ms ();
  cpu_start = cpu_seconds (pid);
  x_cpu_start = cpu_seconds (x_pid);
  while (now_ms () < start + seconds * 1000)
    if (wait_for (1, NULL, start + seconds * 1000 - now_ms ()) >= 0)
      frames++;
  printf ("%s-frames-per-second %.1f\n", name, frames / seconds);
  printf ("%s-cpu-percent %.1f\n", name, 100 * (cpu_seconds (pid) - cpu_start) / seconds);
  printf ("%s-x-server-cpu-percent %.1f\n", name,
          100 * (cpu_seconds (x_pid) - x_cpu_start) / seconds);
  if (write (serial, &stop, 1) != 1)
    exit (1);
  for (size_t i = 0; i < sizeof answer - 1; i++)
    {
      if (wait_for (0, &answer[i], 3000) < 0 || answer[i] == '\n')
        break;
    }
  printf ("%s-guest-frames %d\n", name, atoi (answer));
}

int
main (int argc, char *argv[])
{
  struct sockaddr_un address = { .sun_family = AF_UNIX };
  int error_base;
  int pid, x_pid;

  if (argc != 5)
    {
      fprintf (stderr, "Usage: %s SERIAL-SOCKET WINDOW-ID PID X-PID\n", argv[0]);
      return 2;
    }
  serial = socket (AF_UNIX, SOCK_STREAM, 0);
  strncpy (address.sun_path, argv[1], sizeof address.sun_path - 1);
  if (connect (serial, (struct sockaddr *) &address, sizeof address) < 0)
    {
      perror (argv[1]);
      return 1;
    }
  display = XOpenDisplay (NULL);
  if (display == NULL || !XDamageQueryExtension (display, &damage_event, &error_base))
    {
      fprintf (stderr, "no X display with the DAMAGE extension\n");
      return 1;
    }
  damage = XDamageCreate (display, strtoul (argv[2], NULL, 0), XDamageReportNonEmpty);
  pid = atoi (argv[3]);
  x_pid = atoi (argv[4]);

  latency ("small", 's', 30);
  latency ("full", 'f', 20);
  frame_rate ("full-animation", 'a', pid, x_pid, 5);
  frame_rate ("partial-animation", 'p', pid, x_pid, 5);
  return 0;
}
