/* flitzis-json.c: the JSON that "devices --json" and "latency --json" print
 *
 * Copyright 2026 The libflitzis authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two small writers instead of a JSON library: the tool prints flat
 * objects of names, numbers and booleans.  Numbers are formatted in the C
 * locale (a German LC_NUMERIC would write "1,5", which is not JSON), and
 * a value that is not finite becomes null.  Main thread.
 */
#include "config.h"

#include <math.h>

#include "flitzis-tool.h"

void
tool_json_string (GString *out, const char *text)
{
  if (text == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  g_string_append_c (out, '"');
  for (const char *c = text; *c != '\0'; c++)
    {
      if (*c == '"' || *c == '\\')
        g_string_append_printf (out, "\\%c", *c);
      else if ((guchar) *c < 0x20)
        g_string_append_printf (out, "\\u%04x", (guchar) *c);
      else
        g_string_append_c (out, *c);
    }
  g_string_append_c (out, '"');
}

void
tool_json_double (GString *out, double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    g_string_append (out, "null");
  else
    g_string_append (out, g_ascii_formatd (buffer, sizeof buffer, "%.6g", value));
}
