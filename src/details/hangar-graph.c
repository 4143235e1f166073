/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "hangar-graph.h"

struct _HangarGraph
{
  GtkWidget parent_instance;

  HangarMachine *machine;
  gulong metrics_handler;
  HangarMetric metrics[2];
};

G_DEFINE_FINAL_TYPE (HangarGraph, hangar_graph, GTK_TYPE_WIDGET)

/* The scale's top: 100 for percentages, else a round number above the peak so
 * that contention shows as a curve, not a flat line at the top. */
static double
scale_top (HangarGraph *self, double samples[2][HANGAR_METRIC_HISTORY], guint n)
{
  double peak = 0;
  double top = 1;

  if (self->metrics[0] == HANGAR_METRIC_CPU)
    return 100;
  for (guint s = 0; s < 2; s++)
    for (guint i = 0; i < n; i++)
      peak = MAX (peak, samples[s][i]);
  while (top < peak * 1.1)
    top *= 2;
  return top;
}

static void
plot_series (cairo_t *cr, const double *samples, guint n, double top, int width, int height)
{
  double step = (double) width / (HANGAR_METRIC_HISTORY - 1);
  double x0 = width - step * (n - 1);

  cairo_move_to (cr, x0, height);
  for (guint i = 0; i < n; i++)
    cairo_line_to (cr, x0 + i * step, height - samples[i] / top * (height - 2));
  cairo_line_to (cr, width, height);
  cairo_close_path (cr);
}

static void
hangar_graph_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  HangarGraph *self = HANGAR_GRAPH (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double samples[2][HANGAR_METRIC_HISTORY] = { { 0 } };
  static const GdkRGBA colours[2] = { { 0.21, 0.52, 0.89, 1 }, { 0.90, 0.38, 0.0, 1 } };
  GdkRGBA grid;
  guint n = 0;
  double top;
  cairo_t *cr;

  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &grid);
  grid.alpha = 0.15;
  gdk_cairo_set_source_rgba (cr, &grid);
  cairo_set_line_width (cr, 1);
  for (int line = 1; line < 4; line++)
    {
      cairo_move_to (cr, 0, height * line / 4.0 + 0.5);
      cairo_line_to (cr, width, height * line / 4.0 + 0.5);
    }
  cairo_stroke (cr);

  if (self->machine != NULL)
    {
      for (guint s = 0; s < 2; s++)
        if (self->metrics[s] != HANGAR_N_METRICS)
          n = hangar_machine_get_history (self->machine, self->metrics[s], samples[s]);
      top = scale_top (self, samples, n);
      for (guint s = 0; s < 2 && n > 1; s++)
        {
          if (self->metrics[s] == HANGAR_N_METRICS)
            continue;
          plot_series (cr, samples[s], n, top, width, height);
          cairo_set_source_rgba (cr, colours[s].red, colours[s].green, colours[s].blue, 0.25);
          cairo_fill_preserve (cr);
          gdk_cairo_set_source_rgba (cr, &colours[s]);
          cairo_set_line_width (cr, 1.5);
          cairo_stroke (cr);
        }
    }
  cairo_destroy (cr);
}

static void
hangar_graph_dispose (GObject *object)
{
  hangar_graph_set_machine (HANGAR_GRAPH (object), NULL);

  G_OBJECT_CLASS (hangar_graph_parent_class)->dispose (object);
}

static void
hangar_graph_class_init (HangarGraphClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hangar_graph_dispose;
  widget_class->snapshot = hangar_graph_snapshot;
  gtk_widget_class_set_css_name (widget_class, "graph");
}

static void
hangar_graph_init (HangarGraph *self)
{
  gtk_widget_set_size_request (GTK_WIDGET (self), 200, 80);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
}

GtkWidget *
hangar_graph_new (HangarMetric metric, HangarMetric second)
{
  HangarGraph *self = g_object_new (HANGAR_TYPE_GRAPH, NULL);

  self->metrics[0] = metric;
  self->metrics[1] = second;
  return GTK_WIDGET (self);
}

void
hangar_graph_set_machine (HangarGraph *self, HangarMachine *machine)
{
  g_return_if_fail (HANGAR_IS_GRAPH (self));

  if (self->machine != NULL)
    g_clear_signal_handler (&self->metrics_handler, self->machine);
  g_set_object (&self->machine, machine);
  if (machine != NULL)
    self->metrics_handler = g_signal_connect_swapped (machine, "metrics-updated",
                                                      G_CALLBACK (gtk_widget_queue_draw), self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
