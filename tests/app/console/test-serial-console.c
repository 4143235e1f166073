/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * HangarSerialConsole on a real guest's serial port (QEMU's 16550 UART, which
 * run-with-guest.sh gives a unix socket): the guest's words appear in the
 * terminal, a line typed through the X server reaches the guest, which
 * answers it, and text pasted from the clipboard reaches it too.
 */
#include "config.h"

#include <adwaita.h>

#include "console-test-util.h"
#include "hangar-serial-console.h"

static void
run (HangarSerialConsole *console)
{
  VteTerminal *terminal = VTE_TERMINAL (console);
  TerminalWait ready = { terminal, "HANGAR-GUEST: ready" };
  TerminalWait typed = { terminal, "GOT:typed by hand" };
  TerminalWait pasted = { terminal, "GOT:pasted text" };
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (console));
  g_autofree char *all = NULL;

  wait_for (terminal_shows, &ready, "the guest's first words in the terminal", 40);

  click_widget (GTK_WIDGET (console));
  wait_for (is_focused, console, "the terminal to take the keyboard", 10);
  xdotool ("type --delay 20 'typed by hand'");
  xdotool ("key Return");
  wait_for (terminal_shows, &typed, "the guest's answer to the typed line", 20);

  gdk_clipboard_set_text (clipboard, "pasted text\r");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (console), "console.paste", NULL));
  wait_for (terminal_shows, &pasted, "the guest's answer to the pasted line", 20);

  all = vte_terminal_get_text (terminal, NULL, NULL, NULL);
  g_print ("# terminal text:\n%s\n", all);
  g_assert_true (hangar_serial_console_get_connected (console));
}

int
main (int argc, char *argv[])
{
  g_autoptr (GSocketConnection) serial = NULL;
  GtkWindow *window;
  GtkWidget *console;

  gtk_init ();
  adw_init ();

  console = hangar_serial_console_new ();
  window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_decorated (window, FALSE);
  gtk_window_set_default_size (window, 640, 400);
  gtk_window_set_child (window, console);
  gtk_window_present (window);

  /* QEMU starts the guest once the serial port has a client: no word lost. */
  serial = connect_env_socket ("HANGAR_TEST_SERIAL");
  hangar_serial_console_set_stream (HANGAR_SERIAL_CONSOLE (console), G_IO_STREAM (serial));

  run (HANGAR_SERIAL_CONSOLE (console));

  hangar_serial_console_set_stream (HANGAR_SERIAL_CONSOLE (console), NULL);
  gtk_window_destroy (window);
  return 0;
}
