"""Themes for a dark operations room: black backgrounds, full-strength text, and severity
colours far apart in hue (and always with a symbol and a word beside them)."""

from __future__ import annotations

from textual.theme import Theme

DARK = Theme(
    name="hotline-dark",
    primary="#FFB000",
    secondary="#00C8FF",
    accent="#00C8FF",
    warning="#FFD000",
    error="#FF3B30",
    success="#00E070",
    foreground="#F0F0F0",
    background="#000000",
    surface="#050505",
    panel="#1C1C1C",
    dark=True,
    text_alpha=1.0,
    luminosity_spread=0.12,
    variables={"footer-key-foreground": "#FFB000", "advisory": "#00C8FF"},
)

NIGHT = Theme(
    name="hotline-night",
    primary="#C86400",
    secondary="#6A8CA0",
    accent="#6A8CA0",
    warning="#D0A000",
    error="#FF2A1A",
    success="#3CA050",
    foreground="#C8B8A8",
    background="#000000",
    surface="#000000",
    panel="#140C08",
    dark=True,
    text_alpha=1.0,
    luminosity_spread=0.10,
    variables={"footer-key-foreground": "#C86400", "advisory": "#6A8CA0"},
)

THEMES = (DARK, NIGHT)
DEFAULT_THEME = DARK.name
