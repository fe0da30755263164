"""Pure analytics: functions over arrays, frames and graphs; no I/O, no store access."""
