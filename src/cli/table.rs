//! Aligned text tables for the CLI's human output: a header row, columns padded to the widest cell, numbers
//! right-aligned, long cells cut with `…`, and no control characters (a document's newlines would break the rows).

/// How a column's cells are aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    /// Text.
    Left,
    /// Numbers.
    Right,
}

/// A column: its header, alignment and widest allowed cell (in characters).
#[derive(Debug, Clone)]
struct Column {
    header: String,
    align: Align,
    max_width: Option<usize>,
}

/// A table built row by row, then rendered once.
#[derive(Debug, Clone, Default)]
pub(crate) struct Table {
    columns: Vec<Column>,
    rows: Vec<Vec<String>>,
}

/// Characters between columns.
const GAP: &str = "  ";

impl Table {
    /// An empty table.
    #[must_use]
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Adds a column.
    #[must_use]
    pub(crate) fn column(mut self, header: &str, align: Align, max_width: Option<usize>) -> Self {
        self.columns.push(Column { header: header.to_owned(), align, max_width });
        self
    }

    /// Adds a row; missing cells are empty, extra cells are dropped.
    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table as lines of text, each ending in a newline; trailing spaces are trimmed.
    #[must_use]
    pub(crate) fn render(&self) -> String {
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|row| {
                self.columns
                    .iter()
                    .enumerate()
                    .map(|(i, column)| fit(row.get(i).map_or("", String::as_str), column.max_width))
                    .collect()
            })
            .collect();
        let widths: Vec<usize> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, column)| {
                cells
                    .iter()
                    .filter_map(|row| row.get(i))
                    .map(|cell| cell.chars().count())
                    .chain(std::iter::once(column.header.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let headers: Vec<String> = self.columns.iter().map(|c| c.header.clone()).collect();
        let mut out = String::new();
        for row in std::iter::once(&headers).chain(&cells) {
            let mut line = String::new();
            for (i, (column, width)) in self.columns.iter().zip(&widths).enumerate() {
                if i > 0 {
                    line.push_str(GAP);
                }
                let cell = row.get(i).map_or("", String::as_str);
                let pad = " ".repeat(width.saturating_sub(cell.chars().count()));
                match column.align {
                    Align::Left => {
                        line.push_str(cell);
                        line.push_str(&pad);
                    }
                    Align::Right => {
                        line.push_str(&pad);
                        line.push_str(cell);
                    }
                }
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

/// One line of at most `max_width` characters: control characters become spaces (newlines `⏎`), and a longer text
/// is cut with `…`.
#[must_use]
pub(crate) fn fit(text: &str, max_width: Option<usize>) -> String {
    let clean: String = text
        .chars()
        .map(|c| match c {
            '\n' => '⏎',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    match max_width {
        Some(max) if clean.chars().count() > max => {
            let mut cut: String = clean.chars().take(max.saturating_sub(1)).collect();
            cut.push('…');
            cut
        }
        _ => clean,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_aligned_and_cut() {
        let mut table = Table::new().column("NAME", Align::Left, None).column("COUNT", Align::Right, None).column(
            "NOTE",
            Align::Left,
            Some(8),
        );
        table.row(vec!["alpha".into(), "1".into(), "short".into()]);
        table.row(vec!["lab_docs".into(), "20".into(), "a long\nnote here".into()]);
        table.row(vec!["x".into()]);
        assert_eq!(
            table.render(),
            "NAME      COUNT  NOTE\n\
             alpha         1  short\n\
             lab_docs     20  a long⏎…\n\
             x\n"
        );
    }

    #[test]
    fn fit_counts_characters_not_bytes() {
        assert_eq!(fit("héllo wörld", Some(6)), "héllo…");
        assert_eq!(fit("tab\there", None), "tab here");
        assert_eq!(fit("", Some(3)), "");
    }
}
