//! The text prompt's editing: a one-paragraph line editor (justifications,
//! search, sign-off statement) that long text wraps in when shown. It never
//! holds a line break or another control character, and holds at most
//! [`MAX_CHARS`] characters.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// The most a prompt holds: a justification is a sentence or a paragraph,
/// and a stray paste of a whole file must not end up in the evidence.
pub const MAX_CHARS: usize = 2_000;

/// Text being typed and the cursor position in characters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Editor {
    text: String,
    cursor: usize,
}

impl Editor {
    pub fn new() -> Editor {
        Editor::default()
    }

    pub fn with_text(text: &str) -> Editor {
        let mut editor = Editor::new();
        editor.paste(text);
        editor
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor as a character index into `text`.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    /// Applies an editing key; returns whether the text changed.
    pub fn handle(&mut self, key: KeyEvent) -> bool {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let len = self.text.chars().count();
        match key.code {
            KeyCode::Char('u') if ctrl => {
                let at = self.byte_at(self.cursor);
                self.text.replace_range(..at, "");
                self.cursor = 0;
                true
            }
            KeyCode::Char('w') if ctrl => self.delete_word(),
            KeyCode::Char('a') if ctrl => {
                self.cursor = 0;
                false
            }
            KeyCode::Char('e') if ctrl => {
                self.cursor = len;
                false
            }
            KeyCode::Char(c) if !ctrl && !c.is_control() => self.insert(c, len),
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
                true
            }
            KeyCode::Delete if self.cursor < len => {
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
                true
            }
            KeyCode::Left => {
                self.cursor = self.cursor.saturating_sub(1);
                false
            }
            KeyCode::Right => {
                self.cursor = (self.cursor + 1).min(len);
                false
            }
            KeyCode::Home => {
                self.cursor = 0;
                false
            }
            KeyCode::End => {
                self.cursor = len;
                false
            }
            _ => false,
        }
    }

    fn insert(&mut self, c: char, len: usize) -> bool {
        if len >= MAX_CHARS {
            return false;
        }
        let at = self.byte_at(self.cursor);
        self.text.insert(at, c);
        self.cursor += 1;
        true
    }

    /// Pastes text (a bracketed paste) at the cursor: a line break, tab or
    /// other control character becomes one space (`\r\n` too), so pasted
    /// lines never submit anything. Returns how many characters did not fit.
    pub fn paste(&mut self, text: &str) -> usize {
        let mut len = self.text.chars().count();
        let mut flattened = String::new();
        let mut in_break = false;
        for c in text.chars() {
            if c.is_control() {
                if !in_break {
                    flattened.push(' ');
                }
                in_break = true;
            } else {
                flattened.push(c);
                in_break = false;
            }
        }
        let room = MAX_CHARS.saturating_sub(len);
        let total = flattened.chars().count();
        let kept: String = flattened.chars().take(room).collect();
        let at = self.byte_at(self.cursor);
        self.text.insert_str(at, &kept);
        len += kept.chars().count();
        self.cursor = (self.cursor + kept.chars().count()).min(len);
        total - kept.chars().count()
    }

    fn delete_word(&mut self) -> bool {
        let chars: Vec<char> = self.text.chars().collect();
        let mut start = self.cursor;
        while start > 0 && chars[start - 1] == ' ' {
            start -= 1;
        }
        while start > 0 && chars[start - 1] != ' ' {
            start -= 1;
        }
        if start == self.cursor {
            return false;
        }
        let (from, to) = (self.byte_at(start), self.byte_at(self.cursor));
        self.text.replace_range(from..to, "");
        self.cursor = start;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn typed(text: &str) -> Editor {
        let mut editor = Editor::new();
        for c in text.chars() {
            editor.handle(key(KeyCode::Char(c)));
        }
        editor
    }

    #[test]
    fn typing_inserts_at_the_cursor_even_in_multibyte_text() {
        let mut editor = typed("Zoë ok");
        editor.handle(key(KeyCode::Left));
        editor.handle(key(KeyCode::Left));
        editor.handle(key(KeyCode::Char('✓')));
        assert_eq!(editor.text(), "Zoë ✓ok");
        editor.handle(key(KeyCode::Backspace));
        editor.handle(key(KeyCode::Backspace));
        assert_eq!(editor.text(), "Zoëok");
    }

    #[test]
    fn ctrl_w_deletes_a_word_and_ctrl_u_the_line() {
        let mut editor = typed("left the company");
        editor.handle(KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL));
        assert_eq!(editor.text(), "left the ");
        editor.handle(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert_eq!(editor.text(), "");
    }

    #[test]
    fn pasted_line_breaks_become_one_space() {
        let mut editor = Editor::new();
        editor.paste("a\nb\tc\r\nd\u{1b}[2Je");
        assert_eq!(editor.text(), "a b c d [2Je");
        assert!(!editor.text().chars().any(char::is_control));
    }

    #[test]
    fn text_stops_at_the_limit_and_says_how_much_was_left_out() {
        let mut editor = Editor::new();
        assert_eq!(editor.paste(&"x".repeat(MAX_CHARS + 5)), 5);
        assert_eq!(editor.text().chars().count(), MAX_CHARS);
        assert!(!editor.handle(key(KeyCode::Char('y'))), "no room to type");
        editor.handle(key(KeyCode::Backspace));
        assert!(editor.handle(key(KeyCode::Char('y'))));
    }
}
